/* Unit tests for reports/report_labels.h: every text in both languages,
 * valid sheet names, German words where the funding agency expects them. */
#include "test.h"

#include <string.h>

#include "domain/status.h"
#include "domain/summary.h"
#include "reports/report_labels.h"
#include "reports/report_util.h"

TEST(reports_lang_parse)
{
    ASSERT_EQ_INT(rpt_lang_parse("en"), RPT_EN);
    ASSERT_EQ_INT(rpt_lang_parse("de"), RPT_DE);
    ASSERT_EQ_INT(rpt_lang_parse("DE"), -1);
    ASSERT_EQ_INT(rpt_lang_parse("fr"), -1);
    ASSERT_EQ_INT(rpt_lang_parse(""), -1);
    ASSERT_EQ_INT(rpt_lang_parse(NULL), -1);
    ASSERT_STREQ(rpt_lang_name(RPT_DE), "de");
    ASSERT_STREQ(rpt_lang_name(RPT_EN), "en");
}

TEST(reports_every_text_in_both_languages)
{
    for (int t = 0; t < T_TEXT_COUNT; t++) {
        const char *en = rpt_text(RPT_EN, (enum rpt_text)t);
        const char *de = rpt_text(RPT_DE, (enum rpt_text)t);
        if (!*en || !*de)
            FAIL("text %d is missing in %s", t, *en ? "German" : "English");
        /* Our own labels never look like formulas. */
        ASSERT_TRUE(strchr("=+-@", en[0]) == NULL);
        ASSERT_TRUE(strchr("=+-@", de[0]) == NULL);
    }
}

TEST(reports_sheet_names_are_valid)
{
    static const enum rpt_text sheets[] = {T_SHEET_COVER,    T_SHEET_SUMMARY,  T_SHEET_MILESTONES,
                                           T_SHEET_SEGMENTS, T_SHEET_PREMISES, T_SHEET_CONTRACTORS,
                                           T_SHEET_COSTS,    T_SHEET_CLAIM,    T_SHEET_INVOICES,
                                           T_SHEET_TOTALS};
    for (int lang = RPT_EN; lang <= RPT_DE; lang++) {
        for (size_t i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++) {
            const char *name = rpt_text((enum rpt_lang)lang, sheets[i]);
            ASSERT_LE_INT(rpt_text_width(name), 31);
            ASSERT_TRUE(strpbrk(name, "[]:*?/\\") == NULL);
            ASSERT_TRUE(name[0] != '\'');
            for (size_t j = 0; j < i; j++)
                ASSERT_STRNE(name, rpt_text((enum rpt_lang)lang, sheets[j]));
        }
    }
}

TEST(reports_german_terms)
{
    ASSERT_STREQ(rpt_text(RPT_DE, T_GRANT_REFERENCE), "Förderkennzeichen");
    ASSERT_STREQ(rpt_text(RPT_DE, T_SHEET_MILESTONES), "Meilensteine");
    ASSERT_STREQ(rpt_text(RPT_DE, T_SHEET_PREMISES), "Adressen");
    ASSERT_STREQ(rpt_text(RPT_DE, T_SHEET_CLAIM), "Mittelabruf");
    ASSERT_TRUE(strstr(rpt_text(RPT_DE, T_PLANNED_LENGTH), "Trassenmeter") != NULL);
    ASSERT_STREQ(rpt_text(RPT_EN, T_GRANT_REFERENCE), "Grant reference");
}

TEST(reports_vocabularies_cover_the_domain)
{
    for (int i = 0; i < SEG_STATUS_COUNT; i++) {
        const char *v = segment_status_names[i];
        ASSERT_STREQ(rpt_vocab_value(V_SEGMENT_STATUS, (size_t)i), v);
        ASSERT_STRNE(rpt_value(RPT_DE, V_SEGMENT_STATUS, v), v);
    }
    for (int i = 0; premise_status_names[i]; i++)
        ASSERT_STRNE(rpt_value(RPT_DE, V_PREMISE_STATUS, premise_status_names[i]),
                     premise_status_names[i]);
    for (int i = 0; milestone_state_names[i]; i++)
        ASSERT_STRNE(rpt_value(RPT_DE, V_MILESTONE_STATE, milestone_state_names[i]),
                     milestone_state_names[i]);
    for (int i = 0; method_names[i]; i++)
        ASSERT_STRNE(rpt_value(RPT_DE, V_METHOD, method_names[i]), method_names[i]);
    ASSERT_STREQ(rpt_value(RPT_DE, V_CATEGORY, "civil_works"), "Tiefbau");
    ASSERT_STREQ(rpt_value(RPT_EN, V_INVOICE_STATUS, "paid"), "paid");
    ASSERT_STREQ(rpt_value(RPT_DE, V_INVOICE_STATUS, "paid"), "bezahlt");
    ASSERT_STREQ(rpt_value(RPT_EN, V_SEGMENT_STATUS, "in_construction"), "in construction");
    /* Unknown values pass through; NULL stays NULL. */
    ASSERT_STREQ(rpt_value(RPT_DE, V_CATEGORY, "=1+1"), "=1+1");
    ASSERT_NULL(rpt_value(RPT_DE, V_CATEGORY, NULL));
    ASSERT_NULL(rpt_vocab_value(V_CATEGORY, 6));
    ASSERT_STREQ(rpt_vocab_value(V_CATEGORY, 5), "other");
}
