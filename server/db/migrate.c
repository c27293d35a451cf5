/* migrate.c — applying schema/NNN_name.sql files. */
#include "db/migrate.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "util/paths.h"
#include "util/pool.h"

static const char create_table[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version INT UNSIGNED NOT NULL PRIMARY KEY,"
                                   " name VARCHAR(200) NOT NULL,"
                                   " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
                                   ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

/* The migration lock is a row as well as a named lock: GET_LOCK is local to
 * one node of a Galera cluster, while a committed row is certified on all
 * of them, so two hosts migrating through different nodes take turns. A
 * holder that died leaves its row behind: it is taken over when its
 * connection is gone from the same node, or after ten minutes. */
static const char create_lock[] = "CREATE TABLE IF NOT EXISTS migration_lock ("
                                  " name VARCHAR(32) NOT NULL PRIMARY KEY,"
                                  " node VARCHAR(200) NOT NULL,"
                                  " conn BIGINT UNSIGNED NOT NULL,"
                                  " taken_at DATETIME NOT NULL"
                                  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
#define LOCK_NODE "CONCAT(@@hostname, ':', @@port)"
#define LOCK_WAIT_S 120

/* Takes the cluster-wide migration lock; returns 0, or -1 after
 * LOCK_WAIT_S seconds or on a database error. */
static int lock_take(struct db *db, struct pool *pool)
{
    if (db_exec(db, pool, create_lock, NULL, 0, NULL) != DB_OK)
        return -1;
    for (int waited = 0; waited < LOCK_WAIT_S * 4; waited++) {
        enum db_rc rc = db_exec(db, pool,
                                "INSERT INTO migration_lock (name, node, conn, taken_at) VALUES "
                                "('migrate', " LOCK_NODE ", CONNECTION_ID(), UTC_TIMESTAMP())",
                                NULL, 0, NULL);
        if (rc == DB_OK)
            return 0;
        if (rc != DB_DUPLICATE && rc != DB_RETRY)
            return -1;
        /* Held (or, on Galera, taken at the same moment on another node). */
        if (db_exec(db, pool,
                    "DELETE FROM migration_lock WHERE name = 'migrate' AND (taken_at < "
                    "UTC_TIMESTAMP() - INTERVAL 10 MINUTE OR (node = " LOCK_NODE " AND conn NOT "
                    "IN (SELECT ID FROM information_schema.PROCESSLIST)))",
                    NULL, 0, NULL) == DB_GONE)
            return -1;
        usleep(250 * 1000);
    }
    return -1;
}

static void lock_release(struct db *db, struct pool *pool)
{
    enum db_rc rc =
        db_exec(db, pool,
                "DELETE FROM migration_lock WHERE name = 'migrate' AND node = " LOCK_NODE
                " AND conn = CONNECTION_ID()",
                NULL, 0, NULL);
    (void)rc; /* Left behind, it is taken over once this connection is gone. */
}

void migrate_schema_dir(char *out, unsigned size)
{
    path_beside_exe("FT_SCHEMA_DIR", "schema", "schema", out, size);
}

int migrate_current(struct db *db)
{
    struct pool *pool = pool_new();
    struct db_rows *rows;
    int v = -1;
    if (db_exec(db, pool, create_table, NULL, 0, NULL) == DB_OK &&
        db_exec(db, pool, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0,
                &rows) == DB_OK)
        v = atoi(db_cell(rows, 0, 0));
    pool_free(pool);
    return v;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

int migrate_apply(struct db *db, const char *schema_dir)
{
    struct pool *pool = pool_new();
    struct db_rows *rows;
    int rc = -1;
    char **names = NULL;
    size_t nnames = 0;

    if (!pool) {
        fprintf(stderr, "migrate: out of memory\n");
        return -1;
    }

    if (db_exec(db, pool, "SELECT GET_LOCK('fibertrack_migrate', 120)", NULL, 0, &rows) != DB_OK ||
        !db_cell(rows, 0, 0) || strcmp(db_cell(rows, 0, 0), "1") != 0) {
        fprintf(stderr, "migrate: another process holds the migration lock\n");
        goto out;
    }
    if (lock_take(db, pool) < 0) {
        fprintf(stderr, "migrate: another host holds the migration lock (table migration_lock)\n");
        goto unlock;
    }
    int current = migrate_current(db);
    if (current < 0) {
        fprintf(stderr, "migrate: cannot read schema_migrations: %s\n", db_error(db));
        goto release;
    }
    DIR *d = opendir(schema_dir);
    if (!d) {
        fprintf(stderr, "migrate: cannot open schema directory %s\n", schema_dir);
        goto release;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 8 && e->d_name[3] == '_' && strcmp(e->d_name + n - 4, ".sql") == 0 &&
            e->d_name[0] >= '0' && e->d_name[0] <= '9') {
            /* Out of memory: stop, rather than apply a partial list. */
            char **grown = realloc(names, sizeof(*names) * (nnames + 1));
            if (grown)
                names = grown;
            char *name = grown ? strdup(e->d_name) : NULL;
            if (!name) {
                fprintf(stderr, "migrate: out of memory reading %s\n", schema_dir);
                closedir(d);
                goto release;
            }
            names[nnames++] = name;
        }
    }
    closedir(d);
    /* qsort's array must not be NULL, even when it is empty. */
    if (nnames)
        qsort(names, nnames, sizeof(char *), cmp);
    int applied = 0;
    for (size_t i = 0; i < nnames; i++) {
        int version = atoi(names[i]);
        if (version <= current)
            continue;
        char path[1024];
        int plen = snprintf(path, sizeof(path), "%s/%s", schema_dir, names[i]);
        if (plen < 0 || (size_t)plen >= sizeof(path)) {
            fprintf(stderr, "migrate: the path of %s is too long\n", names[i]);
            goto release;
        }
        char *sql = read_file(path);
        if (!sql) {
            fprintf(stderr, "migrate: cannot read %s\n", path);
            goto release;
        }
        int r = db_exec_script(db, sql);
        free(sql);
        if (r != DB_OK) {
            fprintf(stderr, "migrate: %s failed: %s\n", names[i], db_error(db));
            goto release;
        }
        struct db_param p[] = {DB_INTP(version), DB_TEXTP(names[i])};
        if (db_exec(db, pool, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", p, 2,
                    NULL) != DB_OK) {
            fprintf(stderr, "migrate: cannot record %s: %s\n", names[i], db_error(db));
            goto release;
        }
        fprintf(stderr, "migrate: applied %s\n", names[i]);
        applied++;
    }
    if (migrate_current(db) < SCHEMA_VERSION) {
        fprintf(stderr, "migrate: %s holds no migrations up to version %d\n", schema_dir,
                SCHEMA_VERSION);
        goto release;
    }
    if (!applied)
        fprintf(stderr, "migrate: the schema is current (version %d)\n", migrate_current(db));
    rc = 0;
release:
    lock_release(db, pool);
unlock:
    if (db_exec(db, pool, "SELECT RELEASE_LOCK('fibertrack_migrate')", NULL, 0, NULL) != DB_OK)
        rc = -1;
out:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    pool_free(pool);
    return rc;
}
