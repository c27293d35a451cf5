// kpi.js — the key figures of a project summary (GET /projects/{id}/summary).

import { h, fmt, SEGMENT_STATUSES, statusLabel } from './ui.js';
import { t } from './i18n.js';

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
    card(t('kpi.route'), fmt.km(s.built_length_m),
      t('kpi.routeSub', {
        planned: fmt.km(s.planned_length_m), pct: fmt.pct(s.built_length_m, s.planned_length_m),
        builtM: fmt.m(s.built_length_m), plannedM: fmt.m(s.planned_length_m),
      }),
      meter(s.built_length_m, s.planned_length_m, t('kpi.routeMeter', { pct: fmt.pct(s.built_length_m, s.planned_length_m) }))),
    card(t('kpi.premises'), fmt.int(passed),
      t('kpi.premisesSub', { total: fmt.int(total), pct: fmt.pct(passed, total), connected: fmt.int(connected) }),
      meter(passed, total, t('kpi.premisesMeter', { pct: fmt.pct(passed, total) }))),
    card(t('kpi.whiteSpots'), fmt.int(ws.passed),
      t('kpi.whiteSpotsSub', { total: fmt.int(ws.total), pct: fmt.pct(ws.passed, ws.total) }),
      meter(ws.passed || 0, ws.total || 0, t('kpi.whiteSpotsMeter', { pct: fmt.pct(ws.passed, ws.total) }))),
    card(t('kpi.msLate'), fmt.int(ms.late),
      t('kpi.msSub', { risk: fmt.int(ms.at_risk), track: fmt.int(ms.on_track), done: fmt.int(ms.done) }),
      null, ms.late ? '.kpi-bad' : '.kpi-good'),
  ];
  if (costs && s.costs) {
    const c = s.costs;
    cards.push(
      card(t('kpi.invoiced'), fmt.eur(c.invoiced_cents),
        t('kpi.invoicedSub', { eligible: fmt.eur(c.eligible_cents), paid: fmt.eur(c.paid_cents) }) +
        (c.budget_cents ? t('kpi.budget', { budget: fmt.eur(c.budget_cents) }) : ''),
        c.budget_cents ? meter(c.eligible_cents, c.budget_cents, t('kpi.budgetMeter', { pct: fmt.pct(c.eligible_cents, c.budget_cents) })) : null),
      card(t('kpi.funding'), fmt.eur(c.federal_cents + c.state_cents),
        t('kpi.fundingSub', { federal: fmt.eur(c.federal_cents), state: fmt.eur(c.state_cents), municipal: fmt.eur(c.municipal_cents) })),
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
      const part = h(`span.stack-part.st-${k}`, { title: `${statusLabel(k)}: ${fmt.int(n)}` });
      part.style.flexGrow = String(n);
      bar.append(part);
    }
    list.append(h('li', h(`span.swatch.st-${k}`), `${statusLabel(k)} `, h('strong', fmt.int(n))));
  }
  return h('div.statusbar', h('p.small', t('kpi.byStatus', { n: total })), bar, list);
}
