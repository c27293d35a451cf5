/* dblimit.c — the database's own limit for GET /api/v1/segments/{id}: each
 * thread owns one MariaDB connection and loops over what fibertrackd asks
 * the database per request without its token cache (the bearer token's
 * lookup and the segment's point select, as prepared statements with the
 * server's SQL text), with no HTTP and no JSON. The figure the server's read
 * path is measured against (bench/README.md).
 *
 *   bin/dblimit SOCKET THREADS SECONDS MAX_ID [lookups]
 *
 * lookups is 2 (token check + select, the default) or 1 (select only, as
 * with a token cache hit). Prints "RESULT rps=N threads=T". */
#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const token_sql =
    "SELECT t.id, u.id, u.role, u.contractor_id, u.name, u.email, t.last_used_at IS NULL OR "
    "t.last_used_at < NOW(3) - INTERVAL 60 SECOND, TIMESTAMPDIFF(MICROSECOND, NOW(3), "
    "t.expires_at) FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND "
    "t.revoked_at IS NULL AND u.active = 1 AND (t.expires_at IS NULL OR t.expires_at > NOW(3))";

static const char *const segment_sql =
    "SELECT t.id, t.project_id, t.lot_id, (SELECT contractor_id FROM lots WHERE id = t.lot_id), "
    "t.code, t.street, t.from_node_id, t.to_node_id, t.kind, t.method, t.surface, "
    "t.planned_length_m, t.built_length_m, CASE WHEN t.planned_length_m > 0 THEN "
    "ROUND(t.built_length_m / t.planned_length_m, 4) END, t.fiber_count, t.duct_type, "
    "t.duct_type_code, t.laying_depth_m, t.co_laying, ST_AsGeoJSON(t.geometry, 7), t.status, "
    "t.planned_start, t.planned_end, t.actual_start, t.actual_end, t.accepted_on, t.accepted_by, "
    "t.acceptance_note, t.version, CONCAT(DATE_FORMAT(t.created_at, '%Y-%m-%dT%H:%i:%s.'), "
    "LPAD(MICROSECOND(t.created_at) DIV 1000, 3, '0'), 'Z'), "
    "CONCAT(DATE_FORMAT(t.updated_at, '%Y-%m-%dT%H:%i:%s.'), "
    "LPAD(MICROSECOND(t.updated_at) DIV 1000, 3, '0'), 'Z') FROM segments t WHERE t.id = ?";

static const char *sock;
static int seconds, lookups = 2;
static long long max_id;
static unsigned char token_hash[64];
static unsigned long token_hash_len;
static atomic_ullong done;
static atomic_int failed;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static MYSQL *connect_db(void)
{
    MYSQL *m = mysql_init(NULL);
    if (!m || !mysql_real_connect(m, "localhost", "root", NULL, "fibertrack", 0, sock, 0)) {
        fprintf(stderr, "dblimit: cannot connect: %s\n", m ? mysql_error(m) : "out of memory");
        return NULL;
    }
    return m;
}

/* Prepares sql; binds one parameter of type type at value. */
static MYSQL_STMT *prepare(MYSQL *m, const char *sql, MYSQL_BIND *param)
{
    MYSQL_STMT *st = mysql_stmt_init(m);
    if (!st || mysql_stmt_prepare(st, sql, strlen(sql)) || mysql_stmt_bind_param(st, param)) {
        fprintf(stderr, "dblimit: prepare: %s\n", st ? mysql_stmt_error(st) : mysql_error(m));
        return NULL;
    }
    return st;
}

/* Executes st and reads its rows as a client must (the rows are dropped). */
static int run(MYSQL_STMT *st)
{
    if (mysql_stmt_execute(st) || mysql_stmt_store_result(st))
        return -1;
    mysql_stmt_free_result(st);
    return 0;
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg * 7919u + 1u;
    MYSQL *m = connect_db();
    if (!m) {
        atomic_store(&failed, 1);
        return NULL;
    }
    long long id = 1;
    MYSQL_BIND tp = {.buffer_type = MYSQL_TYPE_BLOB,
                     .buffer = token_hash,
                     .buffer_length = token_hash_len,
                     .length = &token_hash_len};
    MYSQL_BIND sp = {.buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &id};
    MYSQL_STMT *tok = prepare(m, token_sql, &tp), *seg = prepare(m, segment_sql, &sp);
    if (!tok || !seg) {
        atomic_store(&failed, 1);
        mysql_close(m);
        return NULL;
    }
    double end = now() + seconds;
    unsigned long long n = 0;
    while (now() < end) {
        id = 1 + (long long)(rand_r(&seed) % (unsigned long long)max_id);
        if ((lookups == 2 && run(tok)) || run(seg)) {
            fprintf(stderr, "dblimit: %s\n", mysql_stmt_error(seg));
            atomic_store(&failed, 1);
            break;
        }
        n++;
    }
    atomic_fetch_add(&done, n);
    mysql_stmt_close(tok);
    mysql_stmt_close(seg);
    mysql_close(m);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: dblimit SOCKET THREADS SECONDS MAX_ID [lookups]\n");
        return 2;
    }
    sock = argv[1];
    int threads = atoi(argv[2]);
    seconds = atoi(argv[3]);
    max_id = atoll(argv[4]);
    if (argc > 5)
        lookups = atoi(argv[5]);
    if (threads < 1 || threads > 256 || seconds < 1 || max_id < 1 || lookups < 1 || lookups > 2) {
        fprintf(stderr, "dblimit: bad arguments\n");
        return 2;
    }
    mysql_library_init(0, NULL, NULL);
    /* A real token's hash, so that the lookup finds its row. */
    MYSQL *m = connect_db();
    if (!m)
        return 1;
    if (mysql_query(m, "SELECT hash FROM tokens WHERE revoked_at IS NULL ORDER BY id DESC LIMIT 1"))
        return 1;
    MYSQL_RES *res = mysql_store_result(m);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    unsigned long *len = row ? mysql_fetch_lengths(res) : NULL;
    if (!row || !len || len[0] > sizeof(token_hash)) {
        fprintf(stderr, "dblimit: no token in the database\n");
        return 1;
    }
    memcpy(token_hash, row[0], len[0]);
    token_hash_len = len[0];
    mysql_free_result(res);
    mysql_close(m);

    pthread_t *t = calloc((size_t)threads, sizeof(*t));
    if (!t)
        return 1;
    double t0 = now();
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(size_t)i))
            return 1;
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double elapsed = now() - t0;
    free(t);
    mysql_library_end();
    if (atomic_load(&failed))
        return 1;
    printf("RESULT rps=%.0f threads=%d lookups=%d\n", (double)atomic_load(&done) / elapsed, threads,
           lookups);
    return 0;
}
