/* server.h — the HTTP front end: one libevent loop per worker thread, each
 * with its own SO_REUSEPORT listener, reading requests through wire.c and
 * dispatching each through the route table.
 *
 * Routes flagged ROUTE_LOOP are answered on the loop. All others are handed
 * to app->submit on the loop thread; whoever runs them calls http_complete()
 * exactly once, from any thread, and the owning loop sends the reply. */
#ifndef FT_HTTP_SERVER_H
#define FT_HTTP_SERVER_H

#include <stddef.h>

#include "http/request.h"

struct http_config {
    const char *listen;    /* "127.0.0.1:8080" or "[::1]:8080" */
    int threads;           /* event loops */
    size_t max_headers;    /* bytes of request line and headers */
    size_t max_body;       /* body limit of a route whose body_limit is 0 */
    size_t max_anon_body;  /* body limit without a token, and of public routes */
    int max_connections;   /* over all loops; at the cap the oldest idle one is closed */
    int fd_reserve;        /* descriptors needed besides connections */
    int request_timeout;   /* seconds to receive a whole request, and to send a reply */
    int idle_timeout;      /* seconds a connection may wait for its next request */
    const char *spool_dir; /* where bodies too large for memory are kept */
    /* Where ROUTE_RAW_BODY bodies are spooled instead (NULL: spool_dir):
     * the file store's own directory, so that an upload's spool file can
     * be given a name there and kept without a copy. */
    const char *raw_spool_dir;
    /* Bytes per second at which all large ROUTE_RAW_BODY bodies (file
     * uploads over the in-memory size) together are read, split evenly over
     * the event loops, so that uploads never take the CPU from other
     * requests; 0: no limit. */
    double upload_rate;
};

struct http_app {
    const struct route *routes;
    size_t nroutes;
    /* Takes a parsed request for a non-loop route. Returns 0 when accepted,
     * -1 when it cannot take more (the server answers 503). */
    int (*submit)(struct req *r);
    /* Called on the loop after each reply was sent (metrics). */
    void (*done)(const struct req *r, size_t route_index, double seconds, size_t bytes);
};

/* Raises the open-files limit as far as allowed and checks that
 * max_connections fits in it with fd_reserve to spare. Returns 0, or -1
 * with the fix logged. */
int http_check_fd_limit(const struct http_config *cfg);
/* Binds and starts the loops. Returns 0, or -1 with a message logged. */
int http_start(const struct http_config *cfg, const struct http_app *app);
/* Hands a finished request back to its loop. Thread-safe. */
void http_complete(struct req *r);
/* Stops accepting new connections. */
void http_stop_accepting(void);
/* Requests received and not yet answered. */
int http_in_flight(void);
int http_connections(void);
/* Ends the loops and joins their threads. */
void http_stop(void);

#endif
