/* Unit tests for server/domain/invoice_csv.h: euros and dates as people
 * write them, and invoice lists as spreadsheets save them. */
#include "test.h"

#include <cJSON.h>
#include <string.h>
#include <strings.h>

#include "domain/invoice_csv.h"

static long long euros(const char *text, char decimal)
{
    long long cents = -1;
    const char *why = invoice_csv_euros(text, decimal, &cents);
    return why ? -1 : cents;
}

TEST(invoice_csv_reads_euros_the_german_and_the_english_way)
{
    EXPECT_EQ_INT(euros("1.234,56", ','), 123456);
    EXPECT_EQ_INT(euros("1,234.56", ','), 123456);
    EXPECT_EQ_INT(euros("1234,5", '.'), 123450);
    EXPECT_EQ_INT(euros("1234.05", ','), 123405);
    EXPECT_EQ_INT(euros("12", ','), 1200);
    EXPECT_EQ_INT(euros("0,99", ','), 99);
    EXPECT_EQ_INT(euros("1.234.567,89", ','), 123456789);
    EXPECT_EQ_INT(euros("1 234,56 €", ','), 123456);
    EXPECT_EQ_INT(euros("€ 5", ','), 500);
    EXPECT_EQ_INT(euros("EUR 7,10", ','), 710);
    EXPECT_EQ_INT(euros("7,10 EUR", ','), 710);
    EXPECT_EQ_INT(euros("1\xc2\xa0"
                        "000,00",
                        ','),
                  100000); /* a no-break space groups */
    /* One mark and three digits: the file's convention decides. */
    EXPECT_EQ_INT(euros("1.234", ','), 123400);
    EXPECT_EQ_INT(euros("1,234", '.'), 123400);
    EXPECT_EQ_INT(euros("12,345", ','), -1); /* three decimals in a German list */
    EXPECT_EQ_INT(euros("1.234", '.'), -1);
}

TEST(invoice_csv_refuses_what_is_no_amount)
{
    static const char *const bad[] = {
        "",   "-5", "+5",  "1,2,3", "12.34.5", "1.23,4.5", "1234,567", "1,23,456",
        ".5", "1.", "abc", "1e5",   "1.2345",  "12,34x",   "1..234",   "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long c = 0;
        if (!invoice_csv_euros(bad[i], ',', &c))
            unit_fail(0, __FILE__, __LINE__, "'%s' was read as %lld cents", bad[i], c);
    }
    long long c;
    const char *why = invoice_csv_euros("-1,00", ',', &c);
    ASSERT(why && strstr(why, "negative"));
    why = invoice_csv_euros("1,005", ',', &c);
    ASSERT(why && strstr(why, "two decimals"));
}

TEST(invoice_csv_reads_dates_in_both_forms)
{
    char d[11];
    ASSERT(!invoice_csv_date("25.11.2026", d));
    ASSERT_STREQ(d, "2026-11-25");
    ASSERT(!invoice_csv_date("1.2.2026", d));
    ASSERT_STREQ(d, "2026-02-01");
    ASSERT(!invoice_csv_date("2026-02-28", d));
    ASSERT_STREQ(d, "2026-02-28");
    static const char *const bad[] = {"31.02.2026",  "2026-02-30", "25.11.26", "25/11/2026",
                                      "25.11.2026x", "0.1.2026",   "",         "-1.-1.2026"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (!invoice_csv_date(bad[i], d))
            unit_fail(0, __FILE__, __LINE__, "'%s' was read as %s", bad[i], d);
}

static const char *vocab(const char *column, const char *text)
{
    if (strcmp(column, "category") == 0)
        return strcasecmp(text, "Tiefbau") == 0 || strcmp(text, "civil_works") == 0 ? "civil_works"
                                                                                    : NULL;
    return strcasecmp(text, "bezahlt") == 0 ? "paid" : NULL;
}

/* Parses text; returns the rows (freed by the caller) or NULL, with the
 * problems in *errors (freed by the caller). */
static cJSON *parse(const char *text, cJSON **errors, int *nerrors, char *why)
{
    cJSON *rows = NULL;
    *errors = cJSON_CreateArray();
    if (invoice_csv_parse(text, strlen(text), vocab, &rows, *errors, nerrors, 100, why, 200) < 0)
        return NULL;
    return rows;
}

static const cJSON *value(const cJSON *rows, int i, const char *key)
{
    const cJSON *row = cJSON_GetArrayItem(rows, i);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(row, "values"), key);
}

TEST(invoice_csv_reads_a_german_excel_list)
{
    const char *text = "\xef\xbb\xbfRechnungsnummer;Rechnungsdatum;Kategorie;Netto (€);"
                       "Förderfähig;Status;Los\r\n"
                       "\"R;1\";15.01.2026;Tiefbau;1.234,50;1.000;bezahlt;LOS-1\r\n"
                       "\r\n"
                       ";;;;;;\r\n"
                       "R-2;2026-02-01;civil_works;10;;;\r\n";
    cJSON *errors;
    int n;
    char why[200];
    cJSON *rows = parse(text, &errors, &n, why);
    ASSERT(rows != NULL);
    EXPECT_EQ_INT(n, 0);
    ASSERT_EQ_INT(cJSON_GetArraySize(rows), 2);
    EXPECT_STREQ(value(rows, 0, "number")->valuestring, "R;1");
    EXPECT_STREQ(value(rows, 0, "invoice_date")->valuestring, "2026-01-15");
    EXPECT_STREQ(value(rows, 0, "category")->valuestring, "civil_works");
    EXPECT_EQ_INT((long long)value(rows, 0, "net_cents")->valuedouble, 123450);
    EXPECT_EQ_INT((long long)value(rows, 0, "eligible_cents")->valuedouble, 100000);
    EXPECT_STREQ(value(rows, 0, "status")->valuestring, "paid");
    EXPECT_STREQ(value(rows, 0, "lot_code")->valuestring, "LOS-1");
    /* Lines as the spreadsheet numbers them: blank and empty rows count. */
    EXPECT_EQ_INT(
        (int)cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rows, 1), "line")->valuedouble, 5);
    EXPECT(value(rows, 1, "status") == NULL);
    cJSON_Delete(rows);
    cJSON_Delete(errors);
}

TEST(invoice_csv_names_each_bad_cell_by_line_and_column)
{
    const char *text = "number,invoice_date,category,net,contractor_id\n"
                       "R-1,2026-13-01,Tiefbau,1,5\n"
                       "R-2,2026-01-01,Wein,-3,x\n"
                       ",2026-01-01,Tiefbau,1,5,surplus\n";
    cJSON *errors;
    int n;
    char why[200];
    cJSON *rows = parse(text, &errors, &n, why);
    ASSERT(rows != NULL);
    char got[400] = "";
    const cJSON *e;
    cJSON_ArrayForEach(e, errors)
    {
        strcat(got, cJSON_GetObjectItemCaseSensitive(e, "pointer")->valuestring);
        strcat(got, " ");
    }
    EXPECT_STREQ(got, "/lines/2/invoice_date /lines/3/category /lines/3/net "
                      "/lines/3/contractor_id /lines/4 /lines/4/number ");
    EXPECT_EQ_INT(n, 6);
    cJSON_Delete(rows);
    cJSON_Delete(errors);
}

TEST(invoice_csv_refuses_files_it_cannot_read_whole)
{
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"", "empty"},
        {"number;invoice_date;category;net;M\xfcller\n", "UTF-8"},
        {"number;invoice_date;category;net;contractor;Bemerkung\n", "Bemerkung"},
        {"number;invoice_date;category;net;Netto;contractor\n", "twice"},
        {"number;invoice_date;net;contractor\n", "'category'"},
        {"number;invoice_date;category;net\n", "contractor"},
        {"number;invoice_date;category;net;contractor\n\"R-1;2026-01-01;x;1;y\n", "quoted"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *errors;
        int n;
        char why[200] = "";
        cJSON *rows = parse(cases[i].text, &errors, &n, why);
        if (rows || !strstr(why, cases[i].says))
            unit_fail(0, __FILE__, __LINE__, "case %zu: %s (why: %s)", i, rows ? "read" : "refused",
                      why);
        cJSON_Delete(rows);
        cJSON_Delete(errors);
    }
}
