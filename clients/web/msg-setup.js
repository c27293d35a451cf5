// msg-setup.js — the messages of the setup pages (page-setup.js) and the guided first run, in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
};

export const de = {
};
