// page-work.js — a contractor's own lots and segments, with the progress form
// (POST /progress-reports with an Idempotency-Key made once per submission and
// kept until the server answers: a double click or a retry never makes two).

import * as api from './api.js';
import {
  h, fmt, today, errorBox, messageBox, statusBadge, field, showFieldErrors, clearFieldErrors,
  announce, describeError, retryPage, SEGMENT_STATUSES, STATUS_LABEL,
} from './ui.js';

const PAGE = 50;

export async function render(el, ctx) {
  el.append(h('h1', 'My segments'), h('p.loading', 'Loading your lots…'));
  let lots;
  try {
    lots = await api.listAll('lots', {}, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'your lots', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  const lotById = new Map(lots.map((l) => [l.id, l]));

  const pageStatus = h('div#work-status', { 'aria-live': 'polite' });
  el.append(
    h('p.lead', lots.length
      ? `You work on ${lots.length} lot${lots.length === 1 ? '' : 's'}. Report what was built; the project manager reviews it.`
      : 'No lot is assigned to your company yet.'),
    h('ul.lot-list', lots.map((l) => h('li.card.lot',
      h('strong', l.code), ` ${l.name}`,
      h('span.small.block', l.auto_approve ? 'Reports are applied at once (no review).' : 'Reports are reviewed by the project manager.')))),
    pageStatus,
  );

  // ---- filters ----
  const lotSel = h('select#f-lot', { name: 'lot_id' }, h('option', { value: '' }, 'All my lots'),
    lots.map((l) => h('option', { value: String(l.id) }, `${l.code} ${l.name}`)));
  const stSel = h('select#f-status', { name: 'status' }, h('option', { value: '' }, 'Any status'),
    SEGMENT_STATUSES.map((s) => h('option', { value: s }, STATUS_LABEL[s])));
  const q = h('input#f-q', { type: 'search', name: 'q', placeholder: 'e.g. S-0001', autocomplete: 'off' });
  const filters = h('form.filters', { role: 'search', 'aria-label': 'Filter segments' },
    field('Lot', lotSel), field('Status', stSel), field('Segment code', q),
    h('button.btn', { type: 'submit' }, 'Filter'));
  const tbody = h('tbody');
  const more = h('button.btn', { type: 'button', hidden: true }, 'Show more');
  const counter = h('p.small#seg-count', { 'aria-live': 'polite' });
  el.append(filters,
    h('div.table-wrap', h('table.table.table-cards#segments',
      h('caption.sr-only', 'My segments'),
      h('thead', h('tr',
        h('th', { scope: 'col' }, 'Segment'), h('th', { scope: 'col' }, 'Lot'), h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Built'), h('th', { scope: 'col' }, 'Planned end'),
        h('th', { scope: 'col' }, h('span.sr-only', 'Actions')))),
      tbody)),
    counter, more);

  const dialog = buildDialog();
  el.append(dialog.el);

  let cursor = null;
  let shown = 0;
  const rows = new Map();
  async function load(reset) {
    if (reset) { tbody.replaceChildren(); rows.clear(); cursor = null; shown = 0; }
    more.disabled = true;
    counter.textContent = 'Loading…';
    try {
      const page = await api.get('segments', {
        limit: PAGE, cursor, lot_id: lotSel.value, status: stSel.value, q: q.value.trim(),
      }, { signal: ctx.signal });
      for (const s of page.items) {
        const tr = h('tr', { dataset: { segment: s.code } });
        rows.set(s.id, { tr, s });
        fillRow(s.id);
        tbody.append(tr);
      }
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      more.disabled = false;
      counter.textContent = shown ? `${fmt.int(shown)} segment${shown === 1 ? '' : 's'} shown${cursor ? '; more below' : ''}.` : 'No segment matches.';
    } catch (err) {
      if (err.name === 'AbortError') return;
      more.disabled = false;
      counter.replaceChildren(errorBox(err, 'your segments', () => load(reset)));
    }
  }
  function fillRow(id) {
    const { tr, s } = rows.get(id);
    const lot = lotById.get(s.lot_id);
    tr.replaceChildren(
      h('th', { scope: 'row', 'data-label': 'Segment' }, s.code, h('span.small.block', `${fmt.label(s.method)} · ${fmt.label(s.kind)}`)),
      h('td', { 'data-label': 'Lot' }, lot ? lot.code : '–'),
      h('td', { 'data-label': 'Status' }, statusBadge(s.status)),
      h('td', { 'data-label': 'Built' }, `${fmt.m(s.built_length_m)} of ${fmt.m(s.planned_length_m)}`,
        h('span.small.block', fmt.pct(s.built_length_m, s.planned_length_m))),
      h('td', { 'data-label': 'Planned end' }, fmt.date(s.planned_end)),
      h('td.actions', { 'data-label': '' },
        s.status === 'accepted'
          ? h('span.small', 'Accepted: nothing left to report')
          : h('button.btn', { type: 'button', 'aria-label': `Report progress on ${s.code}`, onclick: (e) => dialog.open(s, e.currentTarget) }, 'Report progress')),
    );
  }
  filters.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  lotSel.addEventListener('change', () => load(true));
  stSel.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  await load(true);

  // ---- the progress form, in a modal dialog ----
  function buildDialog() {
    const title = h('h2#pr-title', 'Report progress');
    const segInfo = h('p#pr-seg.small');
    const date = h('input#pr-date', { type: 'date', name: 'report_date', required: true });
    const length = h('input#pr-length', { type: 'number', name: 'built_length_m', min: '0', step: '0.01', inputmode: 'decimal', required: true });
    const status = h('select#pr-status', { name: 'status', required: true });
    const note = h('textarea#pr-note', { name: 'note', rows: '3', maxlength: '4000' });
    const send = h('button.btn.btn-primary#pr-send', { type: 'submit' }, 'Send report');
    const cancel = h('button.btn', { type: 'button' }, 'Cancel');
    const out = h('div.form-status', { 'aria-live': 'polite' });
    const form = h('form#pr-form', { novalidate: true },
      field('Segment', h('input#pr-segment', { name: 'segment_id', type: 'text', readonly: true })),
      segInfo,
      field('Report date', date),
      field('Built length so far (m)', length, 'Cumulative, as measured on site.'),
      field('Status reached', status),
      field('Note', note, 'Needed when the length is more than 1.5 × the planned length.'),
      h('p.actions', send, cancel), out);
    const dlg = h('dialog.dialog#progress-dialog', { 'aria-labelledby': 'pr-title' }, title, form);
    let seg = null;
    let opener = null;
    // the pending submission: its key is reused until the server answers
    let pending = null;

    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => { if (opener && opener.isConnected) opener.focus(); });

    function open(s, from) {
      seg = s;
      opener = from;
      pending = null;
      clearFieldErrors(form);
      out.replaceChildren();
      title.textContent = `Report progress on ${s.code}`;
      form.elements.namedItem('segment_id').value = s.code;
      segInfo.replaceChildren('Now ', statusBadge(s.status), ` · ${fmt.m(s.built_length_m)} of ${fmt.m(s.planned_length_m)} planned`);
      date.value = today();
      date.max = today();
      length.value = String(s.built_length_m ?? 0);
      length.max = String(Math.round(s.planned_length_m * 3));
      const from0 = Math.max(0, SEGMENT_STATUSES.indexOf(s.status));
      status.replaceChildren(...SEGMENT_STATUSES.slice(from0).filter((x) => x !== 'accepted')
        .map((x, i) => h('option', { value: x, selected: i === Math.min(1, SEGMENT_STATUSES.length) }, STATUS_LABEL[x])));
      if (status.options.length === 1) status.selectedIndex = 0;
      note.value = '';
      send.disabled = false;
      send.textContent = 'Send report';
      dlg.showModal();
      length.focus();
      length.select();
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (send.disabled) return; // a second click while the first is on its way
      clearFieldErrors(form);
      out.replaceChildren();
      const body = {
        segment_id: seg.id,
        report_date: date.value,
        built_length_m: length.value === '' ? null : Number(length.value),
        status: status.value,
      };
      if (note.value.trim()) body.note = note.value.trim();
      const local = [];
      if (!body.report_date) local.push({ pointer: '/report_date', detail: 'Enter the date of the measurement.' });
      if (body.built_length_m === null || !Number.isFinite(body.built_length_m) || body.built_length_m < 0) {
        local.push({ pointer: '/built_length_m', detail: 'Enter the built length in metres (0 or more).' });
      }
      if (local.length) { showFieldErrors(form, { errors: local }); return; }

      const text = JSON.stringify(body);
      if (!pending || pending.body !== text) pending = { key: api.newIdempotencyKey(), body: text };
      send.disabled = true;
      send.textContent = 'Sending…';
      try {
        const rep = await api.post('progress-reports', body, { headers: { 'Idempotency-Key': pending.key } });
        pending = null;
        let now = null;
        try { now = await api.get(`segments/${seg.id}`); } catch { /* keep the old row */ }
        if (now && rows.has(now.id)) { rows.get(now.id).s = now; fillRow(now.id); }
        const msg = rep.state === 'approved'
          ? `Report on ${seg.code} applied at once: the segment is now ${STATUS_LABEL[now?.status || rep.status]}.`
          : `Report on ${seg.code} sent (report #${rep.id}). The project manager will review it.`;
        dlg.close();
        pageStatus.replaceChildren(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        send.disabled = false;
        send.textContent = 'Send report';
        // Network failure, server busy, or the first attempt still running:
        // keep the key, so that sending again cannot create a second report.
        const retryable = err.status === 0 || err.status === 503 || err.status === 429 || err.status === 502 || err.status === 504 ||
          (err.status === 409 && /progress|running|idempot/i.test(err.detail || ''));
        if (!retryable) pending = null;
        if (err.status === 422) {
          const rest = showFieldErrors(form, err);
          out.append(messageBox('error', ['Please correct the highlighted fields.', ...rest].join(' ')));
        } else if (err.status === 409) {
          out.append(messageBox('error', retryable
            ? 'Your previous attempt is still being processed. Wait a moment, then send again; it will not be counted twice.'
            : `The report was refused: ${err.detail || 'it conflicts with the segment\'s current state'}.`));
        } else if (retryable) {
          out.append(messageBox('error', `${describeError(err)} Sending again is safe: the report will not be recorded twice.`));
        } else {
          out.append(errorBox(err, 'this segment'));
        }
      }
    });
    return { el: dlg, open };
  }
}
