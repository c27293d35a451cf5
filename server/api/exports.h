/* exports.h — downloads that gather a project's evidence. */
#ifndef FT_EXPORTS_H
#define FT_EXPORTS_H

#include "http/request.h"

/* GET /projects/:id/exports/photos.zip?from&to&lang: the Fotodokumentation. */
int exports_photos(struct req *r);

#endif
