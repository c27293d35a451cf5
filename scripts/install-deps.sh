#!/bin/sh
# shellcheck disable=SC2086 # word splitting of the package lists is intended
# Installs the Debian 12 packages fibertrack needs to build, run and test.
# cppcheck, shellcheck and clang-format are for `make lint` and
# `make format-check`, which CI runs; clang-format is Debian's version 14,
# which the committed .clang-format is checked with.
# lintian, nginx and openssl are for tests/deploy: checking the Debian
# package, and a TLS reverse proxy with a self-signed certificate.
# Idempotent and quiet: when everything is present it prints nothing and
# returns immediately (no apt-get update).
#
#   install-deps.sh [fuzz]
#
# "fuzz" adds what `make fuzz` needs on top: clang, and libclang-rt-dev for
# the libFuzzer and sanitizer runtimes (clang reaches those only through a
# Recommends, and recommends are not installed here).
set -eu

PACKAGES="build-essential pkg-config libevent-dev libmariadb-dev mariadb-server mariadb-backup
cppcheck shellcheck clang-format
mariadb-client libxlsxwriter-dev libcjson-dev libsodium-dev libhttp-parser-dev libcurl4-openssl-dev
libvips-dev libexif-dev libzip-dev libcsv-dev libgdal-dev
python3 python3-openpyxl python3-jsonschema curl wrk gdal-bin poppler-utils
galera-4 haproxy socat lintian nginx openssl"
FUZZ_PACKAGES="clang libclang-rt-dev"

for group in "$@"; do
    case $group in
    fuzz) PACKAGES="$PACKAGES $FUZZ_PACKAGES" ;;
    *)
        echo "install-deps: unknown group '$group' (known: fuzz)" >&2
        exit 2
        ;;
    esac
done

# One dpkg-query call for all packages; a package counts as present only when
# its status is "install ok installed" (abbrev "ii").
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PACKAGES 2>/dev/null |
    awk '$2 == "ii" { printf " %s ", $1 }') || true

missing=""
for p in $PACKAGES; do
    case "$installed" in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing missing Debian packages:$missing" >&2

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: missing packages:$missing; run as root (or install sudo)" >&2
        exit 1
    fi
fi

# fibertrack never uses the system MariaDB or nginx services (the tests
# start their own): keep the packages' postinst from starting them. Install a policy-rc.d that denies service starts,
# unless one already exists, and remove ours afterwards.
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$POLICY" ]; then
    $SUDO sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY"
    own_policy=1
fi
cleanup() {
    if [ "$own_policy" = 1 ]; then
        $SUDO rm -f "$POLICY"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
