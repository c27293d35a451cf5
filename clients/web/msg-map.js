// msg-map.js — the messages of the base map and the offline app shell, in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
  'mp.baseMap': 'Base map',
  'mp.baseMapHint': 'Show the base map beneath the network',
  'mp.credit': 'Source of the base map',
  'mp.from': 'Base map: {host}',
  'mp.unavailable': 'The base map cannot be loaded just now; the network is shown without it.',
};

export const de = {
  'mp.baseMap': 'Grundkarte',
  'mp.baseMapHint': 'Die Grundkarte unter dem Netz zeigen',
  'mp.credit': 'Quelle der Grundkarte',
  'mp.from': 'Grundkarte: {host}',
  'mp.unavailable': 'Die Grundkarte lässt sich gerade nicht laden; das Netz wird ohne sie gezeigt.',
};
