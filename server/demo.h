/* demo.h — the demo project: a small town's white-spot rollout with two
 * contractors, three lots, a network of nodes, segments and premises, and
 * one user per role. Scalable for benchmarks. */
#ifndef FT_DEMO_H
#define FT_DEMO_H

struct db;

#define DEMO_PASSWORD "fibertrack-demo"

/* Loads the demo project when the database has no project yet; returns 1
 * when loaded, 0 when the database was not empty, -1 on error. */
int demo_load(struct db *db, long segments, int premises_per_segment);

/* Prints the URL and one demo login per role. */
void demo_print_logins(const char *url);

#endif
