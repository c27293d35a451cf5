/* invoice_import.h — POST /projects/:id/invoices/import: an invoice list
 * from CSV, all or nothing, with ?dry_run=true to check it first. */
#ifndef FT_INVOICE_IMPORT_H
#define FT_INVOICE_IMPORT_H

#include "http/request.h"

int invoices_import(struct req *r);

#endif
