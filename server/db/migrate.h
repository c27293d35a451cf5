/* migrate.h — numbered SQL migrations from schema/, recorded in the table
 * schema_migrations. */
#ifndef FT_MIGRATE_H
#define FT_MIGRATE_H

struct db;

/* The schema version this build of fibertrackd needs. */
#define SCHEMA_VERSION 11

/* Applies every schema/NNN_*.sql newer than the database, in order.
 * Returns 0, or -1 after printing what failed. Serialised between
 * processes with a named lock, so instances may start together. */
int migrate_apply(struct db *db, const char *schema_dir);

/* The version the database is at (0 for an empty one), or -1 on error. */
int migrate_current(struct db *db);

/* Finds the schema directory: FT_SCHEMA_DIR, else ../schema next to the
 * executable, else ./schema. */
void migrate_schema_dir(char *out, unsigned size);

#endif
