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

void migrate_schema_dir(char *out, unsigned size)
{
    path_beside_exe("FT_SCHEMA_DIR", "schema", out, size);
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
    int current = migrate_current(db);
    if (current < 0) {
        fprintf(stderr, "migrate: cannot read schema_migrations: %s\n", db_error(db));
        goto unlock;
    }
    DIR *d = opendir(schema_dir);
    if (!d) {
        fprintf(stderr, "migrate: cannot open schema directory %s\n", schema_dir);
        goto unlock;
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
                goto unlock;
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
            goto unlock;
        }
        char *sql = read_file(path);
        if (!sql) {
            fprintf(stderr, "migrate: cannot read %s\n", path);
            goto unlock;
        }
        int r = db_exec_script(db, sql);
        free(sql);
        if (r != DB_OK) {
            fprintf(stderr, "migrate: %s failed: %s\n", names[i], db_error(db));
            goto unlock;
        }
        struct db_param p[] = {DB_INTP(version), DB_TEXTP(names[i])};
        if (db_exec(db, pool, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", p, 2,
                    NULL) != DB_OK) {
            fprintf(stderr, "migrate: cannot record %s: %s\n", names[i], db_error(db));
            goto unlock;
        }
        fprintf(stderr, "migrate: applied %s\n", names[i]);
        applied++;
    }
    if (migrate_current(db) < SCHEMA_VERSION) {
        fprintf(stderr, "migrate: %s holds no migrations up to version %d\n", schema_dir,
                SCHEMA_VERSION);
        goto unlock;
    }
    if (!applied)
        fprintf(stderr, "migrate: the schema is current (version %d)\n", migrate_current(db));
    rc = 0;
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
