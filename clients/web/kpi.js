// kpi.js — the key figures of a project summary (GET /projects/{id}/summary).

import { h, fmt, SEGMENT_STATUSES, STATUS_LABEL } from './ui.js';

function meter(value, max, label) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (100 * value) / max)) : 0;
  const m = h('span.meter', { role: 'img', 'aria-label': label });
  m.append(h('span.meter-fill', { dataset: { pct: Math.round(pct) } }));
  // CSP forbids style attributes, but the CSS object model is allowed.
  m.firstChild.style.width = `${pct}%`;
  return m;
}

function card(title, big, sub, meterEl = null, extraClass = '') {
  return h(`div.kpi${extraClass}`, h('h3.kpi-title', title), h('p.kpi-value', big), meterEl, h('p.kpi-sub', sub));
}

/** The KPI cards: route, premises, white spots, milestones (and costs for money roles). */
export function kpiCards(s, { costs = false } = {}) {
  const p = s.premises || {};
  const passed = (p.passed || 0) + (p.connected || 0) + (p.activated || 0);
  const connected = (p.connected || 0) + (p.activated || 0);
  const total = p.total || 0;
  const ws = s.white_spots || {};
  const ms = s.milestones || {};
  const cards = [
    card('Route built', fmt.km(s.built_length_m),
      `of ${fmt.km(s.planned_length_m)} planned (${fmt.pct(s.built_length_m, s.planned_length_m)}) · ${fmt.m(s.built_length_m)} of ${fmt.m(s.planned_length_m)}`,
      meter(s.built_length_m, s.planned_length_m, `${fmt.pct(s.built_length_m, s.planned_length_m)} of the route built`)),
    card('Premises passed', fmt.int(passed),
      `of ${fmt.int(total)} (${fmt.pct(passed, total)}) · ${fmt.int(connected)} connected`,
      meter(passed, total, `${fmt.pct(passed, total)} of premises passed`)),
    card('White spots closed', fmt.int(ws.passed),
      `of ${fmt.int(ws.total)} under-served addresses (${fmt.pct(ws.passed, ws.total)})`,
      meter(ws.passed || 0, ws.total || 0, `${fmt.pct(ws.passed, ws.total)} of white spots closed`)),
    card('Milestones late', fmt.int(ms.late),
      `${fmt.int(ms.at_risk)} at risk · ${fmt.int(ms.on_track)} on track · ${fmt.int(ms.done)} done`,
      null, ms.late ? '.kpi-bad' : '.kpi-good'),
  ];
  if (costs && s.costs) {
    const c = s.costs;
    cards.push(
      card('Invoiced', fmt.eur(c.invoiced_cents),
        `${fmt.eur(c.eligible_cents)} eligible · ${fmt.eur(c.paid_cents)} paid` +
        (c.budget_cents ? ` · budget ${fmt.eur(c.budget_cents)}` : ''),
        c.budget_cents ? meter(c.eligible_cents, c.budget_cents, `${fmt.pct(c.eligible_cents, c.budget_cents)} of the budget used`) : null),
      card('Funding shares', fmt.eur(c.federal_cents + c.state_cents),
        `federal ${fmt.eur(c.federal_cents)} · state ${fmt.eur(c.state_cents)} · municipality ${fmt.eur(c.municipal_cents)}`),
    );
  }
  return h('div.kpis', cards);
}

/** A stacked bar of segments by status, with counts. */
export function statusBar(byStatus) {
  const total = SEGMENT_STATUSES.reduce((a, k) => a + (byStatus[k] || 0), 0);
  const bar = h('div.stack', { 'aria-hidden': 'true' });
  const list = h('ul.legend.legend-inline');
  for (const k of SEGMENT_STATUSES) {
    const n = byStatus[k] || 0;
    if (n) {
      const part = h(`span.stack-part.st-${k}`, { title: `${STATUS_LABEL[k]}: ${n}` });
      part.style.flexGrow = String(n);
      bar.append(part);
    }
    list.append(h('li', h(`span.swatch.st-${k}`), `${STATUS_LABEL[k]} `, h('strong', fmt.int(n))));
  }
  return h('div.statusbar', h('p.small', `${fmt.int(total)} segments by status`), bar, list);
}
