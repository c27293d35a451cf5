/* Private MariaDB server for the embedded default (SPEC 2). See the header. */
#include "mariadb_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MDB_START_TIMEOUT_MS 60000
#define MDB_STOP_TIMEOUT_MS 60000
#define MDB_POLL_MS 50
#define MDB_LOG_TAIL_LINES 25

/* Paths derived from s->dir. */
struct mdb_paths {
    char data[PATH_MAX];
    char data_tmp[PATH_MAX];
    char pidfile[PATH_MAX];
    char errlog[PATH_MAX];
    char installlog[PATH_MAX];
    char owner[PATH_MAX];
    char lock[PATH_MAX];
    char tmp[PATH_MAX];
};

__attribute__((format(printf, 1, 2))) static void mdb_err(const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "mariadb supervisor: %s\n", buf);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* snprintf into dst; returns -1 (and complains) if it does not fit. */
__attribute__((format(printf, 3, 4))) static int fmt_path(char *dst, size_t size, const char *fmt,
                                                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        mdb_err("path too long: %s...", dst);
        return -1;
    }
    return 0;
}

static int make_paths(const char *dir, struct mdb_paths *p)
{
    if (fmt_path(p->data, sizeof p->data, "%s/data", dir) < 0 ||
        fmt_path(p->data_tmp, sizeof p->data_tmp, "%s/data.tmp", dir) < 0 ||
        fmt_path(p->pidfile, sizeof p->pidfile, "%s/mariadb.pid", dir) < 0 ||
        fmt_path(p->errlog, sizeof p->errlog, "%s/error.log", dir) < 0 ||
        fmt_path(p->tmp, sizeof p->tmp, "%s/tmp", dir) < 0 ||
        fmt_path(p->installlog, sizeof p->installlog, "%s/install.log", dir) < 0 ||
        fmt_path(p->owner, sizeof p->owner, "%s/owner", dir) < 0 ||
        fmt_path(p->lock, sizeof p->lock, "%s/supervisor.lock", dir) < 0)
        return -1;
    return 0;
}

/* mkdir -p; components we create get mode 0700. */
static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (fmt_path(buf, sizeof buf, "%s", path) < 0)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            mdb_err("cannot create directory %s: %s", buf, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
        mdb_err("cannot create directory %s: %s", buf, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        mdb_err("%s is not a directory", buf);
        return -1;
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    int r = (type == FTW_DP) ? rmdir(path) : unlink(path);
    if (r != 0 && errno != ENOENT)
        mdb_err("cannot remove %s: %s", path, strerror(errno));
    return 0;
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads a small file into buf (NUL-terminated); returns length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* Process state from /proc/PID/stat: state char and start time (clock ticks
 * since boot). Returns 0 if the process exists, -1 if not. */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return -1;
    char *p = strrchr(buf, ')'); /* comm may contain spaces and parens */
    if (!p || p[1] != ' ')
        return -1;
    p += 2;
    if (state)
        *state = *p;
    /* fields after comm: 3 state ... 22 starttime => skip 19 more fields */
    for (int i = 0; i < 19 && p; i++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    if (start)
        *start = p ? strtoull(p, NULL, 10) : 0;
    return 0;
}

/* 1 if pid is a live (not zombie) process; uses /proc, falls back to kill(0). */
static int proc_alive(pid_t pid)
{
    if (pid <= 0)
        return 0;
    char state = '?';
    if (proc_stat(pid, &state, NULL) == 0)
        return state != 'Z' && state != 'X';
    if (access("/proc/self/stat", F_OK) == 0)
        return 0; /* /proc works, so the process does not exist */
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* 1 if pid is a live mariadbd (or mysqld) process. */
static int proc_is_mariadbd(pid_t pid)
{
    if (!proc_alive(pid))
        return 0;
    char path[64], comm[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    if (read_small(path, comm, sizeof comm) <= 0)
        return access("/proc/self/comm", F_OK) != 0; /* no /proc: trust kill() */
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, "mariadbd") == 0 || strcmp(comm, "mysqld") == 0;
}

static pid_t read_pidfile(const char *path)
{
    char buf[64];
    if (read_small(path, buf, sizeof buf) <= 0)
        return 0;
    long v = strtol(buf, NULL, 10);
    return v > 0 && v < INT_MAX ? (pid_t)v : 0;
}

/* The owner file holds "<pid> <starttime>" of the process that owns the server. */
static void write_owner(const struct mdb_paths *p)
{
    unsigned long long start = 0;
    proc_stat(getpid(), NULL, &start);
    char tmp[PATH_MAX + 8], buf[64];
    if (fmt_path(tmp, sizeof tmp, "%s.tmp", p->owner) < 0)
        return;
    int n = snprintf(buf, sizeof buf, "%ld %llu\n", (long)getpid(), start);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, buf, (size_t)n) != n) {
        mdb_err("cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    if (rename(tmp, p->owner) != 0)
        mdb_err("cannot rename %s: %s", tmp, strerror(errno));
}

/* 1 if the recorded owner process is still alive. */
static int owner_alive(const struct mdb_paths *p)
{
    char buf[64];
    if (read_small(p->owner, buf, sizeof buf) <= 0)
        return 0;
    char *end;
    long pid = strtol(buf, &end, 10);
    unsigned long long start = strtoull(end, NULL, 10);
    if (pid <= 0 || pid > INT_MAX)
        return 0;
    unsigned long long cur = 0;
    char state = '?';
    if (proc_stat((pid_t)pid, &state, &cur) != 0)
        return proc_alive((pid_t)pid);
    return state != 'Z' && state != 'X' && (start == 0 || cur == start);
}

/* Removes the owner file if it names this process. */
static void clear_owner(const struct mdb_paths *p)
{
    char buf[64];
    if (read_small(p->owner, buf, sizeof buf) > 0 && strtol(buf, NULL, 10) == (long)getpid())
        unlink(p->owner);
}

/* Connects to the unix socket; returns the fd (non-blocking) or -1. */
static int socket_connect(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len >= sizeof sa.sun_path)
        return -1;
    memcpy(sa.sun_path, path, len + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int r;
    do {
        r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    } while (r != 0 && errno == EINTR);
    /* EAGAIN: the listen backlog is full, so somebody is listening */
    if (r != 0 && errno != EAGAIN) {
        close(fd);
        return -1;
    }
    return fd;
}

int mdb_socket_alive(const char *path)
{
    int fd = socket_connect(path);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

/* 1 if the server on the socket sends its protocol greeting within
 * timeout_ms. mariadbd listens on its socket before it has finished starting
 * (and a SIGTERM in that window can hang it); the greeting only comes once it
 * really serves connections. An error packet (e.g. too many connections)
 * also proves it serves. */
static int socket_ready(const char *path, int timeout_ms)
{
    int fd = socket_connect(path);
    if (fd < 0)
        return 0;
    unsigned char buf[64];
    size_t got = 0;
    long long deadline = now_ms() + timeout_ms;
    while (got < 5) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    /* packet header: 3 bytes length, 1 byte sequence; then 10 = protocol
     * version 10 greeting, 0xff = error packet */
    return got >= 5 && (buf[4] == 10 || buf[4] == 0xff);
}

/* Prints the last lines of a log file (only what lies after offset from) to stderr. */
static void print_log_tail(const char *path, off_t from)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[8192];
    off_t size = lseek(fd, 0, SEEK_END);
    if (size - (off_t)sizeof buf + 1 > from)
        from = size - (off_t)sizeof buf + 1;
    ssize_t n = size > from ? pread(fd, buf, sizeof buf - 1, from) : 0;
    close(fd);
    if (n <= 0) {
        fprintf(stderr, "(nothing new in %s)\n", path);
        return;
    }
    buf[n] = '\0';
    const char *start = buf;
    int lines = 0;
    for (ssize_t i = n - 1; i >= 0; i--) {
        if (buf[i] == '\n' && i != n - 1 && ++lines >= MDB_LOG_TAIL_LINES) {
            start = buf + i + 1;
            break;
        }
    }
    fprintf(stderr, "---- last lines of %s ----\n%s%s---- end of %s ----\n", path, start,
            buf[n - 1] == '\n' ? "" : "\n", path);
}

static int lock_dir(const struct mdb_paths *p)
{
    int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mdb_err("cannot open %s: %s", p->lock, strerror(errno));
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            mdb_err("cannot lock %s: %s", p->lock, strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static const char *find_exe(const char *env, const char *const *candidates)
{
    const char *e = getenv(env);
    if (e && *e)
        return e;
    for (; *candidates; candidates++)
        if (access(*candidates, X_OK) == 0)
            return *candidates;
    return NULL;
}

static const char *mariadbd_path(void)
{
    static const char *const c[] = {"/usr/sbin/mariadbd",       "/usr/bin/mariadbd",
                                    "/usr/local/sbin/mariadbd", "/usr/local/bin/mariadbd",
                                    "/usr/sbin/mysqld",         NULL};
    return find_exe("FT_MARIADBD", c);
}

static const char *install_db_path(void)
{
    static const char *const c[] = {"/usr/bin/mariadb-install-db",
                                    "/usr/local/bin/mariadb-install-db",
                                    "/usr/bin/mysql_install_db", NULL};
    return find_exe("FT_MARIADB_INSTALL_DB", c);
}

/* --user=NAME when running as root (mariadbd refuses to run as root without
 * it); empty otherwise. */
static void user_opt(char *buf, size_t size)
{
    buf[0] = '\0';
    if (geteuid() != 0)
        return;
    /* The reentrant form: the supervisor restarts mariadbd while the
     * server's other threads run. */
    struct passwd pwbuf, *pw = NULL;
    char strings[1024];
    if (getpwuid_r(geteuid(), &pwbuf, strings, sizeof(strings), &pw) != 0)
        pw = NULL;
    snprintf(buf, size, "--user=%s", pw && pw->pw_name ? pw->pw_name : "root");
}

/* fork/exec path with argv; stdin from /dev/null, stdout+stderr to out_fd,
 * all other descriptors closed, default signal mask and dispositions, own
 * process group. Only async-signal-safe calls between fork and exec (we may be
 * in a multi-threaded process). Returns the child pid or -1. */
static pid_t spawn(const char *path, char *const argv[], int out_fd)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        mdb_err("cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    long maxfd = sysconf(_SC_OPEN_MAX);
    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    sigset_t all, old;
    sigfillset(&all);
    /* block signals around fork so no handler of ours runs in the child */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++)
            sigaction(sig, &dfl, NULL); /* fails harmlessly for KILL/STOP */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
            _exit(126);
        if (close_range(3, ~0U, 0) != 0)
            for (long fd = 3; fd < maxfd; fd++)
                close((int)fd);
        execv(path, argv);
        static const char msg[] = "mariadb supervisor: exec failed\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(devnull);
    if (pid < 0) {
        mdb_err("fork failed: %s", strerror(saved));
        return -1;
    }
    setpgid(pid, pid); /* also done by the child; whichever runs first wins */
    return pid;
}

/* Blocking waitpid; returns the raw status, or -1 if the child cannot be
 * waited for (e.g. SIGCHLD is ignored, so it was reaped automatically). */
static int wait_child(pid_t pid)
{
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, 0);
        if (r == pid)
            return st;
        if (r < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

static void describe_status(int st, char *buf, size_t size)
{
    if (WIFEXITED(st))
        snprintf(buf, size, "exit status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, size, "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(buf, size, "status 0x%x", st);
}

/* Creates the datadir with mariadb-install-db unless it exists. The install
 * goes into data.tmp and is renamed to data on success, so an existing data
 * directory is always complete. */
static int init_datadir(const struct mdb_paths *p)
{
    struct stat st;
    if (stat(p->data, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    const char *exe = install_db_path();
    if (!exe) {
        mdb_err("mariadb-install-db not found (install the Debian package mariadb-server, "
                "e.g. with `make deps`)");
        return -1;
    }
    rm_rf(p->data_tmp); /* leftovers of an interrupted earlier attempt */
    if (mkdir(p->data_tmp, 0700) != 0) {
        mdb_err("cannot create %s: %s", p->data_tmp, strerror(errno));
        return -1;
    }
    char datadir[PATH_MAX + 16], user[300];
    if (fmt_path(datadir, sizeof datadir, "--datadir=%s", p->data_tmp) < 0)
        return -1;
    user_opt(user, sizeof user);
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)(uintptr_t)exe;
    argv[n++] = "--no-defaults";
    argv[n++] = "--auth-root-authentication-method=normal";
    argv[n++] = "--skip-test-db";
    argv[n++] = "--skip-name-resolve";
    argv[n++] = datadir;
    if (user[0])
        argv[n++] = user;
    argv[n++] = "--innodb-log-file-size=64M";
    argv[n++] = "--character-set-server=utf8mb4";
    argv[n++] = "--collation-server=utf8mb4_unicode_ci";
    argv[n] = NULL;

    int out = open(p->installlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        mdb_err("cannot open %s: %s", p->installlog, strerror(errno));
        return -1;
    }
    fprintf(stderr, "mariadb supervisor: initialising a new MariaDB datadir in %s\n", p->data);
    pid_t pid = spawn(exe, argv, out);
    close(out);
    if (pid < 0)
        return -1;
    int status = wait_child(pid);
    char mysqldir[PATH_MAX + 8];
    fmt_path(mysqldir, sizeof mysqldir, "%s/mysql", p->data_tmp);
    int ok = status >= 0 ? (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                         : (stat(mysqldir, &st) == 0); /* could not wait: best guess */
    if (!ok) {
        char why[128] = "unknown status";
        if (status >= 0)
            describe_status(status, why, sizeof why);
        mdb_err("mariadb-install-db failed (%s) for %s", why, p->data_tmp);
        print_log_tail(p->installlog, 0);
        return -1;
    }
    if (rename(p->data_tmp, p->data) != 0) {
        mdb_err("cannot rename %s to %s: %s", p->data_tmp, p->data, strerror(errno));
        return -1;
    }
    return 0;
}

/* Waits until the socket answers. Returns 0 when it does, -1 if the process
 * died or the timeout passed. */
static int wait_ready(struct mdb_server *s, const struct mdb_paths *p, long long timeout_ms,
                      off_t log_from)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (s->is_child) {
            int st;
            pid_t r = waitpid(s->pid, &st, WNOHANG);
            if (r == s->pid) {
                char why[128];
                describe_status(st, why, sizeof why);
                mdb_err("mariadbd (pid %ld) exited during startup: %s", (long)s->pid, why);
                print_log_tail(p->errlog, log_from);
                s->pid = 0;
                return -1;
            }
            if (r < 0 && errno != EINTR && !proc_alive(s->pid)) {
                mdb_err("mariadbd (pid %ld) exited during startup", (long)s->pid);
                print_log_tail(p->errlog, log_from);
                s->pid = 0;
                return -1;
            }
        }
        if (socket_ready(s->socket_path, 1000))
            return 0;
        if (now_ms() >= deadline) {
            mdb_err("mariadbd (pid %ld) did not accept connections on %s within %lld s",
                    (long)s->pid, s->socket_path, timeout_ms / 1000);
            print_log_tail(p->errlog, log_from);
            return -1;
        }
        sleep_ms(MDB_POLL_MS);
    }
}

/* SIGTERM, wait (bounded), SIGKILL. Works for our child (waitpid) and for an
 * adopted process (polling). */
static void terminate(pid_t pid, int is_child, long long grace_ms)
{
    if (pid <= 0)
        return;
    if (kill(pid, SIGTERM) != 0 && errno == ESRCH && !is_child)
        return;
    for (int round = 0; round < 2; round++) {
        long long deadline = now_ms() + (round == 0 ? grace_ms : 10000);
        for (;;) {
            if (is_child) {
                int st;
                pid_t r = waitpid(pid, &st, WNOHANG);
                if (r == pid)
                    return;
                if (r < 0 && errno != EINTR && !proc_alive(pid))
                    return; /* not waitable (SIGCHLD ignored?) and gone */
            } else if (!proc_alive(pid)) {
                return;
            }
            if (now_ms() >= deadline)
                break;
            sleep_ms(MDB_POLL_MS);
        }
        if (round == 0) {
            mdb_err("mariadbd (pid %ld) did not stop within %lld s; sending SIGKILL", (long)pid,
                    grace_ms / 1000);
            kill(pid, SIGKILL);
        }
    }
    mdb_err("mariadbd (pid %ld) did not go away after SIGKILL", (long)pid);
}

static int start_server(struct mdb_server *s, const struct mdb_paths *p)
{
    const char *exe = mariadbd_path();
    if (!exe) {
        mdb_err("mariadbd not found (install the Debian package mariadb-server, e.g. with "
                "`make deps`)");
        return -1;
    }
    char datadir[PATH_MAX + 16], sock[300], pidf[PATH_MAX + 16], logf[PATH_MAX + 16], user[300];
    char tmpdir[PATH_MAX + 16];
    /* A private tmpdir: mariadbd removes every #sql* file in its tmpdir when
     * it starts, so a shared /tmp lets one server's start break another's
     * running query. */
    if (mkdir(p->tmp, 0700) != 0 && errno != EEXIST) {
        mdb_err("cannot create %s: %s", p->tmp, strerror(errno));
        return -1;
    }
    if (fmt_path(tmpdir, sizeof tmpdir, "--tmpdir=%s", p->tmp) < 0 ||
        fmt_path(datadir, sizeof datadir, "--datadir=%s", p->data) < 0 ||
        fmt_path(sock, sizeof sock, "--socket=%s", s->socket_path) < 0 ||
        fmt_path(pidf, sizeof pidf, "--pid-file=%s", p->pidfile) < 0 ||
        fmt_path(logf, sizeof logf, "--log-error=%s", p->errlog) < 0)
        return -1;
    user_opt(user, sizeof user);
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)(uintptr_t)exe;
    argv[n++] = "--no-defaults"; /* must come first */
    argv[n++] = datadir;
    argv[n++] = sock;
    argv[n++] = pidf;
    argv[n++] = logf;
    argv[n++] = tmpdir;
    argv[n++] = "--skip-networking";
    if (user[0])
        argv[n++] = user;
    argv[n++] = "--innodb-buffer-pool-size=256M";
    argv[n++] = "--innodb-log-file-size=64M";
    argv[n++] = "--innodb-flush-log-at-trx-commit=1"; /* no acknowledged write is lost */
    argv[n++] = "--max-connections=200";
    argv[n++] = "--max-allowed-packet=128M"; /* imports are up to 64 MiB */
    argv[n++] = "--character-set-server=utf8mb4";
    argv[n++] = "--collation-server=utf8mb4_unicode_ci";
    argv[n++] = "--skip-log-bin";
    argv[n++] = "--log-warnings=1";
    argv[n++] = "--lower-case-table-names=0";
    argv[n] = NULL;

    int out = open(p->errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out < 0) {
        mdb_err("cannot open %s: %s", p->errlog, strerror(errno));
        return -1;
    }
    off_t log_from = lseek(out, 0, SEEK_END);
    if (log_from < 0)
        log_from = 0;
    pid_t pid = spawn(exe, argv, out);
    close(out);
    if (pid < 0)
        return -1;
    s->pid = pid;
    s->owned = 1;
    s->is_child = 1;
    write_owner(p);
    if (wait_ready(s, p, MDB_START_TIMEOUT_MS, log_from) != 0) {
        if (s->pid > 0) /* a mariadbd hanging in startup may ignore SIGTERM */
            terminate(s->pid, 1, 5000);
        clear_owner(p);
        s->pid = 0;
        s->owned = 0;
        s->is_child = 0;
        return -1;
    }
    return 0;
}

/* The check-and-start; caller holds the lock. */
static int ensure_locked(struct mdb_server *s, const struct mdb_paths *p)
{
    long long deadline = now_ms() + MDB_START_TIMEOUT_MS;
    for (;;) {
        pid_t fpid = read_pidfile(p->pidfile);
        int live = fpid > 0 && proc_is_mariadbd(fpid);
        if (socket_ready(s->socket_path, 2000)) {
            if (live && !owner_alive(p)) {
                /* its owner died (crash, SIGKILL): adopt it so it gets stopped */
                s->pid = fpid;
                s->owned = 1;
                s->is_child = 0;
                write_owner(p);
                return 0;
            }
            s->pid = 0;
            s->owned = 0;
            s->is_child = 0;
            return 0;
        }
        if (!live)
            break;
        /* A mariadbd for this dir runs but does not answer yet (an orphan
         * still starting up or shutting down): wait for either. */
        if (now_ms() >= deadline) {
            mdb_err("mariadbd pid %ld (from %s) runs but does not accept connections on %s; "
                    "stop it and retry",
                    (long)fpid, p->pidfile, s->socket_path);
            print_log_tail(p->errlog, 0);
            return -1;
        }
        sleep_ms(100);
    }
    if (init_datadir(p) != 0)
        return -1;
    return start_server(s, p);
}

int mdb_ensure(const char *data_dir, struct mdb_server *out)
{
    memset(out, 0, sizeof *out);
    if (!data_dir || !*data_dir) {
        mdb_err("no data directory given");
        return -1;
    }
    if (mkdir_p(data_dir) != 0)
        return -1;
    char abs[PATH_MAX];
    if (!realpath(data_dir, abs)) {
        mdb_err("cannot resolve %s: %s", data_dir, strerror(errno));
        return -1;
    }
    if (fmt_path(out->dir, sizeof out->dir, "%s/mariadb", abs) < 0)
        return -1;
    struct sockaddr_un sa;
    int n = snprintf(out->socket_path, sizeof out->socket_path, "%s/mariadb.sock", out->dir);
    if (n < 0 || (size_t)n >= sizeof sa.sun_path) {
        mdb_err("the unix socket path %s/mariadb.sock is %d bytes, longer than the %zu bytes "
                "the system allows; use a shorter FT_DATA_DIR",
                out->dir, n, sizeof sa.sun_path - 1);
        out->socket_path[0] = '\0';
        return -1;
    }
    if (mkdir(out->dir, 0700) != 0 && errno != EEXIST) {
        mdb_err("cannot create directory %s: %s", out->dir, strerror(errno));
        return -1;
    }
    struct mdb_paths p;
    if (make_paths(out->dir, &p) != 0)
        return -1;
    int lk = lock_dir(&p);
    if (lk < 0)
        return -1;
    int r = ensure_locked(out, &p);
    close(lk);
    return r;
}

int mdb_check(struct mdb_server *s)
{
    if (!s->dir[0])
        return -1;
    struct mdb_paths p;
    if (make_paths(s->dir, &p) != 0)
        return -1;
    if (s->owned && s->pid > 0) {
        if (s->is_child) {
            int st;
            pid_t r;
            do {
                r = waitpid(s->pid, &st, WNOHANG);
            } while (r < 0 && errno == EINTR);
            if (r == 0)
                return 0;
            if (r == s->pid) {
                char why[128];
                describe_status(st, why, sizeof why);
                mdb_err("mariadbd (pid %ld) exited unexpectedly (%s); restarting it", (long)s->pid,
                        why);
                print_log_tail(p.errlog, 0);
            } else if (proc_alive(s->pid)) {
                return 0; /* cannot wait for it, but it runs */
            } else {
                mdb_err("mariadbd (pid %ld) is gone; restarting it", (long)s->pid);
            }
        } else {
            if (proc_is_mariadbd(s->pid))
                return 0;
            mdb_err("mariadbd (pid %ld) is gone; restarting it", (long)s->pid);
        }
        s->pid = 0;
        s->owned = 0;
        s->is_child = 0;
    } else if (mdb_socket_alive(s->socket_path)) {
        return 0;
    }
    int lk = lock_dir(&p);
    if (lk < 0)
        return -1;
    int r = ensure_locked(s, &p);
    close(lk);
    if (r == 0 && s->owned)
        fprintf(stderr, "mariadb supervisor: mariadbd runs again (pid %ld)\n", (long)s->pid);
    return r;
}

void mdb_stop(struct mdb_server *s)
{
    if (!s->owned || s->pid <= 0) {
        s->owned = 0;
        return;
    }
    struct mdb_paths p;
    int lk = -1;
    if (make_paths(s->dir, &p) == 0)
        lk = lock_dir(&p);
    terminate(s->pid, s->is_child, MDB_STOP_TIMEOUT_MS);
    if (lk >= 0) {
        clear_owner(&p);
        close(lk);
    }
    s->pid = 0;
    s->owned = 0;
    s->is_child = 0;
}
