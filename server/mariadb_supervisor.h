/* Starts and supervises a private MariaDB server (Debian's mariadbd) for the
 * "embedded default" (SPEC 2): used when no FT_DB_URL is given.
 *
 * Layout of $data_dir/mariadb (mode 0700):
 *   data/            the datadir (created by mariadb-install-db on first use)
 *   mariadb.sock     unix socket (the only way in: skip-networking)
 *   mariadb.pid      pid file written by mariadbd
 *   error.log        mariadbd's error log (also its stdout/stderr)
 *   install.log      output of mariadb-install-db
 *   owner            "<pid> <starttime>" of the process that owns the server
 *   supervisor.lock  flock()ed around every check-and-start / stop
 *
 * Connect as user root, no password, through socket_path.
 *
 * Plain POSIX; does not include mysql.h. All calls block (mdb_ensure and a
 * restarting mdb_check for up to ~60 s, mdb_stop for up to ~60 s): never call
 * them on an event-loop thread that serves requests.
 */
#ifndef FT_MARIADB_SUPERVISOR_H
#define FT_MARIADB_SUPERVISOR_H

#include <sys/types.h>

struct mdb_server {
    char socket_path[256]; /* unix socket clients connect to */
    char dir[256];         /* $data_dir/mariadb (absolute) */
    pid_t pid;             /* mariadbd pid, 0 if not started (or adopted) by us */
    int owned;             /* 1 if this process started it and must stop it */
    int is_child;          /* 1 if pid is our child (waitpid works); 0 if adopted */
};

/* Ensures a private mariadbd runs for data_dir; see the file comment for the
 * layout. Initialises the datadir on first use. If a mariadbd for that dir
 * already runs and its owner process is alive, attaches (owned=0, pid=0). If
 * it runs but its owner died (e.g. a crashed fibertrackd), adopts it
 * (owned=1, is_child=0) so that it is stopped when we stop. Otherwise starts
 * one in its own process group and waits (bounded, 60 s) until it accepts
 * connections. Serialised across processes with flock($dir/supervisor.lock).
 * Returns 0 on success, -1 with a message (and the error log tail) on stderr.
 */
int mdb_ensure(const char *data_dir, struct mdb_server *out);

/* Supervision, called periodically: if the server is gone (our child exited,
 * or the socket of an attached server no longer answers and its process is
 * gone), starts it again (this process may become the owner). Returns 0 if a
 * server runs afterwards, -1 otherwise. Cheap when all is well (a waitpid or
 * one connect()). */
int mdb_check(struct mdb_server *s);

/* Stops the server if owned: SIGTERM, wait up to 60 s, then SIGKILL.
 * No-op if not owned. Safe to call twice. */
void mdb_stop(struct mdb_server *s);

/* 1 if something accepts connections on the unix socket at path, else 0. */
int mdb_socket_alive(const char *path);

#endif
