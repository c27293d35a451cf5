/* report_labels.h — every word the workbooks show, in English and German:
 * fixed texts (sheet names, headings, column headers) and the labels of
 * stored values (statuses, methods, kinds, categories). Pure tables. */
#ifndef FT_REPORT_LABELS_H
#define FT_REPORT_LABELS_H

#include <stddef.h>

#include "reports/report.h"

enum rpt_text {
    /* sheet names (at most 31 characters, none of []:*?/\) */
    T_SHEET_COVER,
    T_SHEET_SUMMARY,
    T_SHEET_MILESTONES,
    T_SHEET_SEGMENTS,
    T_SHEET_PREMISES,
    T_SHEET_CONTRACTORS,
    T_SHEET_COSTS,
    T_SHEET_CLAIM,
    T_SHEET_INVOICES,
    T_SHEET_TOTALS,
    /* cover */
    T_PROGRESS_TITLE,
    T_COSTS_TITLE,
    T_PROJECT,
    T_PROJECT_CODE,
    T_GRANT_REFERENCE,
    T_RECIPIENT,
    T_PROGRAMME,
    T_PROJECT_START,
    T_PROJECT_END,
    T_BUDGET,
    T_FEDERAL_RATE,
    T_STATE_RATE,
    T_AS_OF,
    T_PERIOD_FROM,
    T_PERIOD_TO,
    T_GENERATED_AT,
    T_GENERATED_BY,
    T_CONTENTS,
    T_ABOUT_SUMMARY,
    T_ABOUT_MILESTONES,
    T_ABOUT_SEGMENTS,
    T_ABOUT_PREMISES,
    T_ABOUT_CONTRACTORS,
    T_ABOUT_COSTS,
    T_ABOUT_HISTORY,
    /* summary */
    T_KEY_FIGURES,
    T_KEY_FIGURE,
    T_VALUE,
    T_NETWORK,
    T_PLANNED_LENGTH,
    T_BUILT_LENGTH,
    T_PROGRESS,
    T_SEGMENTS_BY_STATUS,
    T_SEGMENTS_TOTAL,
    T_LENGTH_BY_METHOD,
    T_PREMISES,
    T_PREMISES_TOTAL,
    T_WHITE_SPOTS,
    T_WHITE_SPOTS_PASSED,
    T_WHITE_SPOTS_SHARE,
    T_MILESTONES,
    T_COSTS,
    T_INVOICED,
    T_ELIGIBLE,
    T_PAID,
    T_FEDERAL_SHARE,
    T_STATE_SHARE,
    T_MUNICIPAL_SHARE,
    T_BUDGET_USED,
    T_WEEKLY_PROGRESS,
    T_WEEK,
    T_WEEK_ENDING,
    T_WEEK_STARTING,
    T_PLANNED_CUMULATIVE,
    T_BUILT_CUMULATIVE,
    T_BUILT_IN_WEEK,
    T_CHART_METRES,
    T_CHART_PREMISES,
    T_METRES,
    T_COUNT,
    /* milestones */
    T_MILESTONE,
    T_KIND,
    T_FUNDING_RELEVANT,
    T_TRANCHE,
    T_PLANNED,
    T_FORECAST,
    T_ACTUAL,
    T_VARIANCE_DAYS,
    T_STATE,
    T_NOTES,
    /* segments */
    T_SEGMENT,
    T_LOT,
    T_CONTRACTOR,
    T_METHOD,
    T_SURFACE,
    T_PLANNED_M,
    T_BUILT_M,
    T_STATUS,
    T_PLANNED_START,
    T_PLANNED_END,
    T_ACTUAL_START,
    T_ACTUAL_END,
    /* premises */
    T_ADDRESS_ID,
    T_STREET,
    T_HOUSE_NUMBER,
    T_POSTCODE,
    T_CITY,
    T_WHITE_SPOT,
    T_STATUS_DATE,
    T_SERVING_SEGMENT,
    T_YES,
    T_NO,
    /* contractors */
    T_LOTS,
    T_SEGMENTS,
    T_REPORTS_APPROVED,
    T_REPORTS_REJECTED,
    T_REPORTS_PENDING,
    T_AVG_PER_WEEK,
    T_METRES_PER_WEEK,
    T_NO_CONTRACTOR,
    T_TOTAL,
    /* costs */
    T_CATEGORY,
    T_INVOICES,
    T_FUNDING,
    T_SHARE,
    T_RATE,
    T_AMOUNT,
    T_FEDERAL,
    T_STATE_PROGRAMME,
    T_MUNICIPALITY,
    /* costs.xlsx */
    T_ITEM,
    T_PERIOD,
    T_INVOICES_IN_PERIOD,
    T_INVOICED_IN_PERIOD,
    T_ELIGIBLE_IN_PERIOD,
    T_OF_WHICH_PAID,
    T_CLAIM_FEDERAL,
    T_CLAIM_STATE,
    T_MUNICIPAL_PERIOD,
    T_CUMULATIVE,
    T_CUMULATIVE_INVOICED,
    T_CUMULATIVE_ELIGIBLE,
    T_CUMULATIVE_PAID,
    T_REMAINING_BUDGET,
    T_CUMULATIVE_FEDERAL,
    T_CUMULATIVE_STATE,
    T_CUMULATIVE_MUNICIPAL,
    T_INVOICE_NUMBER,
    T_INVOICE_DATE,
    T_NET,
    T_VAT,
    T_GROSS,
    T_NOT_ELIGIBLE,
    T_ELIGIBILITY,
    T_PAID_ON,
    T_FULLY_ELIGIBLE,
    T_PARTLY_ELIGIBLE,
    T_NOT_ELIGIBLE_VALUE,
    T_BY_CATEGORY,
    T_BY_LOT,
    T_LOT_NAME,
    T_NO_LOT,
    T_CLAIM_NOTE,
    T_PAGE,
    T_TEXT_COUNT
};

/* The vocabularies of stored values. */
enum rpt_vocab {
    V_SEGMENT_STATUS,
    V_METHOD,
    V_SURFACE,
    V_SEGMENT_KIND,
    V_PREMISE_KIND,
    V_PREMISE_STATUS,
    V_MILESTONE_STATE,
    V_MILESTONE_KIND,
    V_CATEGORY,
    V_INVOICE_STATUS,
    V_VOCAB_COUNT
};

/* A fixed text in lang; never NULL. */
const char *rpt_text(enum rpt_lang lang, enum rpt_text t);

/* The label of a stored value in lang: the value itself when the
 * vocabulary does not know it, NULL for NULL. */
const char *rpt_value(enum rpt_lang lang, enum rpt_vocab v, const char *value);

/* The i-th stored value of a vocabulary in its natural order, or NULL
 * past the end: for fixed table layouts and tests. */
const char *rpt_vocab_value(enum rpt_vocab v, size_t i);

/* The stored value a person means by text: the value itself or its
 * English or German label, in any case of ASCII letters; NULL for none. */
const char *rpt_value_named(enum rpt_vocab v, const char *text);

#endif
