// page-review.js — the review queue: progress reports waiting for a decision
// (GET /progress-reports?state=submitted); approve (comment optional) or
// reject (comment required).

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, statusBadge, showFieldErrors, clearFieldErrors, announce, STATUS_LABEL, retryPage } from './ui.js';
import { gallery, photoSummary } from './photos.js';

// The texts of the photo part of a card (the rest of the page is still inline).
const T = {
  photos: 'Photos',
  photosOf: (id) => `Photos of report #${id}`,
};

export async function render(el, ctx) {
  el.append(h('h1', 'Review queue'), h('p.loading', 'Loading the reports waiting for review…'));
  let reports, contractors, lots;
  try {
    [reports, contractors, lots] = await Promise.all([
      api.listAll('progress-reports', { state: 'submitted' }, null, { signal: ctx.signal }),
      api.listAll('contractors', {}, null, { signal: ctx.signal }),
      api.listAll('lots', {}, null, { signal: ctx.signal }),
    ]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'the review queue', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  const cName = new Map(contractors.map((c) => [c.id, c.name]));
  const lotById = new Map(lots.map((l) => [l.id, l]));
  reports.sort((a, b) => (a.report_date || '').localeCompare(b.report_date || '') || a.id - b.id);

  const lead = h('p.lead#queue-count');
  const list = h('div.review-list');
  const decided = h('section#decided', { 'aria-labelledby': 'decided-h', hidden: true },
    h('h2#decided-h', 'Decided just now'), h('ul.decided-list'));
  el.append(lead, list, decided);

  let open = reports.length;
  const setCount = () => {
    lead.textContent = open === 0
      ? 'Nothing is waiting for review. Well done.'
      : `${open} progress report${open === 1 ? '' : 's'} waiting for review, oldest first.`;
    ctx.app.setReviewCount(open);
  };
  setCount();

  // the segments the reports are about, to show what would change
  const segs = new Map();
  await Promise.all([...new Set(reports.map((r) => r.segment_id))].map((id) =>
    api.get(`segments/${id}`, null, { signal: ctx.signal }).then((s) => segs.set(id, s)).catch(() => {})));

  for (const r of reports) list.append(card(r));

  function card(r) {
    const seg = segs.get(r.segment_id);
    const lot = lotById.get(r.lot_id ?? seg?.lot_id);
    const cid = `c-${r.id}`;
    const comment = h('textarea', { id: cid, name: 'comment', rows: '2', maxlength: '1000' });
    const approve = h('button.btn.btn-primary', { type: 'submit', value: 'approve' }, 'Approve');
    const reject = h('button.btn.btn-danger', { type: 'submit', value: 'reject' }, 'Reject');
    const status = h('div.form-status', { 'aria-live': 'polite' });
    const form = h('form.review-form', { novalidate: true },
      h('div.field', h('label', { for: cid }, 'Comment ', h('span.small', '(required to reject)')), comment),
      h('p.actions', approve, reject), status);
    const over = seg && r.built_length_m > 1.5 * seg.planned_length_m;
    let releasePhotos = () => {};
    function photoSection(rep) {
      const atts = rep.attachments || [];
      const warned = atts.filter((a) => (a.flags || []).length).length;
      const hid = `r-${rep.id}-photos`;
      let body;
      if (atts.length) {
        const g = gallery(atts, { signal: ctx.signal, label: T.photosOf(rep.id) });
        releasePhotos = g.release;
        body = g.el;
      }
      return h('section.report-photos', { 'aria-labelledby': hid, dataset: { photos: atts.length, warnings: warned } },
        h('h3', { id: hid }, T.photos, atts.length ? h(warned ? 'span.tag.tag-bad' : 'span.small', photoSummary(atts)) : null),
        body || h('p.small', photoSummary(atts)));
    }
    const art = h('article.card.review', { 'aria-labelledby': `r-${r.id}-h`, dataset: { report: r.id, segment: r.segment_code || '' } },
      h('h2', { id: `r-${r.id}-h` }, `Segment ${r.segment_code || r.segment_id}`,
        h('span.small', ` · report #${r.id} of ${fmt.date(r.report_date)}`)),
      h('dl.facts',
        h('div', h('dt', 'Contractor'), h('dd', cName.get(r.contractor_id) || `#${r.contractor_id}`)),
        h('div', h('dt', 'Lot'), h('dd', lot ? `${lot.code} ${lot.name}` : '–')),
        h('div', h('dt', 'Status'), h('dd', seg ? statusBadge(seg.status) : '?', ' → ', statusBadge(r.status))),
        h('div', h('dt', 'Built'), h('dd', seg ? `${fmt.m(seg.built_length_m)} → ` : '', h('strong', fmt.m(r.built_length_m)),
          seg ? ` of ${fmt.m(seg.planned_length_m)} planned` : '', over ? h('span.tag.tag-bad', 'over 1.5 × planned') : null))),
      r.note ? h('blockquote.note', r.note) : h('p.small', 'No note.'),
      photoSection(r),
      form);

    let action = null;
    approve.addEventListener('click', () => { action = 'approve'; });
    reject.addEventListener('click', () => { action = 'reject'; });
    let key = null; // one Idempotency-Key per decision, kept until the server answers
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const which = (ev.submitter && ev.submitter.value) || action || 'approve';
      clearFieldErrors(form);
      status.replaceChildren();
      const text = comment.value.trim();
      if (which === 'reject' && !text) {
        showFieldErrors(form, { errors: [{ pointer: '/comment', detail: 'Say why the report is rejected, so the contractor can fix it.' }] });
        return;
      }
      approve.disabled = true;
      reject.disabled = true;
      key = key || api.newIdempotencyKey();
      try {
        await api.post(`progress-reports/${r.id}/${which}`, text ? { comment: text } : {}, { headers: { 'Idempotency-Key': key } });
        key = null;
        let now = null;
        try { now = await api.get(`segments/${r.segment_id}`); } catch { /* shown without it */ }
        open -= 1;
        setCount();
        const msg = which === 'approve'
          ? `Approved report #${r.id}: segment ${r.segment_code} is now ${STATUS_LABEL[now?.status] || now?.status || '?'}` +
            (now ? `, ${fmt.m(now.built_length_m)} of ${fmt.m(now.planned_length_m)} built.` : '.')
          : `Rejected report #${r.id} for segment ${r.segment_code}; the contractor sees your comment.`;
        const li = h('li', { dataset: { report: r.id, decision: which } }, msg, ' ', now ? statusBadge(now.status) : null);
        decided.hidden = false;
        decided.querySelector('ul').prepend(li);
        const next = art.nextElementSibling || art.previousElementSibling;
        releasePhotos();
        art.remove();
        announce(msg);
        (next && next.querySelector('textarea') || lead).focus?.();
      } catch (err) {
        if (err.status !== 0 && err.status !== 503 && err.status !== 429 && !(err.status === 409 && /progress|running/i.test(err.detail))) key = null;
        approve.disabled = false;
        reject.disabled = false;
        if (err.status === 422) {
          const rest = showFieldErrors(form, err);
          status.append(messageBox('error', ['Please correct the highlighted fields.', ...rest].join(' ')));
        } else if (err.status === 409) {
          status.append(messageBox('error', `This report cannot be ${which === 'approve' ? 'approved' : 'rejected'}: ${err.detail || 'it was already decided'}. Reload the queue to see its current state.`));
        } else {
          status.append(errorBox(err, 'this progress report'));
        }
      }
    });
    return art;
  }
}
