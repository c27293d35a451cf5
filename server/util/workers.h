/* workers.h — a small pool of threads for work that needs no database
 * connection: hashing, copying and syncing uploaded files. Its threads
 * run at a lower CPU priority, so that such work yields to requests. */
#ifndef FT_WORKERS_H
#define FT_WORKERS_H

struct work {
    void (*run)(void *arg);
    void *arg;
    struct work *next; /* the pool's own */
};

struct workers;

/* Starts n threads at nice +niceness with room for queue_max waiting
 * jobs. Returns the pool, or NULL. */
struct workers *workers_start(int n, int queue_max, int niceness);
/* Queues job (which must live until it has run). Returns 0, or -1 when
 * the queue is full or the pool is stopping. */
int workers_submit(struct workers *w, struct work *job) __attribute__((warn_unused_result));
/* Runs what is queued, then joins the threads and frees the pool. */
void workers_stop(struct workers *w);

#endif
