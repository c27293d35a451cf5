// timeline.js — the milestones of a project as a Gantt-style chart, drawn as
// SVG without a library: one row per milestone on an axis of months, a line
// for today; for each milestone its planned date, its forecast (a bar from
// planned to forecast when it slips, coloured by its state) and its actual
// date when done. Each row is focusable, has an accessible name with its
// dates, and shows a tooltip on hover and focus. The milestones table beside
// it is the full text alternative.
//
//   timeline(milestones, {today: 'YYYY-MM-DD', onOpen(m)}) → an element to
//   insert; it draws itself again when its width changes. Enter or a click on
//   a row calls onOpen with its milestone (the page shows it in the table).

import { h, fmt, stateLabel } from './ui.js';
import { t, locale } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const ROW = 36; // height of a row, in the names column too
const YEAR_H = 18; // the years' line of the axis
const AXIS = 42; // years and months above the rows
const FOOT = 20; // below the rows: the label of the today line
const PAD = 10; // room left and right for marks at the edges
const MIN_MONTH = 24; // narrower months scroll inside the chart's box

/** An SVG element: s('rect', {x: 1, class: 'a'}, ...children). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

// ---- dates as month positions ----------------------------------------------------------

/** 'YYYY-MM-DD' → {y, m (0-11), d} or null. */
function parts(iso) {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(String(iso || ''));
  return m ? { y: Number(m[1]), m: Number(m[2]) - 1, d: Number(m[3]) } : null;
}

const monthIndex = (p) => p.y * 12 + p.m;
const daysIn = (y, m) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** Months (with fraction) from the first of the axis' first month to a date. */
function monthPos(p, first) {
  return monthIndex(p) - first + (p.d - 1) / daysIn(p.y, p.m);
}

const monthDate = (index) => new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
const isoMonth = (index) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

// ---- what a milestone's row says --------------------------------------------------------

/** The accessible name of a row: "Baubeginn: geplant 01.03.2026, Prognose 15.04.2026, gefährdet". */
export function describe(m) {
  const out = [];
  if (m.planned_date) out.push(t('tl.aPlanned', { date: fmt.date(m.planned_date) }));
  if (m.forecast_date && !m.actual_date) out.push(t('tl.aForecast', { date: fmt.date(m.forecast_date) }));
  if (m.actual_date) out.push(t('tl.aActual', { date: fmt.date(m.actual_date) }));
  if (m.state) out.push(stateLabel(m.state));
  if (m.funding_relevant) out.push(m.tranche_cents ? t('tl.aTranche', { amount: fmt.eur(m.tranche_cents) }) : t('tl.aFunding'));
  return `${m.name}: ${out.join(', ')}`;
}

function tipContent(m) {
  const line = (label, value) => (value ? h('div', h('span.tl-tip-k', label), ' ', value) : null);
  const variance = m.variance_days
    ? (m.variance_days > 0 ? t('ms.behind', { n: m.variance_days }) : t('ms.ahead', { n: -m.variance_days }))
    : null;
  return [
    h('strong.block', m.name),
    line(t('c.planned'), m.planned_date ? fmt.date(m.planned_date) : null),
    line(t('c.forecast'), m.forecast_date ? fmt.date(m.forecast_date) : null),
    line(t('c.actual'), m.actual_date ? fmt.date(m.actual_date) : null),
    h('div', h(`span.badge.ms-${m.state}`, stateLabel(m.state)), variance ? ` ${variance}` : null),
    m.funding_relevant
      ? h('div', m.tranche_cents ? t('tl.aTranche', { amount: fmt.eur(m.tranche_cents) }) : t('tl.aFunding'))
      : null,
  ];
}

// ---- drawing -----------------------------------------------------------------------------

const diamond = (x, y, r) => `M${x},${y - r} L${x + r},${y} L${x},${y + r} L${x - r},${y} Z`;

/** The legend's little pictures, as the chart draws them. */
function key(kind) {
  const svg = s('svg', { width: 26, height: 14, viewBox: '0 0 26 14', 'aria-hidden': 'true', focusable: 'false', class: 'tl-key' });
  switch (kind) {
    case 'planned': svg.append(s('path', { d: diamond(13, 7, 5), class: 'tl-planned' })); break;
    case 'forecast': svg.append(s('circle', { cx: 13, cy: 7, r: 4.5, class: 'tl-forecast tl-on_track' })); break;
    case 'actual': svg.append(s('path', { d: diamond(13, 7, 5.5), class: 'tl-actual' })); break;
    case 'late': svg.append(s('rect', { x: 1, y: 3, width: 24, height: 8, rx: 2, class: 'tl-bar tl-late' })); break;
    case 'at_risk': svg.append(s('rect', { x: 1, y: 3, width: 24, height: 8, rx: 2, class: 'tl-bar tl-at_risk' })); break;
    case 'today': svg.append(s('line', { x1: 13, x2: 13, y1: 0, y2: 14, class: 'tl-today' })); break;
    default: break;
  }
  return svg;
}

function legend() {
  const item = (kind, text) => h('li', kind === 'funding' ? h('span.tl-fund', { 'aria-hidden': 'true' }, '€') : key(kind), text);
  return h('ul.legend-inline.tl-legend', { 'aria-label': t('tl.legend') },
    item('planned', t('tl.lgPlanned')),
    item('forecast', t('tl.lgForecast')),
    item('actual', t('tl.lgActual')),
    item('at_risk', t('tl.lgRisk')),
    item('late', t('tl.lgLate')),
    item('today', t('tl.today')),
    item('funding', t('tl.lgFunding')));
}

/**
 * The timeline of milestones (in the order given). opts.today is today's
 * date (YYYY-MM-DD). Returns a figure element.
 */
export function timeline(milestones, opts = {}) {
  const todayIso = parts(opts.today) ? opts.today : new Date().toISOString().slice(0, 10);
  const today = parts(todayIso);
  const rows = milestones.filter((m) => parts(m.planned_date) || parts(m.forecast_date) || parts(m.actual_date));
  const fig = h('figure.tl', { dataset: { rows: String(rows.length) } });
  if (!rows.length) {
    fig.append(h('p', t('tl.empty')));
    return fig;
  }

  // the axis: whole months from the earliest to the latest date, today included
  let lo = monthIndex(today);
  let hi = lo;
  for (const m of rows) {
    for (const d of [m.planned_date, m.forecast_date, m.actual_date]) {
      const p = parts(d);
      if (!p) continue;
      lo = Math.min(lo, monthIndex(p));
      hi = Math.max(hi, monthIndex(p));
    }
  }
  const first = lo;
  const months = Math.max(hi - lo + 1, 3);
  const monthFmt = new Intl.DateTimeFormat(locale(), { month: 'short', timeZone: 'UTC' });
  const yearFmt = new Intl.DateTimeFormat(locale(), { year: 'numeric', timeZone: 'UTC' });
  const longMonth = new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' });

  const names = h('ol.tl-names', { 'aria-hidden': 'true' });
  const scroller = h('div.tl-scroll');
  const tip = h('div.tl-tip', { role: 'tooltip', id: `tl-tip-${Math.random().toString(36).slice(2, 8)}`, hidden: true });
  const box = h('div.tl-box', h('div.tl-names-col', h('div.tl-names-head'), names), scroller, tip);
  box.style.setProperty('--tl-row', `${ROW}px`);
  box.querySelector('.tl-names-head').style.height = `${AXIS}px`;
  fig.append(
    h('figcaption.small', t('tl.caption', {
      n: rows.length, from: longMonth.format(monthDate(first)), to: longMonth.format(monthDate(first + months - 1)),
    })),
    legend(),
    box,
    h('p.hint', t('tl.keys')),
  );

  for (const m of rows) {
    names.append(h(`li.tl-name.ms-${m.state}`, { dataset: { id: m.id }, title: m.name },
      h('span.tl-name-text', m.name),
      m.funding_relevant ? h('span.tl-fund', '€') : null));
  }

  let drawnWidth = -1;
  let svg = null;

  function draw() {
    const avail = Math.max(scroller.clientWidth - 2 * PAD, 0);
    if (avail === drawnWidth && svg) return;
    drawnWidth = avail;
    const mw = Math.max(MIN_MONTH, avail / months);
    const width = Math.round(months * mw + 2 * PAD);
    const height = AXIS + rows.length * ROW + FOOT;
    const x = (p) => PAD + monthPos(p, first) * mw;
    svg = s('svg', {
      width, height, viewBox: `0 0 ${width} ${height}`, class: 'tl-svg', role: 'group',
      'aria-label': t('tl.label'),
      'data-first-month': isoMonth(first), 'data-month-width': mw.toFixed(3), 'data-pad': PAD,
    });

    // the grid: a line at each month, stronger at each year; the labels
    const grid = s('g', { class: 'tl-grid', 'aria-hidden': 'true' });
    const step = mw >= 40 ? 1 : mw >= 14 ? 3 : 12;
    for (let i = 0; i <= months; i++) {
      const idx = first + i;
      const gx = PAD + i * mw;
      const january = idx % 12 === 0;
      grid.append(s('line', {
        x1: gx, x2: gx, y1: january ? 0 : YEAR_H, y2: AXIS + rows.length * ROW,
        class: january ? 'tl-year-line' : 'tl-month-line', 'data-month': isoMonth(idx),
      }));
      if (i === months) break;
      if (idx % step === 0 || (step === 12 && i === 0)) {
        grid.append(s('text', { x: gx + 3, y: AXIS - 8, class: 'tl-month' }, monthFmt.format(monthDate(idx))));
      }
      if (january || i === 0) {
        grid.append(s('text', { x: gx + 3, y: YEAR_H - 5, class: 'tl-year' }, yearFmt.format(monthDate(idx))));
      }
    }
    svg.append(grid);

    rows.forEach((m, i) => {
      const top = AXIS + i * ROW;
      const cy = top + ROW / 2;
      const pl = parts(m.planned_date);
      const fc = m.actual_date ? null : parts(m.forecast_date);
      const ac = parts(m.actual_date);
      const g = s('g', {
        class: `tl-row tl-${m.state}`, tabindex: 0, role: 'img', 'aria-label': describe(m),
        'data-id': m.id, 'data-state': m.state,
      });
      g.append(s('rect', { x: 0, y: top, width, height: ROW, class: i % 2 ? 'tl-row-bg tl-odd' : 'tl-row-bg' }));
      const bar = (a, b, cls) => {
        const x1 = Math.min(x(a), x(b));
        const x2 = Math.max(x(a), x(b));
        g.append(s('rect', { x: x1, y: cy - 5, width: Math.max(x2 - x1, 2), height: 10, rx: 3, class: `tl-bar ${cls}` }));
      };
      // A late milestone's bar runs to today (or to its forecast, if later);
      // one that slips to runs to its forecast; a done one to its actual date.
      if (pl && m.state === 'late') {
        bar(pl, fc && m.forecast_date > todayIso ? fc : today, 'tl-late');
      } else if (pl && fc && m.forecast_date !== m.planned_date) {
        bar(pl, fc, m.forecast_date > m.planned_date ? `tl-${m.state}` : 'tl-ahead');
      } else if (pl && ac && m.actual_date !== m.planned_date) {
        bar(pl, ac, 'tl-done-bar');
      }
      if (pl) g.append(s('path', { d: diamond(x(pl), cy, 6), class: 'tl-planned', 'data-date': m.planned_date, 'data-x': x(pl).toFixed(2) }));
      if (fc) g.append(s('circle', { cx: x(fc), cy, r: 5, class: `tl-forecast tl-${m.state}`, 'data-date': m.forecast_date, 'data-x': x(fc).toFixed(2) }));
      if (ac) g.append(s('path', { d: diamond(x(ac), cy, 7), class: 'tl-actual', 'data-date': m.actual_date, 'data-x': x(ac).toFixed(2) }));
      g.addEventListener('mouseenter', () => showTip(g, m));
      g.addEventListener('mouseleave', () => { if (document.activeElement !== g) hideTip(); });
      g.addEventListener('focus', () => showTip(g, m));
      g.addEventListener('blur', hideTip);
      g.addEventListener('keydown', (e) => onKey(e, i));
      if (opts.onOpen) g.addEventListener('click', () => opts.onOpen(m));
      svg.append(g);
    });

    // today, over the rows
    const tx = x(today);
    svg.append(s('g', { class: 'tl-today-g', 'aria-hidden': 'true' },
      s('line', { x1: tx, x2: tx, y1: YEAR_H, y2: AXIS + rows.length * ROW + 4, class: 'tl-today', 'data-x': tx.toFixed(2) }),
      s('text', { x: tx, y: height - 5, class: 'tl-today-label', 'text-anchor': 'middle' }, t('tl.today'))));

    const focused = scroller.querySelector('.tl-row:focus');
    const focusedIndex = focused ? [...scroller.querySelectorAll('.tl-row')].indexOf(focused) : -1;
    scroller.replaceChildren(svg);
    if (focusedIndex >= 0) svg.querySelectorAll('.tl-row')[focusedIndex].focus({ preventScroll: true });
    // where the chart is wider than its box, start with today in view
    if (scroller.scrollWidth > scroller.clientWidth) scroller.scrollLeft = Math.max(0, tx - scroller.clientWidth / 2);
  }

  function showTip(g, m) {
    for (const li of names.children) li.classList.toggle('tl-active', li.dataset.id === String(m.id));
    tip.replaceChildren(...tipContent(m).filter(Boolean));
    tip.hidden = false;
    g.setAttribute('aria-describedby', tip.id);
    const br = box.getBoundingClientRect();
    const marks = [...g.querySelectorAll('.tl-planned, .tl-forecast, .tl-actual, .tl-bar')].map((el) => el.getBoundingClientRect());
    const sr = scroller.getBoundingClientRect();
    const right = Math.min(Math.max(...marks.map((r) => r.right)), sr.right);
    const left = Math.max(Math.min(right, sr.right) - 20, sr.left);
    const row = g.querySelector('.tl-row-bg').getBoundingClientRect();
    const tw = tip.offsetWidth;
    const th = tip.offsetHeight;
    let tl = Math.min(left - br.left, br.width - tw - 4);
    tl = Math.max(tl, 4);
    let tt = row.bottom - br.top + 2;
    if (tt + th > br.height && row.top - br.top - th - 2 >= 0) tt = row.top - br.top - th - 2;
    tip.style.left = `${tl}px`;
    tip.style.top = `${tt}px`;
  }

  function hideTip() {
    tip.hidden = true;
    for (const li of names.children) li.classList.remove('tl-active');
  }

  function onKey(e, i) {
    const all = [...scroller.querySelectorAll('.tl-row')];
    let to = null;
    if (e.key === 'ArrowDown') to = Math.min(i + 1, all.length - 1);
    else if (e.key === 'ArrowUp') to = Math.max(i - 1, 0);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = all.length - 1;
    else if (e.key === 'Escape') { hideTip(); return; }
    else if (e.key === 'Enter' && opts.onOpen) { e.preventDefault(); opts.onOpen(rows[i]); return; }
    if (to === null) return;
    e.preventDefault();
    all[to].focus();
  }

  // Drawn once in the page, then again whenever the box changes width.
  const ro = new ResizeObserver(() => {
    if (!fig.isConnected) { if (svg) ro.disconnect(); return; }
    draw();
  });
  ro.observe(scroller);
  fig.redraw = draw;
  return fig;
}
