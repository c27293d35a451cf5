// page-myreports.js — a contractor's own progress reports and their review state.

import * as api from './api.js';
import { h, fmt, errorBox, statusBadge, stateBadge } from './ui.js';
import { gallery, photoSummary } from './photos.js';
import { outboxPanel } from './outbox-view.js';
import * as sync from './sync.js';
import { t } from './i18n.js';

export async function render(el, ctx) {
  el.append(h('h1', t('mr.title')), outboxPanel({ signal: ctx.signal, id: 'outbox-myreports' }), h('p.loading', t('c.loading')));
  const stateSel = h('select#rep-state', { name: 'state' },
    h('option', { value: '' }, t('c.all')),
    ['submitted', 'approved', 'rejected'].map((v) => h('option', { value: v }, t(`repstate.${v}`))));
  const tbody = h('tbody');
  const more = h('button.btn', { type: 'button', hidden: true }, t('c.showMore'));
  const info = h('p.small', { 'aria-live': 'polite' });
  el.querySelector('.loading').replaceWith(
    h('div.field.field-inline', h('label', { for: 'rep-state' }, t('c.show')), stateSel),
    h('div.table-wrap', h('table.table.table-cards#my-reports',
      h('caption.sr-only', t('mr.caption')),
      h('thead', h('tr', h('th', { scope: 'col' }, t('mr.report')), h('th', { scope: 'col' }, t('c.segment')),
        h('th', { scope: 'col' }, t('c.date')), h('th', { scope: 'col' }, t('c.built')), h('th', { scope: 'col' }, t('mr.target')),
        h('th', { scope: 'col' }, t('c.photos')), h('th', { scope: 'col' }, t('mr.review')))),
      tbody)),
    info, more);

  let cursor = null;
  let all = [];
  let releases = [];
  const photosCell = (r) => {
    const atts = r.attachments || [];
    if (!atts.length) return h('td', { 'data-label': t('c.photos') }, h('span.small', photoSummary(atts)));
    const g = gallery(atts, { signal: ctx.signal, compact: true, label: t('rv.photosOf', { id: r.id }) });
    releases.push(g.release);
    return h('td', { 'data-label': t('c.photos') }, g.el, h('span.small.block', photoSummary(atts)));
  };
  async function load(reset) {
    if (reset) { cursor = null; all = []; tbody.replaceChildren(); }
    info.textContent = t('c.loading');
    try {
      // newest first: read every page (a contractor has a modest number), then sort
      const page = await api.get('progress-reports', { state: stateSel.value, limit: 1000, cursor }, { signal: ctx.signal });
      all = all.concat(page.items);
      cursor = page.next_cursor;
      all.sort((a, b) => b.id - a.id);
      for (const rel of releases.splice(0)) rel();
      tbody.replaceChildren(...all.map((r) => h('tr', { dataset: { report: r.id, state: r.state } },
        h('th', { scope: 'row', 'data-label': t('mr.report') }, `#${r.id}`),
        h('td', { 'data-label': t('c.segment') }, r.segment_code || String(r.segment_id)),
        h('td', { 'data-label': t('c.date') }, fmt.date(r.report_date)),
        h('td', { 'data-label': t('c.built'), class: 'built' }, fmt.m(r.built_length_m)),
        h('td', { 'data-label': t('mr.target') }, statusBadge(r.status)),
        photosCell(r),
        h('td', { 'data-label': t('mr.review') }, stateBadge(r.state),
          r.review_comment ? h('span.small.block', `“${r.review_comment}”`) : null,
          r.reviewed_at ? h('span.small.block', fmt.date(r.reviewed_at)) : null))));
      more.hidden = !cursor;
      info.textContent = all.length ? t('mr.count', { n: all.length }) : t('mr.none');
    } catch (err) {
      if (err.name === 'AbortError') return;
      info.replaceChildren(errorBox(err, 'what.yourReports', () => load(reset)));
    }
  }
  stateSel.addEventListener('change', () => load(true));
  // a queued report that reached the server shows up in the list
  sync.events.addEventListener('sent', () => load(true), { signal: ctx.signal });
  more.addEventListener('click', () => load(false));
  await load(true);
}
