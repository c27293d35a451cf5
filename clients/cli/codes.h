/* codes.h — codes where the API wants ids, online and offline.
 *
 * People know a segment as S-000082 and a lot as LOS-1, not as 82 and 1.
 * Every option that takes an id also takes the object's code (a
 * contractor's name), resolved by the server's `?code=` filter when it can
 * be reached and from a local cache when it cannot, so that a foreman
 * without a connection can still queue a report for S-000082.
 *
 * The cache is codes.json in the configuration directory (config.h), one
 * server's codes, written atomically like the queue (fsutil.h). Each kind
 * is an array of [code, id, project_id, parent] rows, where parent is the
 * lot of a segment and the contractor of a lot (0 otherwise). It is filled
 * by every online call that lists or reads such objects, and by `login` and
 * `sync`; a code the server says is gone leaves it.
 */
#ifndef FT_CLI_CODES_H
#define FT_CLI_CODES_H

#include <cJSON.h>
#include <stdio.h>

#include "api.h"

enum code_kind {
    CODE_PROJECT,
    CODE_CONTRACTOR, /* known by name: contractors have no code */
    CODE_LOT,
    CODE_NODE,
    CODE_SEGMENT,
    CODE_PREMISE,
    CODE_KINDS
};

/* "segment", "lot", ...: the kind as people and the completion script
 * name it. */
const char *codes_kind_name(enum code_kind k);

/* The kind named name ("segment", "segments"), or -1. */
int codes_kind_parse(const char *name);

/* Resolves text, an id or a code of kind k, to an id. Digits are an id and
 * are taken as they are. A code is asked of the server (one quiet attempt)
 * and remembered; without a connection the cache answers. project_id > 0
 * limits the search to that project (codes are unique per project only).
 * opt names the option in messages ("--segment"). Returns an exit code,
 * with the message printed: EXIT_NOT_FOUND for a code the server does not
 * know (with the close ones it does), EXIT_NETWORK for a code neither the
 * server nor the cache can tell, EXIT_USAGE for one that several projects
 * have. With prefer_cache the cache is asked first (for `--queue`). */
int codes_resolve(struct api *a, enum code_kind k, const char *text, long long project_id,
                  const char *opt, int prefer_cache, long long *id);

/* Remembers the code, id, project and parent of each object of items (a
 * JSON array the caller keeps). complete says that items is every object
 * of that kind the user can see, so that codes not in it are forgotten.
 * Failing to write the cache is only a warning with --verbose. */
void codes_learn(const struct api *a, enum code_kind k, const cJSON *items, int complete);

/* The code of object id of kind k from the cache, or NULL when it is not
 * there. The string lives until the next codes_* call that changes the
 * cache. */
const char *codes_code_of(const struct api *a, enum code_kind k, long long id);

/* Reads projects, contractors, lots and segments from the server into the
 * cache (quietly: a failure only leaves the cache as it was). Returns an
 * exit code. */
int codes_refresh(struct api *a);

/* Prints the cached codes of kind k of the remembered server, one a line
 * (for shell completion; never asks the server). */
void codes_print(enum code_kind k, FILE *f);

/* For tables: adds to each item of items the string out_field, the code
 * of the object of kind k whose id is in id_field. When the cache lacks
 * one, the whole kind is read quietly from the server first; an id still
 * unknown shows as "#id". */
void codes_annotate(struct api *a, enum code_kind k, cJSON *items, const char *id_field,
                    const char *out_field);

/* Up to three codes of kind k from the cache that are close to text (edit
 * distance, or containing it), best first, joined by ", " into buf. */
const char *codes_suggest(const struct api *a, enum code_kind k, const char *text, char *buf,
                          size_t n);

#endif
