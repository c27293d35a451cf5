// page-review.js — the review queue: progress reports waiting for a decision
// (GET /progress-reports?state=submitted); approve (comment optional) or
// reject (comment required).

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, statusBadge, statusLabel, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t, serverText } from './i18n.js';
import { gallery, photoSummary } from './photos.js';

export async function render(el, ctx) {
  el.append(h('h1', t('rv.title')), h('p.loading', t('rv.loading')));
  let reports, contractors, lots;
  try {
    [reports, contractors, lots] = await Promise.all([
      api.listAll('progress-reports', { state: 'submitted' }, null, { signal: ctx.signal }),
      api.listAll('contractors', {}, null, { signal: ctx.signal }),
      api.listAll('lots', {}, null, { signal: ctx.signal }),
    ]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.reviewQueue', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  const cName = new Map(contractors.map((c) => [c.id, c.name]));
  const lotById = new Map(lots.map((l) => [l.id, l]));
  reports.sort((a, b) => (a.report_date || '').localeCompare(b.report_date || '') || a.id - b.id);

  const lead = h('p.lead#queue-count');
  const list = h('div.review-list');
  const decided = h('section#decided', { 'aria-labelledby': 'decided-h', hidden: true },
    h('h2#decided-h', t('rv.decided')), h('ul.decided-list'));
  el.append(lead, list, decided);

  let open = reports.length;
  const setCount = () => {
    lead.textContent = open === 0
      ? t('rv.none')
      : t('rv.count', { n: open });
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
    const approve = h('button.btn.btn-primary', { type: 'submit', value: 'approve' }, t('rv.approve'));
    const reject = h('button.btn.btn-danger', { type: 'submit', value: 'reject' }, t('rv.reject'));
    const status = h('div.form-status', { 'aria-live': 'polite' });
    const form = h('form.review-form', { novalidate: true },
      h('div.field', h('label', { for: cid }, `${t('rv.comment')} `, h('span.small', t('rv.commentReq'))), comment),
      h('p.actions', approve, reject), status);
    const over = seg && r.built_length_m > 1.5 * seg.planned_length_m;
    let releasePhotos = () => {};
    function photoSection(rep) {
      const atts = rep.attachments || [];
      const warned = atts.filter((a) => (a.flags || []).length).length;
      const hid = `r-${rep.id}-photos`;
      let body;
      if (atts.length) {
        const g = gallery(atts, { signal: ctx.signal, label: t('rv.photosOf', { id: rep.id }) });
        releasePhotos = g.release;
        body = g.el;
      }
      return h('section.report-photos', { 'aria-labelledby': hid, dataset: { photos: atts.length, warnings: warned } },
        h('h3', { id: hid }, t('c.photos'), atts.length ? h(warned ? 'span.tag.tag-bad' : 'span.small', photoSummary(atts)) : null),
        body || h('p.small', photoSummary(atts)));
    }
    const art = h('article.card.review', { 'aria-labelledby': `r-${r.id}-h`, dataset: { report: r.id, segment: r.segment_code || '' } },
      h('h2', { id: `r-${r.id}-h` }, t('rv.heading', { code: r.segment_code || r.segment_id }),
        h('span.small', t('rv.sub', { id: r.id, date: fmt.date(r.report_date) }))),
      h('dl.facts',
        h('div', h('dt', t('c.contractor')), h('dd', cName.get(r.contractor_id) || `#${r.contractor_id}`)),
        h('div', h('dt', t('c.lot')), h('dd', lot ? `${lot.code} ${lot.name}` : '–')),
        h('div', h('dt', t('c.status')), h('dd', seg ? statusBadge(seg.status) : '?', ' → ', statusBadge(r.status))),
        h('div', h('dt', t('c.built')), h('dd', { class: 'built' }, seg ? `${fmt.m(seg.built_length_m)} → ` : '', h('strong', fmt.m(r.built_length_m)),
          seg ? t('rv.ofPlanned', { planned: fmt.m(seg.planned_length_m) }) : '', over ? h('span.tag.tag-bad', t('rv.over')) : null))),
      r.note ? h('blockquote.note', r.note) : h('p.small', t('rv.noNote')),
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
        showFieldErrors(form, { errors: [{ pointer: '/comment', detail: t('rv.rejectWhy') }] });
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
          ? (now
            ? t('rv.approvedBuilt', { id: r.id, code: r.segment_code, status: statusLabel(now.status), built: fmt.m(now.built_length_m), planned: fmt.m(now.planned_length_m) })
            : t('rv.approved', { id: r.id, code: r.segment_code, status: '?' }))
          : t('rv.rejected', { id: r.id, code: r.segment_code });
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
          status.append(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 409) {
          status.append(messageBox('error', t(which === 'approve' ? 'rv.cannotApprove' : 'rv.cannotReject', {
            detail: err.detail ? serverText(err.detail) : t('rv.alreadyDecided'),
          })));
        } else {
          status.append(errorBox(err, 'what.progressReport'));
        }
      }
    });
    return art;
  }
}
