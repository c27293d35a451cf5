// msg-map.js — the messages of the base map and the offline app shell, in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
};

export const de = {
};
