/* server.c — libevent loops, listeners, limits and reply sending. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/reply.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pool.h"

struct loop;

/* One accepted connection; lives from accept until evhttp closes it. */
struct conn {
    struct loop *loop;
    struct bufferevent *bev;
    evutil_socket_t fd;
    struct evhttp_connection *evcon;
    struct event *deadline; /* the next request must arrive before it fires */
    int busy;               /* a request is being handled: no deadline */
};

/* Per-request state of the http layer. */
struct http_state {
    struct evhttp_request *ev;
    struct loop *loop;
    struct req *next; /* completion queue link */
};

struct loop {
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *listener;
    struct event *wake;
    pthread_mutex_t lock;
    struct req *done_head, *done_tail;
};

static struct {
    struct http_config cfg;
    struct http_app app;
    struct loop *loops;
    int nloops;
    atomic_int in_flight;
    atomic_int connections;
    /* Connections by socket: each slot is only touched by the loop that
     * accepted that socket. */
    struct conn **by_fd;
    size_t nfd;
    unsigned long long boot;   /* start time: the first part of generated request ids */
    pthread_mutex_t stop_lock; /* orders http_complete against http_stop */
    int stopped;
} S = {.stop_lock = PTHREAD_MUTEX_INITIALIZER};

int http_in_flight(void)
{
    return atomic_load(&S.in_flight);
}

int http_connections(void)
{
    return atomic_load(&S.connections);
}

/* ---- connections ---- */

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
    struct conn *c = arg;
    /* evhttp may report a close both on reset and on free. */
    evhttp_connection_set_closecb(evcon, NULL, NULL);
    S.by_fd[c->fd] = NULL;
    event_free(c->deadline);
    free(c);
    atomic_fetch_sub(&S.connections, 1);
}

static void conn_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    (void)what;
    if (c->busy)
        return;
    /* The client did not send a whole request in time: drop it. This frees
     * c through conn_closed. */
    evhttp_connection_free(c->evcon);
}

static void conn_arm(struct conn *c, int seconds)
{
    struct timeval tv = {seconds, 0};
    event_add(c->deadline, &tv);
}

/* Every new connection passes through here: evhttp asks us for its
 * bufferevent. The connection object itself only exists once evhttp has
 * set the bufferevent up, so the rest happens in conn_attach, activated to
 * run before this loop next polls for I/O. */
static void conn_attach(evutil_socket_t fd, short what, void *arg);

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    struct loop *lp = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    struct conn *c = calloc(1, sizeof(*c));
    if (!bev || !c) {
        free(c);
        return bev;
    }
    c->loop = lp;
    c->bev = bev;
    atomic_fetch_add(&S.connections, 1);
    event_base_once(base, -1, EV_TIMEOUT, conn_attach, c, NULL);
    return bev;
}

static void conn_attach(evutil_socket_t unused, short what, void *arg)
{
    struct conn *c = arg;
    (void)unused;
    (void)what;
    /* evhttp passes the connection as the bufferevent's callback argument;
     * libevent 2.1 offers no other way to reach a connection before its
     * first request is complete. Checked, so that a change shows up as an
     * untracked connection rather than a crash. */
    void *cbarg = NULL;
    bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
    struct evhttp_connection *evcon = cbarg;
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    if (!evcon || evhttp_connection_get_bufferevent(evcon) != c->bev || fd < 0 ||
        (size_t)fd >= S.nfd) {
        log_msg(LOG_WARN, "connection not tracked: no request deadline for it");
        atomic_fetch_sub(&S.connections, 1);
        free(c);
        return;
    }
    c->evcon = evcon;
    c->fd = fd;
    /* Replies leave in more than one write; without TCP_NODELAY the tail
     * of a larger one waits for the client's delayed ACK (40 ms on Linux). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->deadline = evtimer_new(c->loop->base, conn_deadline, c);
    S.by_fd[fd] = c;
    evhttp_connection_set_closecb(evcon, conn_closed, c);
    if (atomic_load(&S.connections) > S.cfg.max_connections) {
        /* Over the cap: closing at once keeps the connections already
         * served fast. This frees c through conn_closed. */
        evhttp_connection_free(evcon);
        return;
    }
    conn_arm(c, S.cfg.request_timeout);
}

static struct conn *conn_of(struct evhttp_request *ev)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (!evcon)
        return NULL;
    evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
    if (fd < 0 || (size_t)fd >= S.nfd || !S.by_fd[fd] || S.by_fd[fd]->evcon != evcon)
        return NULL;
    return S.by_fd[fd];
}

/* ---- request parsing ---- */

static const char *header(struct evhttp_request *ev, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(ev), name);
}

/* An incoming X-Request-ID is echoed when it is short and harmless. */
static int sane_request_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return 0;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return 0;
    return 1;
}

static void new_request_id(char *out, size_t size)
{
    static atomic_ullong counter;
    snprintf(out, size, "%llx-%06llx", S.boot, atomic_fetch_add(&counter, 1) & 0xffffffULL);
}

/* ---- sending ---- */

static void send_reply(struct req *r)
{
    struct http_state *hs = r->http;
    struct evhttp_request *ev = hs->ev;
    struct evkeyvalq *out = evhttp_request_get_output_headers(ev);
    struct evbuffer *buf = evbuffer_new();
    size_t bytes = 0;

    if (r->status == 0)
        reply_problem(r, 500, "the request was not answered");
    evhttp_add_header(out, "X-Request-ID", r->request_id);
    if (r->resp_type)
        evhttp_add_header(out, "Content-Type", r->resp_type);
    for (int i = 0; i < r->nresp_headers; i++)
        evhttp_add_header(out, r->resp_headers[i].key, r->resp_headers[i].value);
    if (r->resp_file && r->method == HTTP_HEAD) {
        unlink(r->resp_file);
    } else if (r->resp_file) {
        int fd = open(r->resp_file, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
            bytes = (size_t)st.st_size;
            evbuffer_add_file(buf, fd, 0, st.st_size); /* takes the fd */
        } else if (fd >= 0) {
            close(fd);
        }
        unlink(r->resp_file);
    } else if (r->resp_body && r->method != HTTP_HEAD) {
        evbuffer_add(buf, r->resp_body, r->resp_len);
        bytes = r->resp_len;
    }
    /* The connection's next request must arrive in time, like its first. */
    struct conn *c = conn_of(ev);
    if (c) {
        c->busy = 0;
        conn_arm(c, S.cfg.request_timeout);
    }
    evhttp_send_reply(ev, r->status, status_title(r->status), buf);
    evbuffer_free(buf);

    double secs = clock_mono() - r->received_at;
    if (S.app.done)
        S.app.done(r, r->match.route ? r->match.index : (size_t)-1, secs, bytes);
    char line[1024];
    snprintf(line, sizeof(line),
             "request_id=%s user=%lld method=%s route=\"%s\" status=%d bytes=%zu duration_ms=%.1f",
             r->request_id, r->user.id, http_method_name(r->method),
             r->match.route ? r->match.route->pattern : "-", r->status, bytes, secs * 1000.0);
    log_line(r->status >= 500 ? LOG_WARN : LOG_INFO, line);
    pool_free(r->pool);
    atomic_fetch_sub(&S.in_flight, 1);
}

void http_complete(struct req *r)
{
    struct http_state *hs = r->http;
    struct loop *lp = hs->loop;
    /* After http_stop the loops are gone: a request that finishes that
     * late cannot be answered any more, only released. */
    pthread_mutex_lock(&S.stop_lock);
    if (S.stopped) {
        pthread_mutex_unlock(&S.stop_lock);
        log_msg(LOG_WARN, "request %s finished after shutdown; not answered", r->request_id);
        if (r->resp_file)
            unlink(r->resp_file);
        pool_free(r->pool);
        atomic_fetch_sub(&S.in_flight, 1);
        return;
    }
    pthread_mutex_lock(&lp->lock);
    hs->next = NULL;
    if (lp->done_tail)
        ((struct http_state *)lp->done_tail->http)->next = r;
    else
        lp->done_head = r;
    lp->done_tail = r;
    pthread_mutex_unlock(&lp->lock);
    event_active(lp->wake, EV_READ, 0);
    pthread_mutex_unlock(&S.stop_lock);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct loop *lp = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&lp->lock);
    struct req *r = lp->done_head;
    lp->done_head = lp->done_tail = NULL;
    pthread_mutex_unlock(&lp->lock);
    while (r) {
        struct req *next = ((struct http_state *)r->http)->next;
        send_reply(r);
        r = next;
    }
}

/* ---- dispatch ---- */

static int parse_query(struct req *r, const char *query)
{
    if (!query || !*query)
        return 0;
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    if (evhttp_parse_query_str(query, &q) != 0)
        return -1;
    size_t n = 0;
    struct evkeyval *kv;
    TAILQ_FOREACH(kv, &q, next) n++;
    r->query = pool_alloc(r->pool, sizeof(struct kv) * (n ? n : 1));
    TAILQ_FOREACH(kv, &q, next)
    {
        r->query[r->nquery].key = pool_strdup(r->pool, kv->key);
        r->query[r->nquery].value = pool_strdup(r->pool, kv->value);
        r->nquery++;
    }
    evhttp_clear_headers(&q);
    return 0;
}

static const char *copy_header(struct req *r, struct evhttp_request *ev, const char *name)
{
    return pool_strdup(r->pool, header(ev, name));
}

static void on_request(struct evhttp_request *ev, void *arg)
{
    struct loop *lp = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    struct pool *pool = pool_new();
    if (!pool) {
        evhttp_send_error(ev, 503, "Service Unavailable");
        return;
    }
    atomic_fetch_add(&S.in_flight, 1);
    struct req *r = pool_alloc(pool, sizeof(*r));
    struct http_state *hs = pool_alloc(pool, sizeof(*hs));
    r->pool = pool;
    r->http = hs;
    r->received_at = clock_mono();
    hs->ev = ev;
    hs->loop = lp;
    struct conn *c = conn_of(ev);
    if (c) {
        c->busy = 1;
        event_del(c->deadline);
    }

    const char *rid = header(ev, "X-Request-ID");
    if (rid && sane_request_id(rid))
        snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
    else
        new_request_id(r->request_id, sizeof(r->request_id));

    char *peer = NULL;
    ev_uint16_t port = 0;
    if (evcon) {
        evhttp_connection_get_peer(evcon, &peer, &port);
        r->client_ip = pool_strdup(pool, peer);
    }

    enum evhttp_cmd_type cmd = evhttp_request_get_command(ev);
    switch (cmd) {
    case EVHTTP_REQ_GET: r->method = HTTP_GET; break;
    case EVHTTP_REQ_POST: r->method = HTTP_POST; break;
    case EVHTTP_REQ_PATCH: r->method = HTTP_PATCH; break;
    case EVHTTP_REQ_DELETE: r->method = HTTP_DELETE; break;
    case EVHTTP_REQ_PUT: r->method = HTTP_PUT; break;
    case EVHTTP_REQ_HEAD: r->method = HTTP_HEAD; break;
    case EVHTTP_REQ_OPTIONS: r->method = HTTP_OPTIONS; break;
    default: r->method = 0; break;
    }

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    char *path = raw_path ? evhttp_uridecode(raw_path, 0, NULL) : NULL;
    if (!path || !*path || strlen(path) > 512) {
        free(path);
        r->path = "/";
        reply_problem(r, 400, "the request path is missing or too long");
        send_reply(r);
        return;
    }
    r->path = pool_strdup(pool, path);
    free(path);
    if (parse_query(r, uri ? evhttp_uri_get_query(uri) : NULL) < 0) {
        reply_problem(r, 400, "the query string is malformed");
        send_reply(r);
        return;
    }

    int found = router_match(S.app.routes, S.app.nroutes, r->method, r->path, &r->match);
    if (found == 404) {
        reply_problem(r, 404, "no resource at %s", r->path);
        send_reply(r);
        return;
    }
    if (found == 405) {
        char allow[128];
        http_methods_format(r->match.allowed, allow, sizeof(allow));
        reply_problem(r, 405, "%s is not allowed here; use %s", http_method_name(r->method), allow);
        req_add_header(r, "Allow", allow);
        send_reply(r);
        return;
    }

    struct evbuffer *in = evhttp_request_get_input_buffer(ev);
    size_t len = evbuffer_get_length(in);
    const struct route *route = r->match.route;
    size_t limit = (route->flags & ROUTE_BIG_BODY) ? S.cfg.max_big_body : S.cfg.max_body;
    if (len > limit) {
        reply_problem(r, 413, "the body has %zu bytes; at most %zu are accepted here", len, limit);
        send_reply(r);
        return;
    }
    if (len) {
        char *body = pool_alloc(pool, len + 1);
        evbuffer_copyout(in, body, len);
        r->body = body;
        r->body_len = len;
    }
    r->authorization = copy_header(r, ev, "Authorization");
    r->if_match = copy_header(r, ev, "If-Match");
    r->if_none_match = copy_header(r, ev, "If-None-Match");
    r->idempotency_key = copy_header(r, ev, "Idempotency-Key");
    r->content_type = copy_header(r, ev, "Content-Type");
    r->forwarded_for = copy_header(r, ev, "X-Forwarded-For");

    if (route->flags & ROUTE_LOOP) {
        route->handler(r);
        send_reply(r);
        return;
    }
    if (S.app.submit(r) != 0) {
        reply_problem(r, 503, "the server is busy; retry shortly");
        send_reply(r);
    }
}

/* ---- loops ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, int *len)
{
    int l = (int)sizeof(*ss);
    memset(ss, 0, sizeof(*ss));
    if (evutil_parse_sockaddr_port(listen, (struct sockaddr *)ss, &l) != 0)
        return -1;
    *len = l;
    return 0;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    /* Keep running when the listener is gone during shutdown: requests in
     * flight still come back through lp->wake, which is only activated. */
    event_base_loop(lp->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

/* One listening socket per loop on the same port: the kernel spreads new
 * connections over the loops (SO_REUSEPORT). */
static evutil_socket_t listen_socket(const struct sockaddr_storage *ss, int len)
{
    evutil_socket_t fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (evutil_make_listen_socket_reuseable(fd) < 0 ||
        evutil_make_listen_socket_reuseable_port(fd) < 0 ||
        bind(fd, (const struct sockaddr *)ss, (socklen_t)len) < 0 || listen(fd, 1024) < 0) {
        int e = errno;
        evutil_closesocket(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int http_start(const struct http_config *cfg, const struct http_app *app)
{
    S.cfg = *cfg;
    S.app = *app;
    S.boot = (unsigned long long)time(NULL);
    evthread_use_pthreads();
    struct sockaddr_storage ss;
    int sslen;
    if (parse_listen(cfg->listen, &ss, &sslen) < 0) {
        log_msg(LOG_ERROR, "cannot parse listen address '%s' (want HOST:PORT)", cfg->listen);
        return -1;
    }
    struct rlimit rl;
    S.nfd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1u << 20))
        S.nfd = (size_t)rl.rlim_cur;
    S.by_fd = calloc(S.nfd, sizeof(struct conn *));
    /* SO_REUSEPORT would let a second server share the port silently, each
     * getting some of the connections: make sure nobody else has it. */
    evutil_socket_t probe = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int in_use = probe >= 0 && (evutil_make_listen_socket_reuseable(probe) < 0 ||
                                bind(probe, (struct sockaddr *)&ss, (socklen_t)sslen) < 0);
    int probe_errno = errno;
    if (probe >= 0)
        evutil_closesocket(probe);
    if (probe < 0 || in_use) {
        log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(probe_errno));
        return -1;
    }
    S.nloops = cfg->threads;
    S.loops = calloc((size_t)S.nloops, sizeof(struct loop));
    for (int i = 0; i < S.nloops; i++) {
        struct loop *lp = &S.loops[i];
        lp->index = i;
        pthread_mutex_init(&lp->lock, NULL);
        lp->base = event_base_new();
        lp->http = evhttp_new(lp->base);
        evhttp_set_gencb(lp->http, on_request, lp);
        evhttp_set_bevcb(lp->http, make_bev, lp);
        evhttp_set_allowed_methods(lp->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PATCH |
                                                 EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT |
                                                 EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
        evhttp_set_max_headers_size(lp->http, (ev_ssize_t)cfg->max_headers);
        evhttp_set_max_body_size(lp->http, (ev_ssize_t)cfg->max_big_body);
        evhttp_set_timeout(lp->http, cfg->idle_timeout);
        lp->wake = event_new(lp->base, -1, EV_PERSIST, on_wake, lp);
        evutil_socket_t fd = listen_socket(&ss, sslen);
        if (fd < 0) {
            log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
            return -1;
        }
        lp->listener = evhttp_accept_socket_with_handle(lp->http, fd);
        if (!lp->listener) {
            evutil_closesocket(fd);
            log_msg(LOG_ERROR, "cannot listen on %s", cfg->listen);
            return -1;
        }
    }
    for (int i = 0; i < S.nloops; i++)
        pthread_create(&S.loops[i].thread, NULL, loop_main, &S.loops[i]);
    return 0;
}

static void stop_listener(evutil_socket_t fd, short what, void *arg)
{
    struct loop *lp = arg;
    (void)fd;
    (void)what;
    if (lp->listener) {
        evhttp_del_accept_socket(lp->http, lp->listener);
        lp->listener = NULL;
    }
}

void http_stop_accepting(void)
{
    for (int i = 0; i < S.nloops; i++)
        event_base_once(S.loops[i].base, -1, EV_TIMEOUT, stop_listener, &S.loops[i], NULL);
}

void http_stop(void)
{
    pthread_mutex_lock(&S.stop_lock);
    S.stopped = 1;
    pthread_mutex_unlock(&S.stop_lock);
    for (int i = 0; i < S.nloops; i++)
        event_base_loopexit(S.loops[i].base, NULL);
    for (int i = 0; i < S.nloops; i++) {
        struct loop *lp = &S.loops[i];
        pthread_join(lp->thread, NULL);
        evhttp_free(lp->http);
        event_free(lp->wake);
        event_base_free(lp->base);
        pthread_mutex_destroy(&lp->lock);
    }
    free(S.loops);
    S.loops = NULL;
    free(S.by_fd);
    S.by_fd = NULL;
}
