// msg-timeline.js — the messages of the milestone timeline, in both
// languages. i18n.js merges them into its catalogues; keys are unique across files.

export const en = {
  'tl.views': 'View',
  'tl.table': 'Table',
  'tl.timeline': 'Timeline',
  'tl.label': 'Milestone timeline',
  'tl.caption': {
    one: 'Timeline of {n} milestone, {from} to {to}.',
    other: 'Timeline of {n} milestones, {from} to {to}.',
  },
  'tl.empty': 'No milestone to show. Choose “All” above to see every milestone.',
  'tl.keys': 'Tab or the arrow keys move from milestone to milestone; each one shows its dates. Enter or a click shows it in the table.',
  'tl.legend': 'Key',
  'tl.today': 'Today',
  'tl.lgPlanned': 'Planned date',
  'tl.lgForecast': 'Forecast',
  'tl.lgActual': 'Done (actual date)',
  'tl.lgRisk': 'At risk: forecast after the planned date',
  'tl.lgLate': 'Late: planned date passed',
  'tl.lgFunding': 'Relevant for funding',
  'tl.aPlanned': 'planned {date}',
  'tl.aForecast': 'forecast {date}',
  'tl.aActual': 'done on {date}',
  'tl.aFunding': 'relevant for funding',
  'tl.aTranche': 'relevant for funding, tranche {amount}',
};

export const de = {
  'tl.views': 'Ansicht',
  'tl.table': 'Tabelle',
  'tl.timeline': 'Zeitplan',
  'tl.label': 'Zeitplan der Meilensteine',
  'tl.caption': {
    one: 'Zeitplan mit {n} Meilenstein, {from} bis {to}.',
    other: 'Zeitplan mit {n} Meilensteinen, {from} bis {to}.',
  },
  'tl.empty': 'Kein Meilenstein anzuzeigen. Wählen Sie oben „Alle“, um jeden Meilenstein zu sehen.',
  'tl.keys': 'Mit Tab oder den Pfeiltasten gehen Sie von Meilenstein zu Meilenstein; jeder zeigt seine Termine. Mit der Eingabetaste oder einem Klick zeigen Sie ihn in der Tabelle.',
  'tl.legend': 'Legende',
  'tl.today': 'Heute',
  'tl.lgPlanned': 'Geplanter Termin',
  'tl.lgForecast': 'Prognose',
  'tl.lgActual': 'Erledigt (Ist-Termin)',
  'tl.lgRisk': 'Gefährdet: Prognose nach dem geplanten Termin',
  'tl.lgLate': 'Verspätet: geplanter Termin überschritten',
  'tl.lgFunding': 'Förderrelevant',
  'tl.aPlanned': 'geplant {date}',
  'tl.aForecast': 'Prognose {date}',
  'tl.aActual': 'erledigt am {date}',
  'tl.aFunding': 'förderrelevant',
  'tl.aTranche': 'förderrelevant, Tranche {amount}',
};
