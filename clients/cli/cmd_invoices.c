/* cmd_invoices.c — `invoices`: list (with totals), show, add, edit,
 * delete and the CSV import of an invoice list (SPEC 12).
 *
 * Amounts are typed and shown in euros (money.h) and sent in cents. An
 * invoice is named by its number, as on the paper, or by its id; numbers
 * are unique per contractor only, so a number two contractors use needs
 * the id (the answer says so).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "args.h"
#include "codes.h"
#include "finance.h"
#include "fsutil.h"
#include "money.h"
#include "output.h"
#include "queue.h"

#define MAX_CSV (8L * 1024 * 1024) /* the server's limit for an invoice list */

static const char *const invoice_statuses[] = {"received", "approved", "paid", NULL};

static const char invoices_help[] =
    "Usage: fibertrack invoices [list] [--project CODE] [--lot CODE] [--contractor NAME]\n"
    "                           [--category C] [--status S] [--from DATE] [--to DATE]\n"
    "                           [--search TEXT]\n"
    "       fibertrack invoices show NUMBER|ID\n"
    "       fibertrack invoices add --number N --date DATE --category C --net EUR\n"
    "                           [--vat EUR] [--eligible EUR] [--lot CODE] [--contractor NAME]\n"
    "                           [--status S] [--paid-date DATE]\n"
    "       fibertrack invoices edit NUMBER|ID FIELDS...\n"
    "       fibertrack invoices delete NUMBER|ID\n"
    "       fibertrack invoices import FILE.csv [--dry-run]\n"
    "\n"
    "list    the invoices of the project (--project, or all you see), oldest first, with\n"
    "        contractor, lot, net, VAT and eligible amounts, status and paid date, and a\n"
    "        totals row.\n"
    "  --lot CODE          only this lot (LOS-1, or its id)\n"
    "  --contractor NAME   only this contractor: its name (or the start of it) or id\n"
    "  --category C        civil_works, cabling, splicing, planning, materials or other\n"
    "  --status S          received, approved or paid\n"
    "  --from, --to DATE   only invoices dated in this period (both days included)\n"
    "  --search TEXT       invoice numbers containing TEXT\n"
    "show    one invoice with all its fields.\n"
    "add     records an invoice (finance and admins) in the project (--project, or the\n"
    "        only one you see):\n"
    "  --number N          the invoice number, as on the invoice\n"
    "  --date DATE         the invoice date\n"
    "  --category C        what it is for (see list)\n"
    "  --net EUR           the net amount\n"
    "  --vat EUR           the VAT (default 0)\n"
    "  --eligible EUR      the eligible (foerderfaehig) part of the net amount; default 0:\n"
    "                      nothing of it is claimed from the grant\n"
    "  --lot CODE          the lot (Baulos) it belongs to\n"
    "  --contractor NAME   who sent it; default: the contractor of --lot\n"
    "  --status S          received (default), approved or paid\n"
    "  --paid-date DATE    the day it was paid (needed, and only allowed, with paid)\n"
    "edit    changes the fields given (the options of add; --lot none and --paid-date\n"
    "        none clear them). It sends the version it has just read (If-Match), so a\n"
    "        change made by someone else meanwhile is refused (exit 5), not overwritten.\n"
    "delete  removes an invoice (the audit log keeps it).\n"
    "import  reads an invoice list from CSV (the file as a spreadsheet saves it: ';' or\n"
    "        ',' separated, UTF-8). The header names the columns: number, invoice_date,\n"
    "        category, net, vat, eligible, status, paid_date, lot_code, contractor (a name\n"
    "        or VAT id), or their German names (Rechnungsnummer, Netto, Los, ...). An\n"
    "        invoice is matched by contractor and number: created, updated or left\n"
    "        unchanged. All or nothing: if any line is wrong, nothing is imported and\n"
    "        every bad line is listed (exit 4).\n"
    "  --dry-run           only check the file and tell what would happen\n"
    "\n"
    "  NUMBER|ID: the invoice number (within --project, when given); digits that are no\n"
    "  invoice's number are taken as its id. Amounts in euros as you write them:\n"
    "  1.234,56 or 1234,56 or 1,234.56; an amount such as 1.234 is refused as ambiguous\n"
    "  (write 1234 or 1.234,00). Dates as 2026-11-25 or 25.11.2026. Tables show\n"
    "  amounts the German way (1.234,56) when LC_ALL, LC_NUMERIC or LANG is German.\n"
    "\n"
    "EXAMPLES\n"
    "  fibertrack invoices --lot LOS-1 --from 01.07.2026 --to 30.09.2026\n"
    "  fibertrack invoices add --number TN-2026-0901 --date 25.11.2026 --category civil_works \\\n"
    "      --net 12.500,00 --vat 2.375,00 --eligible 12.500,00 --lot LOS-1\n"
    "  fibertrack invoices edit TN-2026-0901 --status paid --paid-date 10.12.2026\n"
    "  fibertrack invoices import rechnungen.csv --dry-run\n"
    "  fibertrack invoices list --status approved --json | jq 'map(.net_cents) | add'\n"
    "\n";

/* The fields of an invoice, for show and after a change. */
static const struct fin_col invoice_fields[] = {
    {"id", "id", FIN_NUM},
    {"number", "number", FIN_TEXT},
    {"date", "invoice_date", FIN_TEXT},
    {"contractor", "contractor_name", FIN_TEXT},
    {"lot", "lot_code", FIN_TEXT},
    {"category", "category", FIN_TEXT},
    {"net", "net_cents", FIN_EUR1},
    {"VAT", "vat_cents", FIN_EUR1},
    {"eligible", "eligible_cents", FIN_EUR1},
    {"status", "status", FIN_TEXT},
    {"paid", "paid_date", FIN_TEXT},
    {"version", "version", FIN_NUM},
    {"updated", "updated_at", FIN_TEXT},
};

static const struct fin_col invoice_cols[] = {
    {"NUMBER", "number", FIN_TEXT},
    {"DATE", "invoice_date", FIN_TEXT},
    {"CONTRACTOR", "contractor_name", FIN_TEXT},
    {"LOT", "lot_code", FIN_TEXT},
    {"CATEGORY", "category", FIN_TEXT},
    {"NET EUR", "net_cents", FIN_EUR},
    {"VAT EUR", "vat_cents", FIN_EUR},
    {"ELIGIBLE EUR", "eligible_cents", FIN_EUR},
    {"STATUS", "status", FIN_TEXT},
    {"PAID", "paid_date", FIN_TEXT},
};

#define NCOLS(c) ((int)(sizeof(c) / sizeof((c)[0])))

/* Adds the contractor's name and the lot's code for people to read. */
static void annotate(struct api *a, cJSON *items)
{
    codes_annotate(a, CODE_CONTRACTOR, items, "contractor_id", "contractor_name");
    codes_annotate(a, CODE_LOT, items, "lot_id", "lot_code");
}

static void print_invoice(struct api *a, cJSON *inv)
{
    if (!g_cli.json) {
        cJSON *one = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(one, inv);
        annotate(a, one);
        cJSON_Delete(one);
    }
    fin_print(inv, invoice_fields, NCOLS(invoice_fields));
}

/* The project of --project, when given (0 otherwise). */
static int given_project(struct api *a, long long *pid)
{
    *pid = 0;
    return g_cli.project ? api_project(a, pid) : EXIT_OK;
}

/* ---- list ---- */

static int by_date(const cJSON *x, const cJSON *y)
{
    int c = strcmp(fin_str(x, "invoice_date"), fin_str(y, "invoice_date"));
    return c ? c : strcmp(fin_str(x, "number"), fin_str(y, "number"));
}

static int invoices_list(int argc, char **argv)
{
    enum { O_LOT = OPT_FIRST_COMMAND, O_CONTRACTOR, O_CATEGORY, O_STATUS, O_FROM, O_TO, O_SEARCH };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"lot", required_argument, NULL, O_LOT},
                                         {"contractor", required_argument, NULL, O_CONTRACTOR},
                                         {"category", required_argument, NULL, O_CATEGORY},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"from", required_argument, NULL, O_FROM},
                                         {"to", required_argument, NULL, O_TO},
                                         {"search", required_argument, NULL, O_SEARCH},
                                         {NULL, 0, NULL, 0}};
    struct fin_query q = {0};
    const char *lot = NULL, *contractor = NULL;
    char from[11] = "", to[11] = "";
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "invoices")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, invoices_help);
        case O_LOT:
            lot = optarg;
            break;
        case O_CONTRACTOR:
            contractor = optarg;
            break;
        case O_CATEGORY:
            if (fin_word("invoices", "category", optarg, fin_categories) != 0)
                return EXIT_USAGE;
            fin_q_add(&q, "category", optarg);
            break;
        case O_STATUS:
            if (fin_word("invoices", "status", optarg, invoice_statuses) != 0)
                return EXIT_USAGE;
            fin_q_add(&q, "status", optarg);
            break;
        case O_FROM:
            if (fin_date("invoices", "--from", optarg, from) != 0)
                return EXIT_USAGE;
            break;
        case O_TO:
            if (fin_date("invoices", "--to", optarg, to) != 0)
                return EXIT_USAGE;
            break;
        case O_SEARCH:
            fin_q_add(&q, "q", optarg);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind < argc && strcmp(argv[optind], "list") == 0)
        optind++;
    if (optind < argc)
        return args_usage("invoices", "unexpected argument '%s'", argv[optind]);
    if (from[0] && to[0] && strcmp(from, to) > 0)
        return args_usage("invoices", "--from %s is after --to %s", from, to);
    struct api a;
    int rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    long long pid, id;
    rc = given_project(&a, &pid);
    if (rc != EXIT_OK)
        return rc;
    if (pid)
        fin_q_id(&q, "project_id", pid);
    if (lot) {
        rc = codes_resolve(&a, CODE_LOT, lot, pid, "--lot", 0, &id);
        if (rc != EXIT_OK)
            return rc;
        fin_q_id(&q, "lot_id", id);
    }
    if (contractor) {
        rc = codes_resolve(&a, CODE_CONTRACTOR, contractor, 0, "--contractor", 0, &id);
        if (rc != EXIT_OK)
            return rc;
        fin_q_id(&q, "contractor_id", id);
    }
    if (q.overflow)
        return args_usage("invoices", "the filters are too long");
    char path[2200];
    snprintf(path, sizeof(path), "/invoices%s", q.buf);
    cJSON *items;
    rc = api_list(&a, path, 0, &items, "listing invoices");
    if (rc != EXIT_OK)
        return rc;
    /* The period is the invoice date's, which the server does not filter. */
    for (int i = cJSON_GetArraySize(items) - 1; i >= 0; i--) {
        const char *d = fin_str(cJSON_GetArrayItem(items, i), "invoice_date");
        if ((from[0] && strcmp(d, from) < 0) || (to[0] && strcmp(d, to) > 0))
            cJSON_DeleteItemFromArray(items, i);
    }
    fin_sort(items, by_date);
    if (!g_cli.json)
        annotate(&a, items);
    char label[64];
    int n = cJSON_GetArraySize(items);
    snprintf(label, sizeof(label), "total (%d)", n);
    fin_table(items, invoice_cols, NCOLS(invoice_cols), label, "No invoices.");
    cJSON_Delete(items);
    return EXIT_OK;
}

/* ---- finding one ---- */

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The invoice named by text (see the help) into *id. Returns an exit
 * code, with the message printed. */
static int find_invoice(struct api *a, const char *text, long long *id)
{
    long long pid;
    int rc = given_project(a, &pid);
    if (rc != EXIT_OK)
        return rc;
    struct fin_query q = {0};
    fin_q_add(&q, "number", text);
    if (pid)
        fin_q_id(&q, "project_id", pid);
    if (q.overflow)
        return args_usage("invoices", "the invoice number is too long");
    char path[2200];
    snprintf(path, sizeof(path), "/invoices%s", q.buf);
    cJSON *items;
    char what[128];
    snprintf(what, sizeof(what), "looking up invoice %.60s", text);
    rc = api_list(a, path, 0, &items, what);
    if (rc != EXIT_OK)
        return rc;
    int n = cJSON_GetArraySize(items);
    if (n == 1) {
        *id = fin_num(cJSON_GetArrayItem(items, 0), "id");
        cJSON_Delete(items);
        return EXIT_OK;
    }
    if (n > 1) {
        annotate(a, items);
        fflush(stdout);
        fprintf(stderr, "error: several invoices have the number %s:\n", text);
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            fprintf(stderr, "  id %lld, of %s, dated %s\n", fin_num(it, "id"),
                    fin_str(it, "contractor_name"), fin_str(it, "invoice_date"));
        }
        fprintf(stderr, "  Give the id instead of the number.\n");
        cJSON_Delete(items);
        return EXIT_USAGE;
    }
    cJSON_Delete(items);
    if (all_digits(text) && args_id(text, id) == 0)
        return EXIT_OK;
    /* Close numbers, as a "did you mean". */
    if (pid)
        snprintf(path, sizeof(path), "/invoices?fields=id,number&project_id=%lld", pid);
    else
        snprintf(path, sizeof(path), "/invoices?fields=id,number");
    char sugg[300] = "";
    if (api_list_quiet(a, path, 0, &items) == EXIT_OK) {
        const char *best[3] = {NULL, NULL, NULL};
        size_t bd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            const char *num = fin_str(it, "number");
            size_t d = args_distance(text, num);
            if (!args_close(strlen(text), d))
                continue;
            for (int i = 0; i < 3; i++) {
                if (d < bd[i]) {
                    for (int j = 2; j > i; j--) {
                        best[j] = best[j - 1];
                        bd[j] = bd[j - 1];
                    }
                    best[i] = num;
                    bd[i] = d;
                    break;
                }
            }
        }
        size_t k = 0;
        for (int i = 0; i < 3 && best[i]; i++) {
            int w = snprintf(sugg + k, sizeof(sugg) - k, "%s%s", i ? ", " : "", best[i]);
            if (w < 0 || (size_t)w >= sizeof(sugg) - k)
                break;
            k += (size_t)w;
        }
        cJSON_Delete(items);
    }
    if (sugg[0])
        out_error("there is no invoice with the number %s%s (did you mean %s?)", text,
                  pid ? " in this project" : "", sugg);
    else
        out_error("there is no invoice with the number %s%s (see: fibertrack invoices)", text,
                  pid ? " in this project" : "");
    return EXIT_NOT_FOUND;
}

/* ---- show, delete ---- */

/* The one NUMBER|ID argument of show, edit and delete. */
static int invoice_arg(struct api *a, int argc, char **argv, const char *sub, long long *id)
{
    if (optind >= argc)
        return args_usage("invoices", "invoices %s needs an invoice number (or id)", sub);
    if (optind + 1 < argc)
        return args_usage("invoices", "unexpected argument '%s'", argv[optind + 1]);
    return find_invoice(a, argv[optind], id);
}

static int invoices_show(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "invoices", invoices_help);
    if (rc != ARGS_GO_ON)
        return rc;
    if (optind >= argc)
        return args_usage("invoices", "invoices show needs an invoice number (or id)");
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    long long id;
    rc = invoice_arg(&a, argc, argv, "show", &id);
    if (rc != EXIT_OK)
        return rc;
    char path[64];
    snprintf(path, sizeof(path), "/invoices/%lld", id);
    cJSON *inv;
    rc = api_get_json(&a, path, &inv, NULL, "reading the invoice");
    if (rc != EXIT_OK)
        return rc;
    print_invoice(&a, inv);
    cJSON_Delete(inv);
    return EXIT_OK;
}

static int invoices_delete(int argc, char **argv)
{
    int rc = args_only_global(argc, argv, "invoices", invoices_help);
    if (rc != ARGS_GO_ON)
        return rc;
    if (optind >= argc)
        return args_usage("invoices", "invoices delete needs an invoice number (or id)");
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        return rc;
    long long id;
    rc = invoice_arg(&a, argc, argv, "delete", &id);
    if (rc != EXIT_OK)
        return rc;
    char path[64];
    snprintf(path, sizeof(path), "/invoices/%lld", id);
    rc = fin_delete(&a, path, "deleting the invoice");
    if (rc != EXIT_OK)
        return rc;
    if (g_cli.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "deleted", (double)id);
        out_json(j);
        cJSON_Delete(j);
    } else {
        out_say("Invoice %s (id %lld) deleted.", argv[optind], id);
    }
    return EXIT_OK;
}

/* ---- add, edit ---- */

/* What add and edit were told; strings point into argv. */
struct invoice_args {
    cJSON *body;
    const char *lot, *contractor;
};

/* Parses the field options of add (editing 0) or edit into ia. Returns
 * ARGS_GO_ON, or the exit code to end with. */
static int invoice_options(int argc, char **argv, int editing, struct invoice_args *ia)
{
    enum {
        O_NUMBER = OPT_FIRST_COMMAND,
        O_DATE,
        O_CATEGORY,
        O_NET,
        O_VAT,
        O_ELIGIBLE,
        O_LOT,
        O_CONTRACTOR,
        O_STATUS,
        O_PAID
    };
    static const struct option opts[] = {GLOBAL_LONG_OPTIONS,
                                         {"number", required_argument, NULL, O_NUMBER},
                                         {"date", required_argument, NULL, O_DATE},
                                         {"category", required_argument, NULL, O_CATEGORY},
                                         {"net", required_argument, NULL, O_NET},
                                         {"vat", required_argument, NULL, O_VAT},
                                         {"eligible", required_argument, NULL, O_ELIGIBLE},
                                         {"lot", required_argument, NULL, O_LOT},
                                         {"contractor", required_argument, NULL, O_CONTRACTOR},
                                         {"status", required_argument, NULL, O_STATUS},
                                         {"paid-date", required_argument, NULL, O_PAID},
                                         {NULL, 0, NULL, 0}};
    static const char *const money_fields[] = {"net_cents", "vat_cents", "eligible_cents"};
    static const char *const money_opts[] = {"--net", "--vat", "--eligible"};
    cJSON *b = ia->body;
    long long cents;
    char iso[11];
    int c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "invoices")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, invoices_help);
        case O_NUMBER:
            if (!*optarg)
                return args_usage("invoices", "--number needs the invoice number");
            cJSON_DeleteItemFromObjectCaseSensitive(b, "number");
            cJSON_AddStringToObject(b, "number", optarg);
            break;
        case O_DATE:
            if (fin_date("invoices", "--date", optarg, iso) != 0)
                return EXIT_USAGE;
            cJSON_DeleteItemFromObjectCaseSensitive(b, "invoice_date");
            cJSON_AddStringToObject(b, "invoice_date", iso);
            break;
        case O_CATEGORY:
            if (fin_word("invoices", "category", optarg, fin_categories) != 0)
                return EXIT_USAGE;
            cJSON_DeleteItemFromObjectCaseSensitive(b, "category");
            cJSON_AddStringToObject(b, "category", optarg);
            break;
        case O_NET:
        case O_VAT:
        case O_ELIGIBLE:
            if (fin_amount("invoices", money_opts[c - O_NET], optarg, &cents) != 0)
                return EXIT_USAGE;
            cJSON_DeleteItemFromObjectCaseSensitive(b, money_fields[c - O_NET]);
            cJSON_AddNumberToObject(b, money_fields[c - O_NET], (double)cents);
            break;
        case O_LOT:
            ia->lot = optarg;
            break;
        case O_CONTRACTOR:
            ia->contractor = optarg;
            break;
        case O_STATUS:
            if (fin_word("invoices", "status", optarg, invoice_statuses) != 0)
                return EXIT_USAGE;
            cJSON_DeleteItemFromObjectCaseSensitive(b, "status");
            cJSON_AddStringToObject(b, "status", optarg);
            break;
        case O_PAID:
            cJSON_DeleteItemFromObjectCaseSensitive(b, "paid_date");
            if (editing && (strcmp(optarg, "none") == 0 || !*optarg)) {
                cJSON_AddNullToObject(b, "paid_date");
                break;
            }
            if (fin_date("invoices", "--paid-date", optarg, iso) != 0)
                return EXIT_USAGE;
            cJSON_AddStringToObject(b, "paid_date", iso);
            break;
        default:
            return EXIT_USAGE;
        }
    }
    return ARGS_GO_ON;
}

/* Resolves --lot and --contractor of ia into the body, for project pid;
 * when adding without --contractor, the lot's contractor. Returns an exit
 * code. */
static int resolve_parties(struct api *a, struct invoice_args *ia, long long pid, int editing)
{
    long long lot = 0, contractor = 0;
    int rc;
    if (ia->lot && editing && (strcmp(ia->lot, "none") == 0 || !*ia->lot)) {
        cJSON_AddNullToObject(ia->body, "lot_id");
    } else if (ia->lot) {
        rc = codes_resolve(a, CODE_LOT, ia->lot, pid, "--lot", 0, &lot);
        if (rc != EXIT_OK)
            return rc;
        cJSON_AddNumberToObject(ia->body, "lot_id", (double)lot);
    }
    if (ia->contractor) {
        rc = codes_resolve(a, CODE_CONTRACTOR, ia->contractor, 0, "--contractor", 0, &contractor);
        if (rc != EXIT_OK)
            return rc;
    } else if (lot && !editing) {
        /* An invoice for a lot comes from the lot's contractor. */
        char path[64];
        cJSON *l;
        snprintf(path, sizeof(path), "/lots/%lld", lot);
        rc = api_get_json(a, path, &l, NULL, "reading the lot");
        if (rc != EXIT_OK)
            return rc;
        contractor = fin_num(l, "contractor_id");
        cJSON_Delete(l);
        if (!contractor)
            return args_usage("invoices",
                              "lot %s has no contractor: name the invoice's with "
                              "--contractor",
                              ia->lot);
    }
    if (contractor)
        cJSON_AddNumberToObject(ia->body, "contractor_id", (double)contractor);
    return EXIT_OK;
}

static int invoices_add(int argc, char **argv)
{
    struct invoice_args ia = {.body = cJSON_CreateObject()};
    int rc = invoice_options(argc, argv, 0, &ia);
    if (rc != ARGS_GO_ON)
        goto out;
    rc = EXIT_USAGE;
    if (optind < argc) {
        args_usage("invoices", "unexpected argument '%s' (the number goes in --number)",
                   argv[optind]);
        goto out;
    }
    static const char *const need[][2] = {{"number", "--number"},
                                          {"invoice_date", "--date"},
                                          {"category", "--category"},
                                          {"net_cents", "--net"}};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        if (!cJSON_GetObjectItemCaseSensitive(ia.body, need[i][0])) {
            args_usage("invoices", "invoices add needs %s", need[i][1]);
            goto out;
        }
    }
    if (!ia.lot && !ia.contractor) {
        args_usage("invoices", "name who sent the invoice: --contractor NAME, or --lot CODE for "
                               "the lot's contractor");
        goto out;
    }
    struct api a;
    long long pid;
    rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK)
        goto out;
    cJSON_AddNumberToObject(ia.body, "project_id", (double)pid);
    rc = resolve_parties(&a, &ia, pid, 0);
    if (rc != EXIT_OK)
        goto out;
    cJSON *inv;
    rc = fin_send(&a, "POST", "/invoices", ia.body, NULL, &inv, "recording the invoice");
    if (rc == EXIT_CONFLICT)
        fprintf(stderr,
                "  Invoice numbers are unique per contractor: see `fibertrack invoices "
                "show %s`, and change it with `invoices edit`.\n",
                fin_str(ia.body, "number"));
    if (rc != EXIT_OK)
        goto out;
    if (!g_cli.json) {
        char n[32], v[32], e[32];
        out_say("Invoice %s recorded (id %lld): net %s EUR, VAT %s EUR, eligible %s EUR, %s.",
                fin_str(inv, "number"), fin_num(inv, "id"),
                money_format(fin_num(inv, "net_cents"), n, sizeof(n)),
                money_format(fin_num(inv, "vat_cents"), v, sizeof(v)),
                money_format(fin_num(inv, "eligible_cents"), e, sizeof(e)), fin_str(inv, "status"));
    } else {
        out_json(inv);
    }
    cJSON_Delete(inv);
out:
    cJSON_Delete(ia.body);
    return rc;
}

static int invoices_edit(int argc, char **argv)
{
    struct invoice_args ia = {.body = cJSON_CreateObject()};
    int rc = invoice_options(argc, argv, 1, &ia);
    if (rc != ARGS_GO_ON)
        goto out;
    rc = EXIT_USAGE;
    if (optind >= argc) {
        args_usage("invoices", "invoices edit needs an invoice number (or id)");
        goto out;
    }
    if (cJSON_GetArraySize(ia.body) == 0 && !ia.lot && !ia.contractor) {
        args_usage("invoices", "nothing to change: give at least one field (e.g. --status paid "
                               "--paid-date 10.12.2026)");
        goto out;
    }
    struct api a;
    rc = api_open(&a, 1);
    if (rc != EXIT_OK)
        goto out;
    long long id;
    rc = invoice_arg(&a, argc, argv, "edit", &id);
    if (rc != EXIT_OK)
        goto out;
    char path[64];
    snprintf(path, sizeof(path), "/invoices/%lld", id);
    long long pid = 0;
    if (ia.lot) {
        /* A lot code is looked up in the invoice's own project. */
        cJSON *cur;
        rc = api_get_json(&a, path, &cur, NULL, "reading the invoice");
        if (rc != EXIT_OK)
            goto out;
        pid = fin_num(cur, "project_id");
        cJSON_Delete(cur);
    }
    rc = resolve_parties(&a, &ia, pid, 1);
    if (rc != EXIT_OK)
        goto out;
    cJSON *inv;
    int changed;
    rc = fin_patch(&a, path, ia.body, &inv, &changed, "changing the invoice");
    if (rc != EXIT_OK)
        goto out;
    if (!g_cli.json) {
        if (changed)
            out_say("Invoice %s changed (now version %lld).", fin_str(inv, "number"),
                    fin_num(inv, "version"));
        else
            out_say("Invoice %s has these values already; nothing changed.",
                    fin_str(inv, "number"));
    }
    print_invoice(&a, inv);
    cJSON_Delete(inv);
out:
    cJSON_Delete(ia.body);
    return rc;
}

/* ---- import ---- */

static void print_import(const cJSON *j)
{
    if (g_cli.json) {
        out_json(j);
        return;
    }
    int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "dry_run"));
    static const char *const hdr[] = {"LINE", "NUMBER", "OUTCOME", "ID"};
    static const int right[] = {1, 0, 0, 1};
    struct table *t = table_new(4, hdr, right);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "results"))
    {
        char line[32], id[32];
        const char *outcome = fin_str(r, "outcome");
        char would[32];
        if (dry) {
            snprintf(would, sizeof(would), "would be %s", outcome);
            outcome = would;
        }
        const char *cells[4] = {cell_text(cJSON_GetObjectItemCaseSensitive(r, "line"), line, 32),
                                fin_str(r, "number"), outcome,
                                cell_text(cJSON_GetObjectItemCaseSensitive(r, "id"), id, 32)};
        table_add(t, cells);
    }
    table_print(t, stdout);
    table_free(t);
    long long lines = fin_num(j, "lines"), created = fin_num(j, "created"),
              updated = fin_num(j, "updated"), unchanged = fin_num(j, "unchanged");
    if (dry)
        out_say("Dry run: the file is valid; %lld invoice%s would be created, %lld updated, %lld "
                "left unchanged. Nothing was changed.",
                created, created == 1 ? "" : "s", updated, unchanged);
    else
        out_say("Imported %lld line%s: %lld created, %lld updated, %lld unchanged.", lines,
                lines == 1 ? "" : "s", created, updated, unchanged);
}

/* Every bad line of a 422, as "line 5, net: ...". */
static void print_import_errors(const struct http_response *res, const char *file)
{
    cJSON *p = cJSON_ParseWithLength(res->body, res->len);
    fflush(stdout);
    fprintf(stderr, "error: %s was not imported: %s\n", file,
            *fin_str(p, "detail") ? fin_str(p, "detail") : "the file is not valid");
    const cJSON *e;
    int shown = 0, n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "errors"));
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "errors"))
    {
        if (!g_cli.verbose && shown >= 100) {
            fprintf(stderr, "  ... and %d more (all of them with --verbose or --json)\n",
                    n - shown);
            break;
        }
        const char *field = fin_str(e, "field"), *detail = fin_str(e, "detail");
        if (strcmp(detail, fin_str(p, "detail")) == 0)
            continue; /* the file as a whole, told already */
        if (!*detail)
            detail = "is not valid";
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "line")))
            fprintf(stderr, "  line %lld%s%s: %s\n", fin_num(e, "line"), *field ? ", " : "", field,
                    detail);
        else if (*field)
            fprintf(stderr, "  column %s: %s\n", field, detail);
        else
            fprintf(stderr, "  %s\n", detail);
        shown++;
    }
    fprintf(stderr, "Nothing was imported. Fix the file and import it again.\n");
    if (g_cli.json && p)
        out_json(p);
    cJSON_Delete(p);
}

static int invoices_import(int argc, char **argv)
{
    enum { O_DRY = OPT_FIRST_COMMAND };
    static const struct option opts[] = {
        GLOBAL_LONG_OPTIONS, {"dry-run", no_argument, NULL, O_DRY}, {NULL, 0, NULL, 0}};
    int dry = 0, c;
    while ((c = args_next(argc, argv, GLOBAL_SHORT_OPTIONS, opts, "invoices")) != -1) {
        switch (c) {
        case 'h':
            return args_help(stdout, invoices_help);
        case O_DRY:
            dry = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc)
        return args_usage("invoices", "invoices import needs one CSV file");
    const char *file = argv[optind];
    size_t len;
    char *data = fs_read_file(file, (size_t)MAX_CSV, &len);
    if (!data) {
        int err = errno;
        if (err == EFBIG)
            out_error("%s is larger than the server accepts (8 MB); split the list", file);
        else
            out_error("cannot read %s: %s", file, strerror(err));
        return err == ENOENT ? EXIT_NOT_FOUND : EXIT_OTHER;
    }
    if (len == 0) {
        out_error("%s is empty", file);
        free(data);
        return EXIT_INVALID;
    }
    struct api a;
    long long pid;
    int rc = api_open_project(&a, &pid);
    if (rc != EXIT_OK) {
        free(data);
        return rc;
    }
    char url[2048], key[64];
    if (api_url(&a, url, sizeof(url), "/projects/%lld/invoices/import%s", pid,
                dry ? "?dry_run=true" : "") != 0 ||
        queue_new_key(key) != 0) {
        free(data);
        out_error("cannot prepare the request");
        return EXIT_OTHER;
    }
    struct http_request req;
    struct http_response res;
    api_request(&a, &req, "POST", url, data, len);
    req.content_type = "text/csv; charset=utf-8";
    /* A retry after a lost answer must not import twice. */
    req.idempotency_key = key;
    req.retry_inflight_409 = 1;
    req.progress_label = "Uploading the invoice list";
    if (http_send(&req, &res) != 0) {
        rc = api_no_answer(&a, &res, "importing the invoices");
    } else if (res.status >= 200 && res.status < 300) {
        cJSON *j = api_parse(&res, "importing the invoices");
        rc = j ? EXIT_OK : EXIT_OTHER;
        if (j)
            print_import(j);
        cJSON_Delete(j);
    } else if (res.status == 422) {
        print_import_errors(&res, file);
        rc = EXIT_INVALID;
    } else {
        rc = out_problem(res.status, res.body, res.len, "importing the invoices");
    }
    http_response_free(&res);
    free(data);
    return rc;
}

int cmd_invoices(int argc, char **argv)
{
    static const char *const subs[] = {"list", "show", "add", "edit", "delete", "import", NULL};
    static int (*const runs[])(int, char **) = {invoices_list, invoices_show,   invoices_add,
                                                invoices_edit, invoices_delete, invoices_import};
    const char *sub = argc >= 2 ? argv[1] : "list";
    for (size_t i = 0; subs[i]; i++)
        if (strcmp(sub, subs[i]) == 0)
            return runs[i](argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0)
        return args_help(stdout, invoices_help);
    if (sub[0] != '-')
        return args_unknown_word("invoices", "invoices command", sub, subs);
    return invoices_list(argc, argv);
}
