/* webapp.h — serving the web dashboard (clients/web) at /. The files are
 * read once at start and served from memory on the event loop. */
#ifndef FT_WEBAPP_H
#define FT_WEBAPP_H

#include "http/request.h"

/* Loads every regular file directly in dir. Returns the number loaded, or
 * -1 when dir cannot be read (the dashboard is then simply absent). */
int webapp_load(const char *dir);
void webapp_free(void);
/* Finds the dashboard directory: FT_WEB_DIR, else ../clients/web next to
 * the executable, else ./clients/web. */
void webapp_dir(char *out, unsigned size);

int webapp_index(struct req *r); /* GET / */
int webapp_file(struct req *r);  /* GET /:file */

#endif
