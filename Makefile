# fibertrack — GNU make
#
#   make                 bin/fibertrackd (and bin/fibertrack once clients/cli has sources)
#   make run             install missing Debian packages, build, migrate, demo data, serve
#   make test            install, build, run every test suite; last line "N passed, N failed"
#   make SANITIZE=address,undefined [target]
#                        the same with sanitizers; objects in build-san/, binaries in build-san/bin/
#   make SANITIZE=thread [target]
#                        ThreadSanitizer; objects in build-tsan/, binaries in build-tsan/bin/
#   make unit-tests      $(BINDIR)/unit-tests only
#   make fuzz            install clang if missing, build the libFuzzer drivers of tests/fuzz
#                        (ASan+UBSan, objects in build-fuzz/) and run each for FUZZ_SECONDS
#                        (default 30) on a scratch copy of its seed corpus; fails on any crash.
#                        FUZZ_DRIVERS=cursor picks drivers; `make fuzz-build` only builds
#   make deb             dist/fibertrack_VERSION_ARCH.deb (packaging/build-deb.sh)
#   make deps | clean | format
#   make format-check    fail, listing the files, when clang-format would change any C file
#   make lint            cppcheck and shellcheck; both must report nothing
#   V=1                  show full compiler command lines
#   EXTRA_CFLAGS=...     appended to the compiler flags (EXTRA_LDFLAGS likewise)

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

PKG_CONFIG ?= pkg-config
PKGS       := libevent libevent_pthreads libmariadb libcjson xlsxwriter libsodium vips libexif libzip gdal
CLI_PKGS   := libcurl libcjson
# Libraries without a pkg-config file.
SYS_LIBS   := -lhttp_parser -lcsv
comma      := ,

ifdef SANITIZE
# ThreadSanitizer cannot share objects with ASan or UBSan builds: it gets
# a directory of its own, so switching between them never mixes objects.
ifneq ($(filter thread,$(subst $(comma), ,$(SANITIZE))),)
OBJDIR    := build-tsan
else
OBJDIR    := build-san
endif
BINDIR    := $(OBJDIR)/bin
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
OBJDIR    := build
BINDIR    := bin
SAN_FLAGS :=
endif

CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wstrict-prototypes \
          -Wmissing-prototypes -Wshadow -Wpointer-arith -Wcast-qual -Wno-unused-parameter
INCLUDES := -Iserver $(if $(wildcard reports),-Ireports -I.)

# pkg-config is evaluated lazily (when a recipe first needs it) and only once,
# so that on a fresh machine `make run` / `make test` can install the packages
# (the deps target) before pkg-config and the -dev packages are asked.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell $(PKG_CONFIG) --libs $(PKGS)))$(PKG_LIBS)
CLI_CFLAGS = $(eval CLI_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(CLI_PKGS)))$(CLI_CFLAGS)
CLI_LIBS   = $(eval CLI_LIBS := $$(shell $(PKG_CONFIG) --libs $(CLI_PKGS)))$(CLI_LIBS)

ALL_CFLAGS = $(CFLAGS) $(SAN_FLAGS) $(INCLUDES) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS) $(EXTRA_LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- sources ----------------------------------------------------------------

SRC_DIRS  := server $(wildcard reports)
SRCS      := $(shell find $(SRC_DIRS) -name '*.c' 2>/dev/null | LC_ALL=C sort)
OBJS      := $(SRCS:%.c=$(OBJDIR)/%.o)
MAIN_OBJ  := $(OBJDIR)/server/main.o
LIB_OBJS  := $(filter-out $(MAIN_OBJ),$(OBJS))

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(OBJDIR)/%.o)

CLI_SRCS  := $(sort $(wildcard clients/cli/*.c))
CLI_OBJS  := $(CLI_SRCS:%.c=$(OBJDIR)/%.o)

SERVER_BIN := $(BINDIR)/fibertrackd
UNIT_BIN   := $(BINDIR)/unit-tests
CLI_BIN    := $(if $(CLI_SRCS),$(BINDIR)/fibertrack)

# ---- fuzzing ------------------------------------------------------------------

# One libFuzzer driver per parser of user bytes: tests/fuzz/NAME.c, with its
# seed corpus in tests/fuzz/corpus/NAME/ (and optionally tests/fuzz/NAME.dict).
# A new driver is one more name here.
FUZZ_DRIVERS := body router cursor timestamp if_match geometry wire target exif upload_headers invoice_csv gis_import
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_DIR     := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
# The server's objects get coverage instrumentation only; the fuzzer's main
# comes in with the drivers at link time.
FUZZ_CFLAGS   = $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(INCLUDES) $(PKG_CFLAGS) \
                $(EXTRA_CFLAGS)
FUZZ_LDFLAGS  = $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) $(EXTRA_LDFLAGS)
FUZZ_LIB_OBJS := $(filter-out $(FUZZ_DIR)/server/main.o,$(SRCS:%.c=$(FUZZ_DIR)/%.o))
FUZZ_OBJS     := $(FUZZ_DRIVERS:%=$(FUZZ_DIR)/tests/fuzz/%.o)
FUZZ_BINS     := $(FUZZ_DRIVERS:%=$(FUZZ_DIR)/bin/fuzz-%)
FUZZ_STAMP    := $(FUZZ_DIR)/.build-flags
FUZZ_FLAGS_NOW = $(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) $(INCLUDES) $(EXTRA_CFLAGS) | $(LDFLAGS) $(EXTRA_LDFLAGS)

# When packages are to be installed in this run, every compile waits for it.
ifneq ($(filter deps run test fuzz fuzz-build,$(MAKECMDGOALS)),)
DEPS_FIRST := deps
endif
# The fuzzing tools are installed only when fuzzing is asked for.
DEPS_GROUPS := $(if $(filter fuzz fuzz-build,$(MAKECMDGOALS)),fuzz)

# Rebuild everything when the compiler or flags change (not pkg-config output).
FLAGS_STAMP := $(OBJDIR)/.build-flags
SRCS_STAMP  := $(OBJDIR)/.sources
FLAGS_NOW    = $(CC) $(CFLAGS) $(SAN_FLAGS) $(INCLUDES) $(EXTRA_CFLAGS) | $(LDFLAGS) $(EXTRA_LDFLAGS)

# ---- targets ------------------------------------------------------------------

.PHONY: all cli unit-tests dblimit deps run test fuzz fuzz-build clean format format-check lint cppcheck shellcheck FORCE

all: $(SERVER_BIN) $(CLI_BIN)

cli: $(CLI_BIN)

unit-tests: $(UNIT_BIN)

# The database's own limit for the read path (bench/README.md).
dblimit: $(BINDIR)/dblimit

$(BINDIR)/dblimit: bench/dblimit.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	@echo "  CC+LD   $@"
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS) -lpthread

$(SERVER_BIN): $(OBJS) $(SRCS_STAMP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS) $(SYS_LIBS) -lpthread -lm

$(UNIT_BIN): $(UNIT_OBJS) $(LIB_OBJS) $(SRCS_STAMP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS) $(SYS_LIBS) -lpthread -lm

ifneq ($(CLI_SRCS),)
$(CLI_OBJS): ALL_CFLAGS += -Iclients/cli $(CLI_CFLAGS)

$(CLI_BIN): $(CLI_OBJS) $(SRCS_STAMP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(CLI_LIBS) -lpthread -lm
endif

$(OBJDIR)/%.o: %.c $(FLAGS_STAMP) | $(DEPS_FIRST)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@

# Relink when a source file is removed (an added one is a newer object anyway).
$(SRCS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(SRCS) | $(UNIT_SRCS) | $(CLI_SRCS)' | cmp -s - $@ || echo '$(SRCS) | $(UNIT_SRCS) | $(CLI_SRCS)' > $@

$(FUZZ_DIR)/%.o: %.c $(FUZZ_STAMP) | $(DEPS_FIRST)
	@mkdir -p $(@D)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# A driver links what the daemon links: the pkg-config libraries and
# SYS_LIBS, those without a pkg-config file.
$(FUZZ_BINS): $(FUZZ_DIR)/bin/fuzz-%: $(FUZZ_DIR)/tests/fuzz/%.o $(FUZZ_LIB_OBJS) $(SRCS_STAMP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS) $(SYS_LIBS) -lpthread -lm

$(FUZZ_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_FLAGS_NOW)' | cmp -s - $@ || echo '$(FUZZ_FLAGS_NOW)' > $@

deps:
	@scripts/install-deps.sh $(DEPS_GROUPS)

run: deps all
	BINDIR=$(BINDIR) scripts/run.sh

test: deps all unit-tests
	BINDIR=$(BINDIR) tests/run.sh

fuzz-build: deps $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

clean:
	rm -rf build build-san build-tsan build-fuzz bin tests/artifacts dist

FORMAT_DIRS := $(wildcard server reports tests clients bench)
FORMAT_FILES = $(shell find $(FORMAT_DIRS) -name node_modules -prune -o -name '*.[ch]' -print | LC_ALL=C sort)
CLANG_FORMAT ?= clang-format
format:
	find $(FORMAT_DIRS) -name node_modules -prune -o -name '*.[ch]' -print | xargs -r $(CLANG_FORMAT) -i

# The same files as `make format`, judged against the committed .clang-format.
format-check: deps
	@bad=$$(for f in $(FORMAT_FILES); do \
	    $(CLANG_FORMAT) --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then \
	    echo "format-check: $$(echo "$$bad" | wc -l) files differ from .clang-format (make format):"; \
	    echo "$$bad" | sed 's/^/  /'; \
	    exit 1; \
	fi

# ---- static checks ------------------------------------------------------------

# cppcheck over our C code and shellcheck over every shell script; both must
# report nothing. Reasoned exceptions are inline next to the code, or for a
# whole class of false alarms in tests/cppcheck.supp. cJSON's header is given
# because its macros (cJSON_ArrayForEach) shape the code around them.
LINT_C_DIRS    := server $(wildcard reports clients/cli) tests/unit
SHELL_SCRIPTS   = .ci/run $(shell find scripts tests bench packaging -name node_modules -prune -o \
                  -name '*.sh' -print | LC_ALL=C sort) \
                  packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm
CPPCHECK_FLAGS := --quiet --error-exitcode=1 --std=c11 -D_GNU_SOURCE --library=posix \
                  --enable=warning,style,performance,portability --inline-suppr \
                  --suppressions-list=tests/cppcheck.supp \
                  --template='{file}:{line}: {severity}: {message} [{id}]'

lint: cppcheck shellcheck

cppcheck: deps
	cppcheck $(CPPCHECK_FLAGS) $(INCLUDES) -Iclients/cli \
	    $$($(PKG_CONFIG) --cflags-only-I libcjson) $(LINT_C_DIRS)

shellcheck: deps
	shellcheck $(SHELL_SCRIPTS)

# ---- Debian package -----------------------------------------------------------

# The package takes the binaries as built here; packaging/build-deb.sh
# lays out the files and computes Depends with dpkg-shlibdeps.
.PHONY: deb
deb: all
	BINDIR=$(BINDIR) packaging/build-deb.sh dist

# `make print-BINDIR` etc., for scripts
print-%:
	@echo '$($*)'

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)
