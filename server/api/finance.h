/* finance.h — the funding side of a project: the budget plan
 * (Finanzierungsplan), the drawdowns requested from the funding agencies
 * (Mittelabrufe) and the manager's narrative per period (Sachbericht). */
#ifndef FT_FINANCE_H
#define FT_FINANCE_H

#include "api/resource.h"

extern const struct resource budget_lines_resource;
extern const struct resource drawdowns_resource;
extern const struct resource report_notes_resource;

/* A drawdown can be changed or deleted only while it is a draft: these wrap
 * resource_update and resource_delete with that rule (409 otherwise). */
int drawdowns_update(struct req *r);
int drawdowns_delete(struct req *r);
/* POST /drawdowns/:id/submit: freezes a draft and sets requested_at. */
int drawdowns_submit(struct req *r);
/* POST /drawdowns/:id/receive {received_at, federal_received_cents,
 * state_received_cents}: records the agencies' payment of a submitted one. */
int drawdowns_receive(struct req *r);
/* The body receive takes, for the handler and the OpenAPI document. */
extern const struct field drawdown_receipt_fields[];
extern const size_t drawdown_nreceipt_fields;

#endif
