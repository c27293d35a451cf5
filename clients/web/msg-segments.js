// msg-segments.js — the messages of the segments table (page-segments.js) and the segment page (page-segment.js), in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
};

export const de = {
};
