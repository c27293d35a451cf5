// msg-audit.js — the messages of the audit viewer (page-audit.js), in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
};

export const de = {
};
