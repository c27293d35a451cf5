/* config.c — flags, environment, defaults. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct option_desc {
    const char *flag;
    const char *env;
    int is_int;
    size_t offset;
    size_t size;
    int min, max;
};

#define S(field, flag, env)                                                                        \
    {                                                                                              \
        flag, env, 0, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0    \
    }
#define I(field, flag, env, lo, hi)                                                                \
    {                                                                                              \
        flag, env, 1, offsetof(struct config, field), 0, lo, hi                                    \
    }

static const struct option_desc options[] = {
    S(listen, "--listen", "FT_LISTEN"),
    S(db_url, "--db-url", "FT_DB_URL"),
    S(data_dir, "--data-dir", "FT_DATA_DIR"),
    S(log_level, "--log", "FT_LOG"),
    I(threads, "--threads", "FT_THREADS", 1, 256),
    I(db_pool, "--db-pool", "FT_DB_POOL", 1, 256),
    I(db_queue, "--db-queue", "FT_DB_QUEUE", 1, 100000),
    I(max_connections, "--max-connections", "FT_MAX_CONNECTIONS", 1, 1000000),
    I(request_timeout, "--request-timeout", "FT_REQUEST_TIMEOUT", 1, 3600),
    I(idle_timeout, "--idle-timeout", "FT_IDLE_TIMEOUT", 1, 3600),
    I(shutdown_grace, "--shutdown-grace", "FT_SHUTDOWN_GRACE", 0, 3600),
    S(trusted_proxies, "--trusted-proxies", "FT_TRUSTED_PROXIES"),
    S(metrics_token, "--metrics-token", "FT_METRICS_TOKEN"),
    S(secret, "--secret", "FT_SECRET"),
    I(housekeeping_interval, "--housekeeping-interval", "FT_HOUSEKEEPING_INTERVAL", 1, 86400),
    S(attachment_dir, "--attachment-dir", "FT_ATTACHMENT_DIR"),
    I(upload_rate, "--upload-rate", "FT_UPLOAD_RATE", 0, 100000),
    S(map_tiles, "--map-tiles", "FT_MAP_TILES"),
    S(map_attribution, "--map-attribution", "FT_MAP_ATTRIBUTION"),
};

static int set(struct config *cfg, const struct option_desc *o, const char *value, const char *from,
               char *err, unsigned errlen)
{
    char *base = (char *)cfg + o->offset;
    if (!o->is_int) {
        if (strlen(value) >= o->size) {
            snprintf(err, errlen, "%s is too long", from);
            return -1;
        }
        memcpy(base, value, strlen(value) + 1);
        return 0;
    }
    char *end;
    long v = strtol(value, &end, 10);
    if (*end || end == value || v < o->min || v > o->max) {
        snprintf(err, errlen, "%s must be an integer from %d to %d", from, o->min, o->max);
        return -1;
    }
    *(int *)(void *)base = (int)v;
    return 0;
}

int config_load(struct config *cfg, int *argc, char **argv, char *err, unsigned errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./var");
    snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = cores > 0 ? (int)cores : 1;
    cfg->db_pool = 8;
    cfg->db_queue = 512;
    cfg->max_connections = 1024;
    cfg->request_timeout = 30;
    cfg->idle_timeout = 5;
    cfg->shutdown_grace = 20;
    cfg->housekeeping_interval = 60;
    cfg->upload_rate = 12;

    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        const char *v = getenv(options[i].env);
        if (v && *v && set(cfg, &options[i], v, options[i].env, err, errlen) < 0)
            return -1;
    }
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const struct option_desc *o = NULL;
        const char *value = NULL;
        for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++) {
            size_t n = strlen(options[k].flag);
            if (strncmp(argv[i], options[k].flag, n) == 0 &&
                (argv[i][n] == '\0' || argv[i][n] == '=')) {
                o = &options[k];
                if (argv[i][n] == '=') {
                    value = argv[i] + n + 1;
                } else if (i + 1 < *argc) {
                    value = argv[++i];
                } else {
                    snprintf(err, errlen, "%s needs a value", options[k].flag);
                    return -1;
                }
                break;
            }
        }
        if (o) {
            if (set(cfg, o, value, o->flag, err, errlen) < 0)
                return -1;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}
