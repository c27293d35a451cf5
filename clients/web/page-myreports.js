// page-myreports.js — a contractor's own progress reports and their review state.

import * as api from './api.js';
import { h, fmt, errorBox, statusBadge, stateBadge } from './ui.js';
import { gallery, photoSummary } from './photos.js';
import { outboxPanel } from './outbox-view.js';
import * as sync from './sync.js';

const T = {
  photos: 'Photos',
  photosOf: (id) => `Photos of report #${id}`,
};

export async function render(el, ctx) {
  el.append(h('h1', 'My progress reports'), outboxPanel({ signal: ctx.signal, id: 'outbox-myreports' }), h('p.loading', 'Loading…'));
  const stateSel = h('select#rep-state', { name: 'state' },
    h('option', { value: '' }, 'All'),
    h('option', { value: 'submitted' }, 'Waiting for review'),
    h('option', { value: 'approved' }, 'Approved'),
    h('option', { value: 'rejected' }, 'Rejected'));
  const tbody = h('tbody');
  const more = h('button.btn', { type: 'button', hidden: true }, 'Show more');
  const info = h('p.small', { 'aria-live': 'polite' });
  el.querySelector('.loading').replaceWith(
    h('div.field.field-inline', h('label', { for: 'rep-state' }, 'Show'), stateSel),
    h('div.table-wrap', h('table.table.table-cards#my-reports',
      h('caption.sr-only', 'My progress reports, newest first'),
      h('thead', h('tr', h('th', { scope: 'col' }, 'Report'), h('th', { scope: 'col' }, 'Segment'),
        h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Built'), h('th', { scope: 'col' }, 'Target status'),
        h('th', { scope: 'col' }, T.photos), h('th', { scope: 'col' }, 'Review'))),
      tbody)),
    info, more);

  let cursor = null;
  let all = [];
  let releases = [];
  const photosCell = (r) => {
    const atts = r.attachments || [];
    if (!atts.length) return h('td', { 'data-label': T.photos }, h('span.small', photoSummary(atts)));
    const g = gallery(atts, { signal: ctx.signal, compact: true, label: T.photosOf(r.id) });
    releases.push(g.release);
    return h('td', { 'data-label': T.photos }, g.el, h('span.small.block', photoSummary(atts)));
  };
  async function load(reset) {
    if (reset) { cursor = null; all = []; tbody.replaceChildren(); }
    info.textContent = 'Loading…';
    try {
      // newest first: read every page (a contractor has a modest number), then sort
      const page = await api.get('progress-reports', { state: stateSel.value, limit: 1000, cursor }, { signal: ctx.signal });
      all = all.concat(page.items);
      cursor = page.next_cursor;
      all.sort((a, b) => b.id - a.id);
      for (const rel of releases.splice(0)) rel();
      tbody.replaceChildren(...all.map((r) => h('tr', { dataset: { report: r.id, state: r.state } },
        h('th', { scope: 'row', 'data-label': 'Report' }, `#${r.id}`),
        h('td', { 'data-label': 'Segment' }, r.segment_code || String(r.segment_id)),
        h('td', { 'data-label': 'Date' }, fmt.date(r.report_date)),
        h('td', { 'data-label': 'Built' }, fmt.m(r.built_length_m)),
        h('td', { 'data-label': 'Target status' }, statusBadge(r.status)),
        photosCell(r),
        h('td', { 'data-label': 'Review' }, stateBadge(r.state),
          r.review_comment ? h('span.small.block', `“${r.review_comment}”`) : null,
          r.reviewed_at ? h('span.small.block', fmt.date(r.reviewed_at)) : null))));
      more.hidden = !cursor;
      info.textContent = all.length ? `${fmt.int(all.length)} report${all.length === 1 ? '' : 's'}.` : 'No reports yet. Report progress from “My segments”.';
    } catch (err) {
      if (err.name === 'AbortError') return;
      info.replaceChildren(errorBox(err, 'your reports', () => load(reset)));
    }
  }
  stateSel.addEventListener('change', () => load(true));
  // a queued report that reached the server shows up in the list
  sync.events.addEventListener('sent', () => load(true), { signal: ctx.signal });
  more.addEventListener('click', () => load(false));
  await load(true);
}
