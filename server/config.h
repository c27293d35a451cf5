/* config.h — settings of fibertrackd: flags, then FT_* environment
 * variables, then defaults. */
#ifndef FT_CONFIG_H
#define FT_CONFIG_H

struct config {
    char listen[128];           /* FT_LISTEN, --listen */
    char db_url[512];           /* FT_DB_URL, --db-url; empty: embedded MariaDB */
    char data_dir[256];         /* FT_DATA_DIR, --data-dir */
    char log_level[16];         /* FT_LOG, --log */
    int threads;                /* FT_THREADS, --threads: event loops */
    int db_pool;                /* FT_DB_POOL, --db-pool: DB worker threads per process */
    int db_queue;               /* FT_DB_QUEUE, --db-queue: requests that may wait for a worker */
    int max_connections;        /* FT_MAX_CONNECTIONS */
    int request_timeout;        /* FT_REQUEST_TIMEOUT seconds */
    int idle_timeout;           /* FT_IDLE_TIMEOUT seconds a connection may wait for a request */
    int shutdown_grace;         /* FT_SHUTDOWN_GRACE seconds for in-flight requests */
    char trusted_proxies[1024]; /* FT_TRUSTED_PROXIES: addresses and CIDR ranges whose
                                   X-Forwarded-For is believed; empty: none */
    char metrics_token[256];    /* FT_METRICS_TOKEN: bearer token for /metrics off loopback */
    char secret[256];           /* FT_SECRET: HMAC key text; empty: DATA_DIR/secret */
    int housekeeping_interval;  /* FT_HOUSEKEEPING_INTERVAL seconds between purges */
    int upload_rate;            /* FT_UPLOAD_RATE MiB/s at which file uploads are read, all
                                   together; 0: no limit */
    char attachment_dir[512];
    char map_tiles[512]; /* FT_MAP_TILES: a base map's tile URL template ({z}/{x}/{y});
                            empty: no base map */
    char map_attribution[256];
    /* FT_MAP_ATTRIBUTION: the credit the tile server asks for */ /* FT_ATTACHMENT_DIR: stored
     photos and documents; empty: DATA_DIR/attachments (shared storage for several instances) */
};

/* Fills cfg from argv (flags after the command), the environment and the
 * defaults. Unknown flags are left in place: *argc/argv are compacted to the
 * arguments not consumed. Returns 0, or -1 with a message in err. */
int config_load(struct config *cfg, int *argc, char **argv, char *err, unsigned errlen);

#endif
