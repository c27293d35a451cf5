/* invoice_import.h — POST /projects/:id/invoices/import: an invoice list
 * from CSV, all or nothing, with ?dry_run=true to check it first. */
#ifndef FT_INVOICE_IMPORT_H
#define FT_INVOICE_IMPORT_H

#include "http/request.h"

/* The prepare step (on a file worker): reads the CSV, so that no database
 * worker waits for a large list to be parsed. */
int invoices_import_prepare(struct req *r);
int invoices_import(struct req *r);

#endif
