// msg-finance.js — the messages of the finance pages (invoices, their CSV
// import, budget lines, drawdowns and report notes), in both languages.
// i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
};

export const de = {
};
