/* webapp.h — serving the web dashboard (clients/web) at /. The files are
 * read once at start and served from memory on the event loop. */
#ifndef FT_WEBAPP_H
#define FT_WEBAPP_H

#include <stddef.h>

#include "http/request.h"

/* Loads every regular file directly in dir. Returns the number loaded, -1
 * when dir cannot be read (the dashboard is then simply absent), or -2 when
 * it holds more files than the table has room for. */
int webapp_load(const char *dir);
void webapp_free(void);
/* Adds /config.json, what the dashboard needs to know of the server's
 * settings: {"map": {"tiles", "attribution"}} for an operator's base map
 * (a tile URL template with {z}, {x} and {y}), or {"map": null}; and
 * {"app": {"version", "files"}}, the files the service worker keeps for
 * offline use and a version that changes with any of them. Lets the page
 * load images from the tile server. After webapp_load. Returns 0, or -1
 * when tiles is not such a URL. */
int webapp_configure(const char *tiles, const char *attribution);
/* The origin (scheme://host[:port]) of a tile URL template; 0, or -1 when
 * it is not an http(s) template with {z}, {x} and {y}. */
int webapp_map_origin(const char *tiles, char *origin, size_t size);
/* Finds the dashboard directory: FT_WEB_DIR, else ../clients/web next to
 * the executable, else ./clients/web. */
void webapp_dir(char *out, unsigned size);

int webapp_index(struct req *r); /* GET / */
int webapp_file(struct req *r);  /* GET /:file */

#endif
