/* acceptance.h — the acceptance of a segment (Abnahme): the project
 * manager's record that the built and tested segment is taken over. */
#ifndef FT_ACCEPTANCE_H
#define FT_ACCEPTANCE_H

#include "http/request.h"

/* POST /segments/:id/accept {accepted_on?, note?}: a tested segment
 * becomes accepted, with the day, who accepted it and the protocol note. */
int segments_accept(struct req *r);

#endif
