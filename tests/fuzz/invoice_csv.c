/* invoice_csv.c — fuzzes invoice_csv_parse on what a finance office
 * uploads as an invoice list, and the amount and date readers on each line.
 *
 * Input: the file's bytes (a NUL byte included: the server hands the parser
 * the body with its length). */
#include "fuzz.h"

#include <cJSON.h>

#include "domain/invoice_csv.h"

static const char *vocab(const char *column, const char *text)
{
    (void)column;
    return text[0] == 'x' ? NULL : "other";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *errors = cJSON_CreateArray(), *rows = NULL;
    int nerrors = -1;
    char why[256];
    why[0] = '\0';
    int rc = invoice_csv_parse((const char *)data, size, vocab, &rows, errors, &nerrors, 20, why,
                               sizeof(why));
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(nerrors >= 0 && cJSON_GetArraySize(errors) <= nerrors + 1);
    FUZZ_ASSERT(cJSON_GetArraySize(errors) <= 21);
    if (rc == 0) {
        FUZZ_ASSERT(cJSON_IsArray(rows));
        const cJSON *row;
        int last = 1;
        cJSON_ArrayForEach(row, rows)
        {
            /* Rows come in file order, after the header. */
            int line = (int)cJSON_GetObjectItemCaseSensitive(row, "line")->valuedouble;
            FUZZ_ASSERT(line > last);
            last = line;
            const cJSON *v;
            cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(row, "values"))
            {
                /* Amounts are whole cents, never negative. */
                if (cJSON_IsNumber(v))
                    FUZZ_ASSERT(v->valuedouble >= 0 && v->valuedouble <= 1e17);
            }
        }
    } else {
        FUZZ_ASSERT(rows == NULL && why[0]);
    }
    cJSON_Delete(rows);
    cJSON_Delete(errors);

    /* Every line as an amount and as a date. */
    char *s = fuzz_cstring(data, size);
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        long long cents = -1;
        if (!invoice_csv_euros(line, ',', &cents))
            FUZZ_ASSERT(cents >= 0);
        char day[11];
        if (!invoice_csv_date(line, day))
            FUZZ_ASSERT(strlen(day) == 10 && day[4] == '-' && day[7] == '-');
    }
    free(s);
    return 0;
}
