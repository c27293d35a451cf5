/* workers.c — a fixed pool of threads with a bounded queue. */
#include "util/workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/log.h"

struct workers {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct work *head, *tail;
    int queued, queue_max, stopping, n, niceness;
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    struct workers *w = arg;
    /* Linux keeps the nice value per thread; raising it needs no privilege. */
    if (w->niceness && setpriority(PRIO_PROCESS, (id_t)gettid(), w->niceness) != 0)
        log_msg(LOG_DEBUG, "a file worker keeps its CPU priority");
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head)
            break;
        struct work *job = w->head;
        w->head = job->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        pthread_mutex_unlock(&w->mu);
        job->run(job->arg);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct workers *workers_start(int n, int queue_max, int niceness)
{
    struct workers *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->threads = calloc((size_t)n, sizeof(*w->threads));
    if (!w->threads) {
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->queue_max = queue_max;
    w->niceness = niceness;
    for (; w->n < n; w->n++) {
        if (pthread_create(&w->threads[w->n], NULL, worker_main, w) != 0) {
            workers_stop(w);
            return NULL;
        }
    }
    return w;
}

int workers_submit(struct workers *w, struct work *job)
{
    pthread_mutex_lock(&w->mu);
    if (w->stopping || w->queued >= w->queue_max) {
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    job->next = NULL;
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    w->queued++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

void workers_stop(struct workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->n; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->threads);
    free(w);
}
