/* history_fold.c — see history_fold.h. */
#include "domain/history_fold.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int fold_name(struct fold_names *names, const char *text)
{
    if (!text)
        text = "";
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->s[i], text) == 0)
            return (int)i;
    if (names->n == names->cap) {
        size_t ncap = names->cap ? names->cap * 2 : 16;
        char **grown = realloc(names->s, sizeof(*grown) * ncap);
        if (!grown)
            return -1;
        names->s = grown;
        names->cap = ncap;
    }
    char *copy = strdup(text);
    if (!copy)
        return -1;
    names->s[names->n] = copy;
    return (int)names->n++;
}

void fold_names_free(struct fold_names *names)
{
    for (size_t i = 0; i < names->n; i++)
        free(names->s[i]);
    free(names->s);
    memset(names, 0, sizeof(*names));
}

unsigned long long fold_time(const char *text)
{
    /* Fourteen digits of date and time, then the milliseconds, padded:
     * ".5" and ".500" are the same moment. */
    unsigned long long v = 0;
    int digits = 0, frac = -1;
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '.' && digits >= 14) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            continue;
        if (frac >= 0) {
            if (frac == 3)
                break;
            frac++;
        } else if (digits == 14) {
            continue;
        }
        v = v * 10 + (unsigned long long)(*p - '0');
        digits++;
    }
    for (int f = frac < 0 ? 0 : frac; f < 3; f++)
        v *= 10;
    return v;
}

long long fold_hundredths(const char *text)
{
    if (!text)
        return 0;
    const char *p = text;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    long long v = 0;
    for (; isdigit((unsigned char)*p); p++)
        v = v * 10 + (*p - '0');
    int frac = 0;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p) && frac < 2; p++, frac++)
            v = v * 10 + (*p - '0');
    for (; frac < 2; frac++)
        v *= 10;
    return neg ? -v : v;
}

void fold_bounds_free(struct fold_bounds *b)
{
    free(b->last);
    b->last = NULL;
    b->n = 0;
}

/* Sets b to the bounds of the distinct ids at stride bytes apart from
 * first (n of them, sorted): 0, or -1 when out of memory. */
static int make_bounds(const void *first, size_t stride, size_t n, size_t per,
                       struct fold_bounds *b)
{
    b->last = NULL;
    b->n = 0;
    if (per == 0)
        per = 1;
    size_t cap = 0, distinct = 0;
    for (size_t i = 0; i < n; i++) {
        const char *row = (const char *)first + i * stride;
        long long id = *(const long long *)row;
        int end_of_id = i + 1 == n || *(const long long *)(row + stride) != id;
        if (!end_of_id)
            continue;
        distinct++;
        if (distinct % per != 0 && i + 1 != n)
            continue;
        if (b->n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            long long *grown = realloc(b->last, sizeof(*grown) * ncap);
            if (!grown) {
                fold_bounds_free(b);
                return -1;
            }
            b->last = grown;
            cap = ncap;
        }
        b->last[b->n++] = id;
    }
    return 0;
}

/* ---- segments ---- */

static int seg_row_order(const void *a, const void *b)
{
    const struct seg_hist_row *x = a, *y = b;
    if (x->segment_id != y->segment_id)
        return x->segment_id < y->segment_id ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int day_order(const void *a, const void *b)
{
    const struct seg_day *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->lot_id < y->lot_id ? -1 : x->lot_id > y->lot_id;
}

static int lot_order(const void *a, const void *b)
{
    const struct seg_lot *x = a, *y = b;
    return x->lot_id < y->lot_id ? -1 : x->lot_id > y->lot_id;
}

static int group_order(const void *a, const void *b)
{
    const struct seg_group *x = a, *y = b;
    int c = strcmp(x->status, y->status);
    return c ? c : strcmp(x->method, y->method);
}

/* Merges runs of equal (date, lot) in days[0..n) that day_order sorted;
 * returns how many are left. */
static size_t merge_days(struct seg_day *days, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && days[k - 1].date == days[i].date && days[k - 1].lot_id == days[i].lot_id) {
            days[k - 1].planned += days[i].planned;
            days[k - 1].built += days[i].built;
        } else {
            days[k++] = days[i];
        }
    }
    return k;
}

void seg_fold_free(struct seg_fold *f)
{
    free(f->groups);
    free(f->lots);
    bigarray_free(&f->day_store);
    fold_bounds_free(&f->bounds);
    fold_names_free(&f->names);
    memset(f, 0, sizeof(*f));
}

int seg_fold(struct seg_hist_row *rows, size_t n, const struct fold_names *names, size_t per,
             struct seg_fold *out)
{
    memset(out, 0, sizeof(*out));
    if (n)
        qsort(rows, n, sizeof(*rows), seg_row_order);
    if (make_bounds(n ? &rows[0].segment_id : NULL, sizeof(*rows), n, per, &out->bounds) != 0)
        return -1;
    /* Groups and lots are few: one entry per status/method pair seen and
     * per lot, found by a linear search that usually hits the last one. */
    size_t ngroups = 0, capgroups = 0, nlots = 0, caplots = 0;
    struct seg_group *groups = NULL;
    struct seg_lot *lots = NULL;
    int *group_keys = NULL; /* status, method of each group */
    /* One change per row, as large as the rows: mapped (util/bigarray.h). */
    struct bigarray store;
    bigarray_init(&store, sizeof(struct seg_day));
    if (bigarray_reserve(&store, n ? n : 1) != 0)
        goto oom;
    struct seg_day *days = store.data;
    size_t i = 0;
    while (i < n) {
        long long seg = rows[i].segment_id;
        long long prev_planned = 0, prev_built = 0;
        size_t last = i;
        for (; i < n && rows[i].segment_id == seg; i++) {
            const struct seg_hist_row *r = &rows[i];
            long long planned = r->deleted ? 0 : r->planned;
            long long built = r->deleted ? 0 : r->built;
            days[i] = (struct seg_day){(int)(r->at / 1000000000ULL), r->lot_id,
                                       planned - prev_planned, built - prev_built};
            prev_planned = planned;
            prev_built = built;
            last = i;
        }
        const struct seg_hist_row *r = &rows[last];
        if (r->deleted)
            continue;
        size_t g = ngroups;
        while (g > 0 &&
               !(group_keys[2 * (g - 1)] == r->status && group_keys[2 * (g - 1) + 1] == r->method))
            g--;
        if (g == 0) {
            if (ngroups == capgroups) {
                size_t ncap = capgroups ? capgroups * 2 : 16;
                struct seg_group *gg = realloc(groups, sizeof(*gg) * ncap);
                if (!gg)
                    goto oom;
                groups = gg;
                int *kk = realloc(group_keys, sizeof(*kk) * 2 * ncap);
                if (!kk)
                    goto oom;
                group_keys = kk;
                capgroups = ncap;
            }
            groups[ngroups] = (struct seg_group){names->s[r->status], names->s[r->method], 0, 0, 0};
            group_keys[2 * ngroups] = r->status;
            group_keys[2 * ngroups + 1] = r->method;
            g = ++ngroups;
        }
        groups[g - 1].count++;
        groups[g - 1].planned += r->planned;
        groups[g - 1].built += r->built;

        size_t l = nlots;
        while (l > 0 && lots[l - 1].lot_id != r->lot_id)
            l--;
        if (l == 0) {
            if (nlots == caplots) {
                size_t ncap = caplots ? caplots * 2 : 16;
                struct seg_lot *ll = realloc(lots, sizeof(*ll) * ncap);
                if (!ll)
                    goto oom;
                lots = ll;
                caplots = ncap;
            }
            lots[nlots] = (struct seg_lot){r->lot_id, 0, 0, 0};
            l = ++nlots;
        }
        lots[l - 1].count++;
        lots[l - 1].planned += r->planned;
        lots[l - 1].built += r->built;
    }
    free(group_keys);
    if (ngroups)
        qsort(groups, ngroups, sizeof(*groups), group_order);
    if (nlots)
        qsort(lots, nlots, sizeof(*lots), lot_order);
    if (n)
        qsort(days, n, sizeof(*days), day_order);
    out->groups = groups;
    out->ngroups = ngroups;
    out->lots = lots;
    out->nlots = nlots;
    out->days = days;
    out->ndays = merge_days(days, n);
    out->day_store = store;
    return 0;
oom:
    free(groups);
    free(group_keys);
    free(lots);
    bigarray_free(&store);
    fold_bounds_free(&out->bounds);
    return -1;
}

/* ---- premises ---- */

static int prem_row_order(const void *a, const void *b)
{
    const struct prem_hist_row *x = a, *y = b;
    if (x->premise_id != y->premise_id)
        return x->premise_id < y->premise_id ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int prem_fold(struct prem_hist_row *rows, size_t n, const struct fold_names *names, size_t per,
              struct prem_group **out, size_t *nout, struct fold_bounds *bounds)
{
    *out = NULL;
    *nout = 0;
    if (n)
        qsort(rows, n, sizeof(*rows), prem_row_order);
    if (make_bounds(n ? &rows[0].premise_id : NULL, sizeof(*rows), n, per, bounds) != 0)
        return -1;
    /* One counter per status and white spot, by status index. */
    long long *counts = calloc(2 * (names->n ? names->n : 1), sizeof(*counts));
    if (!counts) {
        fold_bounds_free(bounds);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct prem_hist_row *r = &rows[i];
        if (i + 1 < n && rows[i + 1].premise_id == r->premise_id)
            continue; /* not the last row of its premise */
        if (!r->deleted)
            counts[2 * (size_t)r->status + (r->white_spot != 0)]++;
    }
    struct prem_group *g = malloc(sizeof(*g) * 2 * (names->n ? names->n : 1));
    if (!g) {
        free(counts);
        fold_bounds_free(bounds);
        return -1;
    }
    size_t k = 0;
    for (size_t s = 0; s < names->n; s++)
        for (int w = 0; w < 2; w++)
            if (counts[2 * s + (size_t)w])
                g[k++] = (struct prem_group){names->s[s], w, counts[2 * s + (size_t)w]};
    free(counts);
    *out = g;
    *nout = k;
    return 0;
}
