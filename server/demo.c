/* demo.c — generating the demo project with batched inserts. The data is
 * deterministic (a fixed pseudo-random sequence), so every demo database
 * looks the same. */
#include "demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "identity/credentials.h"
#include "util/pool.h"
#include "util/sbuf.h"

#define BATCH 400

static unsigned long long rng_state = 42;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static const struct {
    const char *email, *name, *role;
    int contractor; /* 1-based index into the demo contractors, 0 for none */
} demo_users[] = {
    {"admin@musterstadt.example", "Anna Admin", "admin", 0},
    {"manager@musterstadt.example", "Max Projektleiter", "manager", 0},
    {"finance@musterstadt.example", "Fiona Finanzen", "finance", 0},
    {"bauleitung@tiefbau-nord.example", "Tom Tiefbau", "contractor", 1},
    {"montage@glasfaser-sued.example", "Gina Glasfaser", "contractor", 2},
};

void demo_print_logins(const char *url)
{
    printf("\nfibertrack is running at %s\n\nDemo logins (password: %s):\n", url, DEMO_PASSWORD);
    for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
        printf("  %-10s  %s\n", demo_users[i].role, demo_users[i].email);
    printf("\n");
    fflush(stdout);
}

static int exec(struct db *db, struct pool *pool, const char *sql, struct db_param *p, size_t n,
                long long *id)
{
    struct db_rows *rows;
    enum db_rc rc = db_exec(db, pool, sql, p, n, &rows);
    if (rc != DB_OK) {
        fprintf(stderr, "demo: %s\n", db_error(db));
        return -1;
    }
    if (id)
        *id = (long long)rows->insert_id;
    return 0;
}

/* The ids of a project's rows of table, in the order they were inserted:
 * an auto-increment id is not first + k on a Galera cluster (each node
 * steps by auto_increment_increment) nor across separate INSERTs. Returns
 * a malloc'd array of n ids, or NULL. */
static long long *inserted_ids(struct db *db, const char *table, long long proj, long n)
{
    struct pool *pool = pool_new();
    struct db_param p[] = {DB_INTP(proj)};
    struct db_rows *rows;
    long long *ids = NULL;
    char *sql = pool_printf(pool, "SELECT id FROM %s WHERE project_id = ? ORDER BY id", table);
    if (db_exec(db, pool, sql, p, 1, &rows) == DB_OK && rows->nrows == (size_t)n &&
        (ids = malloc((size_t)(n ? n : 1) * sizeof(*ids))) != NULL)
        for (long k = 0; k < n; k++)
            ids[k] = atoll(db_cell(rows, (size_t)k, 0));
    if (!ids)
        fprintf(stderr, "demo: cannot read the ids of the new %s: %s\n", table, db_error(db));
    pool_free(pool);
    return ids;
}

/* A multi-row INSERT: head "INSERT INTO t (a, b) VALUES ", row "(?, ?)". */
static char *batch_sql(struct pool *pool, const char *head, const char *row, int rows)
{
    struct sbuf b;
    sbuf_init(&b, pool);
    sbuf_add(&b, head);
    for (int i = 0; i < rows; i++) {
        if (i)
            sbuf_add(&b, ", ");
        sbuf_add(&b, row);
    }
    return b.s;
}

/* Coordinates are stored to seven decimals, as the API stores them. */
static double round7(double v) { return round(v * 1e7) / 1e7; }

static const char *const statuses[] = {"planned",    "permitted",       "in_construction",
                                       "civil_done", "cable_installed", "spliced",
                                       "tested",     "accepted"};
static const char *const methods[] = {"open_trench", "micro_trench", "hdd", "plough",
                                      "existing_duct"};
/* The demo town: nodes at the crossings of a street grid about 100 m
 * apart, bent and jittered so that it reads as streets on a map; each row
 * of crossings is a street running east-west, each column one running
 * north-south, and segments follow them. */
static const char *const east_west[] = {
    "Hauptstraße",  "Bahnhofstraße", "Lindenallee", "Schulstraße", "Am Anger",
    "Gartenstraße", "Kirchgasse",    "Mühlenweg",   "Rosenstraße", "Bergstraße",
    "Friedhofsweg", "Weimarer Str.", "Am Markt",    "Jenaer Str.", "Wiesenweg",
    "Feldstraße",   "Goethestraße",  "Schillerweg", "Ringstraße",  "Am Sportplatz"};
static const char *const north_south[] = {"Dorfstraße",  "Brunnenweg", "Ahornweg",     "Eichenweg",
                                          "Birkenweg",   "Ulmenweg",   "Kastanienweg", "Lerchenweg",
                                          "Finkenweg",   "Amselweg",   "Drosselweg",   "Meisenweg",
                                          "Am Teich",    "Talstraße",  "Burgstraße",   "Pfarrgasse",
                                          "Schmiedeweg", "Töpferweg",  "Gänseanger",   "Im Winkel"};
#define NSTREETS(a) (sizeof(a) / sizeof((a)[0]))

#define TOWN_LAT0 50.9787
#define TOWN_LON0 11.0328
#define STEP_LAT 0.0009 /* about 100 m */
#define STEP_LON 0.0014 /* about 98 m at 51° N */
#define M_PER_DEG_LAT 111320.0

/* A stable value in [-0.5, 0.5) for k and salt (not the demo's random
 * sequence, so that the statuses and lengths it draws stay as they were). */
static double wobble(unsigned long k, unsigned salt)
{
    unsigned long x = k * 2654435761UL + salt * 40503UL + 1;
    x ^= x >> 16;
    x *= 0x7feb352dUL;
    x ^= x >> 15;
    x *= 0x846ca68bUL;
    x ^= x >> 16;
    return (double)(x % 1000) / 1000.0 - 0.5;
}

static void node_pos(long k, long width, double *lat, double *lon)
{
    long row = k / width, col = k % width;
    /* Streets bend a little with the land; crossings are not surveyed dots. */
    *lat = TOWN_LAT0 + (double)row * STEP_LAT +
           0.00022 * sin((double)col * 0.45 + (double)row * 0.3) +
           0.00022 * wobble((unsigned long)k, 1);
    *lon = TOWN_LON0 + (double)col * STEP_LON + 0.0003 * sin((double)row * 0.5) +
           0.0003 * wobble((unsigned long)k, 2);
}

/* The two crossings segment k joins, and the street it runs along: the
 * first pass over the nodes goes east, the second north, and so on. */
static void segment_ends(long k, long nnodes, long width, long *a, long *b, const char **street)
{
    *a = k % nnodes;
    long row = *a / width, col = *a % width;
    int east = (k / nnodes) % 2 == 0;
    long right = col + 1 < width && *a + 1 < nnodes ? *a + 1 : -1;
    long up = *a + width < nnodes ? *a + width : -1;
    if (east && right < 0)
        east = 0;
    if (!east && up < 0)
        east = right >= 0;
    if (east && right >= 0)
        *b = right;
    else if (!east && up >= 0)
        *b = up;
    else
        *b = *a > 0 ? *a - 1 : *a + 1; /* the last crossing: back west */
    if (*b / width == row)
        *street = east_west[(size_t)row % NSTREETS(east_west)];
    else
        *street = north_south[(size_t)col % NSTREETS(north_south)];
}

/* Segment k of the demo town: its crossings, their positions, its street. */
struct town_segment {
    long a, b;
    const char *street;
    double la, oa, lb, ob; /* lat and lon of a and b */
};

static void town_segment(long k, long nnodes, long width, struct town_segment *t)
{
    segment_ends(k, nnodes, width, &t->a, &t->b, &t->street);
    node_pos(t->a, width, &t->la, &t->oa);
    node_pos(t->b, width, &t->lb, &t->ob);
}

/* The demo pretends the project started on 1 March 2026: the history
 * (which the triggers wrote as of now) is spread over the construction
 * season, so reports as of past dates show progress week by week. */
static int backdate_history(struct db *db, struct pool *pool, long long proj)
{
    static const char *const steps[] = {
        /* Everything was planned at the start. */
        "INSERT INTO segment_history (segment_id, project_id, lot_id, recorded_at, status, method, "
        "planned_length_m, built_length_m, code, kind, surface, planned_start, planned_end) "
        "SELECT id, project_id, lot_id, '2026-03-01', 'planned', method, planned_length_m, 0, "
        "code, "
        "kind, surface, planned_start, planned_end FROM segments WHERE project_id = ?",
        /* Segments under way had a third built a week after they started. */
        "INSERT INTO segment_history (segment_id, project_id, lot_id, recorded_at, status, method, "
        "planned_length_m, built_length_m, code, kind, surface, planned_start, planned_end, "
        "actual_start) SELECT id, project_id, lot_id, actual_start + INTERVAL 7 DAY, "
        "'in_construction', method, planned_length_m, ROUND(built_length_m / 3, 2), code, kind, "
        "surface, planned_start, planned_end, actual_start FROM segments "
        "WHERE project_id = ? AND actual_start IS NOT NULL AND status <> 'in_construction' "
        "AND (actual_end IS NULL OR actual_end > actual_start + INTERVAL 7 DAY)",
        /* The current state was reached at the end of construction, or two
         * weeks after the start for segments still being built. */
        "UPDATE segment_history h JOIN segments s ON s.id = h.segment_id "
        "SET h.recorded_at = COALESCE(s.actual_end, s.actual_start + INTERVAL 14 DAY, "
        "'2026-03-15') "
        "WHERE s.project_id = ? AND h.recorded_at > '2026-11-01' AND h.recorded_at >= s.created_at",
        "INSERT INTO premise_history (premise_id, project_id, recorded_at, status, white_spot, "
        "code, street, house_number, postcode, city, kind, serving_segment_id) "
        "SELECT id, project_id, '2026-03-01', 'planned', white_spot, code, street, house_number, "
        "postcode, city, kind, serving_segment_id FROM premises "
        "WHERE project_id = ? AND status <> 'planned'",
        "UPDATE premise_history h JOIN premises p ON p.id = h.premise_id "
        "SET h.recorded_at = COALESCE(p.passed_date, '2026-03-01') "
        "WHERE p.project_id = ? AND h.recorded_at > '2026-11-01'",
        /* The project, its lots and their contractors were set up before. */
        "UPDATE project_history SET recorded_at = '2026-02-01' WHERE project_id = ?",
        "UPDATE lot_history SET recorded_at = '2026-02-01' WHERE project_id = ?",
        ("UPDATE contractor_history h JOIN lots l ON l.contractor_id = h.contractor_id "
         "SET h.recorded_at = '2026-02-01' WHERE l.project_id = ?"),
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct db_param p[] = {DB_INTP(proj)};
        if (exec(db, pool, steps[i], p, 1, NULL))
            return -1;
    }
    return 0;
}

/* The funding side: the budget plan (Finanzierungsplan) by year, the first
 * drawdown (submitted in July, paid in August) and the manager's narrative
 * for the second and third quarter, each recorded on the day it was. */
static int add_funding(struct db *db, struct pool *pool, long long proj)
{
    static const struct {
        const char *category;
        int year;
        long long cents;
    } plan[] = {
        {"planning", 2026, 45000000},  {"civil_works", 2026, 620000000},
        {"cabling", 2026, 140000000},  {"splicing", 2026, 40000000},
        {"materials", 2026, 95000000}, {"civil_works", 2027, 520000000},
        {"cabling", 2027, 190000000},  {"splicing", 2027, 110000000},
        {"materials", 2027, 60000000}, {"other", 2027, 30000000},
    };
    for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
        struct db_param p[] = {DB_INTP(proj), DB_TEXTP(plan[i].category), DB_INTP(plan[i].year),
                               DB_INTP(plan[i].cents)};
        if (exec(db, pool,
                 "INSERT INTO budget_lines (project_id, category, year, planned_cents) "
                 "VALUES (?, ?, ?, ?)",
                 p, 4, NULL))
            return -1;
    }
    static const struct {
        const char *from, *to, *written, *text;
    } notes[] = {
        {"2026-04-01", "2026-06-30", "2026-07-06 10:00:00",
         "Der Tiefbau hat am 6. April 2026 planmäßig begonnen. Los 1 (Nord) und Los 3 "
         "(Ortskern) werden von der Tiefbau Nord GmbH gebaut, Los 2 (Süd) von der Glasfaser "
         "Montage Süd GmbH.\nBis Ende Juni sind rund 40 % der geplanten Trassenmeter verlegt. "
         "Verzögerungen gab es nur an der Bahnhofstraße, wo die Verkehrsrechtliche Anordnung "
         "zwei Wochen später erteilt wurde."},
        {"2026-07-01", "2026-09-30", "2026-10-05 09:30:00",
         "Im dritten Quartal wurde der Tiefbau in Los 1 und Los 2 weitgehend abgeschlossen; die "
         "ersten Abschnitte sind gespleißt und gemessen.\nDer Zwischenbericht 2026 wurde am "
         "5. Oktober eingereicht. Für den Abschluss des Tiefbaus in Los 3 wird nun Mitte "
         "Dezember erwartet (Prognose des Meilensteins)."},
    };
    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
        struct db_param p[] = {DB_INTP(proj), DB_TEXTP(notes[i].from), DB_TEXTP(notes[i].to),
                               DB_TEXTP(notes[i].text)};
        struct db_param h[] = {DB_TEXTP(notes[i].written), DB_INTP(proj), DB_TEXTP(notes[i].from)};
        if (exec(db, pool,
                 "INSERT INTO report_notes (project_id, period_from, period_to, text) "
                 "VALUES (?, ?, ?, ?)",
                 p, 4, NULL) ||
            exec(db, pool,
                 "UPDATE report_note_history SET recorded_at = ? WHERE project_id = ? "
                 "AND period_from = ?",
                 h, 3, NULL))
            return -1;
    }
    /* Drawdown 1: the eligible cost up to June (invoice TN-2026-0412). */
    long long dd;
    struct db_param d[] = {DB_INTP(proj)};
    if (exec(db, pool,
             "INSERT INTO drawdowns (project_id, number, period_from, period_to, "
             "federal_requested_cents, state_requested_cents, state, requested_at, received_at, "
             "federal_received_cents, state_received_cents) VALUES (?, 1, '2026-03-01', "
             "'2026-06-30', 8900000, 7120000, 'received', '2026-07-10 08:30:00', '2026-08-05', "
             "8900000, 7120000)",
             d, 1, &dd))
        return -1;
    struct db_param q[] = {DB_INTP(dd)};
    if (exec(db, pool,
             "UPDATE drawdown_history SET recorded_at = '2026-08-05 09:00:00' "
             "WHERE drawdown_id = ?",
             q, 1, NULL) ||
        exec(db, pool,
             "INSERT INTO drawdown_history (drawdown_id, project_id, recorded_at, number, "
             "period_from, period_to, federal_requested_cents, state_requested_cents, state, "
             "requested_at) SELECT id, project_id, requested_at, number, period_from, period_to, "
             "federal_requested_cents, state_requested_cents, 'submitted', requested_at "
             "FROM drawdowns WHERE id = ?",
             q, 1, NULL) ||
        exec(db, pool,
             "INSERT INTO audit_log (at, user_name, request_id, action, entity, entity_id) "
             "VALUES ('2026-07-10 08:30:00', 'Fiona Finanzen', 'demo', 'submit', 'drawdown', ?)",
             q, 1, NULL))
        return -1;
    return exec(db, pool,
                "UPDATE budget_line_history SET recorded_at = '2026-02-01' WHERE project_id = ?", d,
                1, NULL);
}

static int add_schedule_and_costs(struct db *db, struct pool *pool, long long proj,
                                  const long long lots[3], long long c1, long long c2)
{
    static const struct {
        const char *name, *kind, *planned, *forecast, *actual;
        int funding;
        long long tranche;
    } ms[] = {
        {"Förderbescheid", "funding_approval", "2026-02-15", NULL, "2026-02-12", 1, 0},
        {"Vergabe Tiefbau", "tender_award", "2026-03-20", NULL, "2026-03-24", 0, 0},
        {"Baubeginn", "construction_start", "2026-04-06", NULL, "2026-04-06", 1, 0},
        {"Zwischenbericht 2026", "interim_report", "2026-09-30", NULL, "2026-10-05", 1, 0},
        {"Tiefbau abgeschlossen", "civil_works_complete", "2026-10-31", "2026-12-15", NULL, 1, 0},
        {"Mittelabruf 1", "payment_request", "2026-12-15", NULL, NULL, 1, 450000000},
        {"Netz betriebsbereit", "network_ready", "2027-06-30", "2027-08-31", NULL, 1, 0},
        {"Mittelabruf 2", "payment_request", "2027-07-15", NULL, NULL, 1, 600000000},
        {"Fertigstellungsanzeige", "completion_notice", "2027-10-31", NULL, NULL, 1, 0},
        {"Verwendungsnachweis", "final_report", "2027-12-31", NULL, NULL, 1, 350000000},
    };
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
        struct db_param p[] = {
            DB_INTP(proj),           DB_TEXTP(ms[i].name),     DB_TEXTP(ms[i].kind),
            DB_TEXTP(ms[i].planned), DB_TEXTP(ms[i].forecast), DB_TEXTP(ms[i].actual),
            DB_INTP(ms[i].funding),  DB_INTP(ms[i].tranche)};
        if (exec(db, pool,
                 "INSERT INTO milestones (project_id, name, kind, planned_date, forecast_date, "
                 "actual_date, funding_relevant, tranche_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 p, 8, NULL))
            return -1;
    }
    static const struct {
        int lot;
        const char *number, *date, *category, *status, *paid;
        long long net, eligible;
    } inv[] = {
        {0, "TN-2026-0412", "2026-05-29", "civil_works", "paid", "2026-06-25", 18250000, 17800000},
        {0, "TN-2026-0588", "2026-07-31", "civil_works", "paid", "2026-08-28", 24610000, 24610000},
        {1, "GM-26-117", "2026-08-14", "cabling", "paid", "2026-09-10", 9870000, 9870000},
        {2, "TN-2026-0701", "2026-09-30", "civil_works", "approved", NULL, 21340000, 20100000},
        {1, "GM-26-164", "2026-10-16", "splicing", "approved", NULL, 4420000, 4420000},
        {0, "TN-2026-0815", "2026-10-30", "materials", "received", NULL, 6380000, 5900000},
        {1, "GM-26-190", "2026-11-13", "cabling", "received", NULL, 7715000, 7715000},
    };
    for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++) {
        long long net = inv[i].net;
        struct db_param p[] = {DB_INTP(proj),
                               DB_INTP(lots[inv[i].lot]),
                               DB_INTP(inv[i].lot == 1 ? c2 : c1),
                               DB_TEXTP(inv[i].number),
                               DB_TEXTP(inv[i].date),
                               DB_TEXTP(inv[i].category),
                               DB_INTP(net),
                               DB_INTP(net * 19 / 100),
                               DB_INTP(inv[i].eligible),
                               DB_TEXTP(inv[i].status),
                               DB_TEXTP(inv[i].paid)};
        if (exec(db, pool,
                 "INSERT INTO invoices (project_id, lot_id, contractor_id, number, invoice_date, "
                 "category, net_cents, vat_cents, eligible_cents, status, paid_date) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 p, 11, NULL))
            return -1;
    }
    /* Their history starts on the day each was recorded. */
    struct db_param p[] = {DB_INTP(proj)};
    if (add_funding(db, pool, proj))
        return -1;
    if (exec(db, pool,
             "UPDATE milestone_history h JOIN milestones m ON m.id = h.milestone_id "
             "SET h.recorded_at = '2026-02-01', h.actual_date = NULL WHERE m.project_id = ?",
             p, 1, NULL) ||
        exec(db, pool,
             "INSERT INTO milestone_history (milestone_id, project_id, recorded_at, planned_date, "
             "forecast_date, actual_date, name, kind, funding_relevant, tranche_cents, notes) "
             "SELECT id, project_id, actual_date, planned_date, forecast_date, actual_date, name, "
             "kind, funding_relevant, tranche_cents, notes FROM milestones WHERE project_id = ? "
             "AND actual_date IS NOT NULL",
             p, 1, NULL) ||
        exec(db, pool,
             "UPDATE invoice_history h JOIN invoices i ON i.id = h.invoice_id "
             "SET h.recorded_at = COALESCE(i.paid_date, i.invoice_date) WHERE i.project_id = ?",
             p, 1, NULL))
        return -1;
    return 0;
}

int demo_load(struct db *db, long nseg, int per_seg)
{
    struct pool *pool = pool_new();
    struct db_rows *rows;
    long long *node_ids = NULL, *seg_ids = NULL;
    int rc = -1;
    if (db_exec(db, pool, "SELECT COUNT(*) FROM projects", NULL, 0, &rows) != DB_OK) {
        fprintf(stderr, "demo: %s\n", db_error(db));
        goto out;
    }
    if (atoll(db_cell(rows, 0, 0)) > 0) {
        rc = 0;
        goto out;
    }
    if (db_begin(db) != DB_OK)
        goto out;

    long long c1, c2, proj, lots[3];
    if (exec(db, pool,
             "INSERT INTO contractors (name, vat_id, email, phone) VALUES "
             "('Tiefbau Nord GmbH', 'DE123456789', 'info@tiefbau-nord.example', '+49 361 555010')",
             NULL, 0, &c1) ||
        exec(db, pool,
             "INSERT INTO contractors (name, vat_id, email, phone) VALUES "
             "('Glasfaser Montage Süd GmbH', 'DE987654321', 'kontakt@glasfaser-sued.example', "
             "'+49 3641 555020')",
             NULL, 0, &c2))
        goto fail;
    if (exec(db, pool,
             "INSERT INTO projects (code, name, municipality, funding_programme, grant_reference, "
             "budget_cents, federal_rate, state_rate, start_date, planned_end_date, status) VALUES "
             "('WF-MUSTER-2026', 'Breitbandausbau Weiße Flecken Musterstadt', 'Stadt Musterstadt', "
             "'Gigabit-Richtlinie des Bundes 2.0 mit Landeskofinanzierung', 'FKZ 01-BB-2026-0042', "
             "1850000000, 0.5000, 0.4000, '2026-03-01', '2027-12-31', 'construction')",
             NULL, 0, &proj))
        goto fail;
    static const char *const lot_rows[3][2] = {{"LOS-1", "Los 1 Nord (Tiefbau)"},
                                               {"LOS-2", "Los 2 Süd (Montage)"},
                                               {"LOS-3", "Los 3 Ortskern"}};
    for (int i = 0; i < 3; i++) {
        struct db_param p[] = {DB_INTP(proj),
                               DB_TEXTP(lot_rows[i][0]),
                               DB_TEXTP(lot_rows[i][1]),
                               DB_INTP(i == 1 ? c2 : c1),
                               DB_INTP(420000000LL + i * 150000000LL),
                               DB_INTP(i == 1)};
        if (exec(db, pool,
                 "INSERT INTO lots (project_id, code, name, contractor_id, contract_value_cents, "
                 "auto_approve) VALUES (?, ?, ?, ?, ?, ?)",
                 p, 6, &lots[i]))
            goto fail;
    }

    /* Nodes: a POP, cabinets and handholes at the town's crossings. */
    long nnodes = nseg / 4 + 8;
    long width = (long)ceil(sqrt((double)nnodes * 1.4));
    for (long done = 0; done < nnodes;) {
        int n = (int)(nnodes - done > BATCH ? BATCH : nnodes - done);
        struct pool *bp = pool_new();
        struct db_param *p = pool_alloc(bp, sizeof(struct db_param) * (size_t)n * 6);
        for (int i = 0; i < n; i++) {
            long k = done + i;
            const char *kind = k == 0 ? "pop" : (k % 10 == 1 ? "cabinet" : "handhole");
            p[i * 6 + 0] = DB_INTP(proj);
            p[i * 6 + 1] = DB_TEXTP(pool_printf(bp, "N-%06ld", k + 1));
            p[i * 6 + 2] = DB_TEXTP(kind);
            p[i * 6 + 3] =
                DB_TEXTP(k == 0 ? "PoP Musterstadt" : pool_printf(bp, "%s %ld", kind, k));
            double lat, lon;
            node_pos(k, width, &lat, &lon);
            p[i * 6 + 4] = DB_DBLP(round7(lat));
            p[i * 6 + 5] = DB_DBLP(round7(lon));
        }
        char *sql =
            batch_sql(bp, "INSERT INTO nodes (project_id, code, kind, name, lat, lon) VALUES ",
                      "(?, ?, ?, ?, ?, ?)", n);
        int e = exec(db, bp, sql, p, (size_t)n * 6, NULL);
        pool_free(bp);
        if (e)
            goto fail;
        done += n;
    }
    node_ids = inserted_ids(db, "nodes", proj, nnodes);
    if (!node_ids)
        goto fail;

    /* Segments between neighbouring crossings, along their street. */
    enum { SEGCOLS = 15 };
    for (long done = 0; done < nseg;) {
        int n = (int)(nseg - done > BATCH ? BATCH : nseg - done);
        struct pool *bp = pool_new();
        struct db_param *p = pool_alloc(bp, sizeof(struct db_param) * (size_t)n * SEGCOLS);
        for (int i = 0; i < n; i++) {
            long k = done + i;
            struct town_segment ts;
            town_segment(k, nnodes, width, &ts);
            long a = ts.a, b = ts.b;
            const char *street = ts.street;
            double la = ts.la, oa = ts.oa, lb = ts.lb, ob = ts.ob;
            /* A bend half way, a few metres to one side. */
            double bend = 0.08 * (wobble((unsigned long)k, 3) < 0 ? -1 : 1);
            double mlat = (la + lb) / 2 + (ob - oa) * bend * 0.64,
                   mlon = (oa + ob) / 2 - (lb - la) * bend / 0.64;
            double planned = 60.0 + rnd(340);
            int st = (int)rnd(8);
            double built =
                st >= 3 ? planned : (st == 2 ? floor(planned * (20 + rnd(60)) / 100) : 0);
            struct db_param *q = &p[i * SEGCOLS];
            q[0] = DB_INTP(proj);
            q[1] = DB_INTP(lots[k % 3]);
            q[2] = DB_TEXTP(pool_printf(bp, "S-%06ld", k + 1));
            q[3] = DB_INTP(node_ids[a]);
            q[4] = DB_INTP(node_ids[b]);
            q[5] = DB_TEXTP(k % 7 == 6 ? "drop" : "trench");
            q[6] = DB_TEXTP(methods[rnd(5)]);
            q[7] = DB_TEXTP(k % 3 == 0 ? "sealed" : "unsealed");
            q[8] = DB_TEXTP(pool_printf(bp, "%.2f", planned));
            q[9] = DB_TEXTP(pool_printf(bp, "%.2f", built));
            q[10] = DB_TEXTP(pool_printf(
                bp,
                "{\"type\":\"LineString\",\"coordinates\":[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]}",
                oa, la, mlon, mlat, ob, lb));
            q[11] = DB_TEXTP(statuses[st]);
            q[12] =
                st >= 2
                    ? DB_TEXTP(pool_printf(bp, "2026-%02d-%02d", 4 + (int)rnd(5), 1 + (int)rnd(28)))
                    : DB_NULLP;
            q[13] =
                st >= 6
                    ? DB_TEXTP(pool_printf(bp, "2026-%02d-%02d", 9 + (int)rnd(2), 1 + (int)rnd(28)))
                    : DB_NULLP;
            q[14] = DB_TEXTP(street);
        }
        char *sql =
            batch_sql(bp,
                      "INSERT INTO segments (project_id, lot_id, code, from_node_id, "
                      "to_node_id, kind, method, surface, planned_length_m, built_length_m, "
                      "geometry, status, actual_start, actual_end, street, fiber_count, "
                      "planned_start, planned_end) VALUES ",
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ST_GeomFromGeoJSON(?), ?, ?, ?, ?, 96, "
                      "'2026-04-01', '2026-10-31')",
                      n);
        int e = exec(db, bp, sql, p, (size_t)n * SEGCOLS, NULL);
        pool_free(bp);
        if (e)
            goto fail;
        done += n;
    }
    seg_ids = inserted_ids(db, "segments", proj, nseg);
    if (!seg_ids)
        goto fail;

    /* Premises along the segments; those on tested or accepted segments
     * are passed. */
    long nprem = nseg * per_seg;
    enum { PCOLS = 12 };
    for (long done = 0; done < nprem;) {
        int n = (int)(nprem - done > BATCH ? BATCH : nprem - done);
        struct pool *bp = pool_new();
        struct db_param *p = pool_alloc(bp, sizeof(struct db_param) * (size_t)n * PCOLS);
        for (int i = 0; i < n; i++) {
            long k = done + i;
            long seg = k / per_seg;
            struct town_segment ts;
            town_segment(seg, nnodes, width, &ts);
            const char *street = ts.street;
            double la = ts.la, oa = ts.oa, lb = ts.lb, ob = ts.ob;
            /* Houses along the street, on alternate sides, 15 m back. */
            double t = (double)(k % per_seg + 1) / (per_seg + 1);
            double kx = M_PER_DEG_LAT * cos(TOWN_LAT0 * M_PI / 180), ky = M_PER_DEG_LAT;
            double dx = (ob - oa) * kx, dy = (lb - la) * ky, len = hypot(dx, dy);
            double side = k % 2 ? 15.0 : -15.0;
            double plat = la + t * (lb - la) + (len > 0 ? side * dx / len / ky : 0);
            double plon = oa + t * (ob - oa) - (len > 0 ? side * dy / len / kx : 0);
            struct db_param *q = &p[i * PCOLS];
            int white = rnd(10) < 7;
            q[0] = DB_INTP(proj);
            q[1] = DB_TEXTP(pool_printf(bp, "P-%07ld", k + 1));
            q[2] = DB_TEXTP(street);
            q[3] = DB_TEXTP(pool_printf(bp, "%ld", k % 97 + 1));
            q[4] = DB_TEXTP(pool_printf(bp, "99%03ld", seg % 1000));
            q[5] = DB_TEXTP("Musterstadt");
            q[6] = DB_DBLP(round7(plat));
            q[7] = DB_DBLP(round7(plon));
            q[8] = DB_TEXTP(k % 25 == 0 ? "business" : (k % 211 == 0 ? "school" : "residential"));
            q[9] = DB_INTP(white);
            q[10] = DB_TEXTP(white ? "16.00" : "50.00");
            q[11] = DB_INTP(seg_ids[seg]);
        }
        char *sql = batch_sql(bp,
                              "INSERT INTO premises (project_id, code, street, house_number, "
                              "postcode, city, lat, lon, kind, white_spot, bandwidth_before_mbps, "
                              "serving_segment_id, units_residential) VALUES ",
                              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", n);
        int e = exec(db, bp, sql, p, (size_t)n * PCOLS, NULL);
        pool_free(bp);
        if (e)
            goto fail;
        done += n;
    }
    struct db_param pp[] = {DB_INTP(proj)};
    if (exec(db, pool,
             "UPDATE premises p JOIN segments s ON s.id = p.serving_segment_id "
             "SET p.status = 'passed', p.passed_date = s.actual_end "
             "WHERE p.project_id = ? AND s.status IN ('tested', 'accepted')",
             pp, 1, NULL))
        goto fail;

    if (backdate_history(db, pool, proj) < 0 ||
        add_schedule_and_costs(db, pool, proj, lots, c1, c2) < 0)
        goto fail;

    char hash[PASSWORD_HASH_LEN];
    if (cred_hash_password(DEMO_PASSWORD, hash) < 0)
        goto fail;
    for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
        long long cid = demo_users[i].contractor == 1 ? c1 : c2;
        struct db_param p[] = {DB_TEXTP(demo_users[i].email), DB_TEXTP(demo_users[i].name),
                               DB_TEXTP(demo_users[i].role),
                               demo_users[i].contractor ? DB_INTP(cid) : DB_NULLP, DB_TEXTP(hash)};
        if (exec(db, pool,
                 "INSERT IGNORE INTO users (email, name, role, contractor_id, password_hash) "
                 "VALUES (?, ?, ?, ?, ?)",
                 p, 5, NULL))
            goto fail;
    }
    char after[160];
    snprintf(after, sizeof(after), "{\"segments\":%ld,\"premises\":%ld,\"nodes\":%ld}", nseg, nprem,
             nnodes);
    struct db_param ap[] = {DB_INTP(proj), DB_TEXTP(after)};
    if (exec(db, pool,
             "INSERT INTO audit_log (user_name, request_id, action, entity, entity_id, after_json) "
             "VALUES ('fibertrackd demo', 'demo', 'import', 'project', ?, ?)",
             ap, 2, NULL))
        goto fail;
    if (db_commit(db) != DB_OK)
        goto fail;
    rc = 1;
    goto out;
fail:
    db_rollback(db);
out:
    free(node_ids);
    free(seg_ids);
    pool_free(pool);
    return rc;
}
