// page-work.js — a contractor's own lots and segments, with the progress form
// and its photos. A submission goes to the outbox (sync.js, kept in IndexedDB)
// before its first attempt: the report with an Idempotency-Key made once per
// submission, then each photo with its own key, all kept until the server
// answers, so a double click, a retry or a reload never makes two and an
// offline submission is sent once the connection is back.

import * as api from './api.js';
import {
  h, fmt, today, errorBox, messageBox, statusBadge, field, showFieldErrors, clearFieldErrors,
  announce, describeError, retryPage, SEGMENT_STATUSES, statusLabel,
} from './ui.js';
import { t, text as msgText, serverText, parseNumber } from './i18n.js';
import * as sync from './sync.js';
import { outboxPanel } from './outbox-view.js';
import { makePreview, docIcon } from './photos.js';

const PAGE = 50;

const MEDIA_RE = /^(image\/(jpeg|png|heic|heif)|application\/pdf)$/;
const EXT_RE = /\.(jpe?g|png|heic|heif|pdf)$/i;

export async function render(el, ctx) {
  el.append(h('h1', t('wk.title')));
  // what waits to be sent shows even when the lots cannot be loaded (offline)
  el.append(outboxPanel({ signal: ctx.signal }));
  el.append(h('p.loading', t('wk.loadingLots')));
  let lots;
  try {
    lots = await api.listAll('lots', {}, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.yourLots', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  const lotById = new Map(lots.map((l) => [l.id, l]));

  const pageStatus = h('div#work-status', { 'aria-live': 'polite' });
  el.append(
    h('p.lead', lots.length ? t('wk.lead', { n: lots.length }) : t('wk.noLot')),
    h('ul.lot-list', lots.map((l) => h('li.card.lot',
      h('strong', l.code), ` ${l.name}`,
      h('span.small.block', l.auto_approve ? t('wk.auto') : t('wk.reviewed'))))),
    pageStatus,
  );

  // ---- filters ----
  const lotSel = h('select#f-lot', { name: 'lot_id' }, h('option', { value: '' }, t('wk.allLots')),
    lots.map((l) => h('option', { value: String(l.id) }, `${l.code} ${l.name}`)));
  const stSel = h('select#f-status', { name: 'status' }, h('option', { value: '' }, t('wk.anyStatus')),
    SEGMENT_STATUSES.map((s) => h('option', { value: s }, statusLabel(s))));
  const q = h('input#f-q', { type: 'search', name: 'q', placeholder: t('wk.codePlaceholder'), autocomplete: 'off' });
  const filters = h('form.filters', { role: 'search', 'aria-label': t('wk.filterLabel') },
    field(t('c.lot'), lotSel), field(t('c.status'), stSel), field(t('wk.code'), q),
    h('button.btn', { type: 'submit' }, t('wk.filter')));
  const tbody = h('tbody');
  const more = h('button.btn', { type: 'button', hidden: true }, t('c.showMore'));
  const counter = h('p.small#seg-count', { 'aria-live': 'polite' });
  el.append(filters,
    h('div.table-wrap', h('table.table.table-cards#segments',
      h('caption.sr-only', t('wk.title')),
      h('thead', h('tr',
        h('th', { scope: 'col' }, t('c.segment')), h('th', { scope: 'col' }, t('c.lot')), h('th', { scope: 'col' }, t('c.status')),
        h('th', { scope: 'col' }, t('c.built')), h('th', { scope: 'col' }, t('wk.plannedEnd')),
        h('th', { scope: 'col' }, h('span.sr-only', t('c.actions'))))),
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
    counter.textContent = t('c.loading');
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
      counter.textContent = shown ? t(cursor ? 'wk.shownMore' : 'wk.shown', { n: shown }) : t('wk.noMatch');
    } catch (err) {
      if (err.name === 'AbortError') return;
      more.disabled = false;
      counter.replaceChildren(errorBox(err, 'what.yourSegments', () => load(reset)));
    }
  }
  function fillRow(id) {
    const { tr, s } = rows.get(id);
    const lot = lotById.get(s.lot_id);
    tr.replaceChildren(
      h('th', { scope: 'row', 'data-label': t('c.segment') }, s.code, h('span.small.block', `${fmt.enum('method', s.method)} · ${fmt.enum('segment_kind', s.kind)}`)),
      h('td', { 'data-label': t('c.lot') }, lot ? lot.code : '–'),
      h('td', { 'data-label': t('c.status') }, statusBadge(s.status)),
      h('td', { 'data-label': t('c.built'), class: 'built' }, t('c.builtOf', { built: fmt.m(s.built_length_m), planned: fmt.m(s.planned_length_m) }),
        h('span.small.block', fmt.pct(s.built_length_m, s.planned_length_m))),
      h('td', { 'data-label': t('wk.plannedEnd') }, fmt.date(s.planned_end)),
      h('td.actions', { 'data-label': '' },
        s.status === 'accepted'
          ? h('span.small', t('wk.acceptedDone'))
          : h('button.btn', { type: 'button', 'aria-label': t('wk.reportOn', { code: s.code }), onclick: (e) => dialog.open(s, e.currentTarget) }, t('wk.reportBtn'))),
    );
  }
  // a queued report sent in the background: show the segment as it is now
  sync.events.addEventListener('sent', async (ev) => {
    const sid = ev.detail.outcome.entry && ev.detail.outcome.entry.segment_id;
    if (!ev.detail.background || !rows.has(sid)) return;
    try {
      const now = await api.get(`segments/${sid}`, null, { signal: ctx.signal });
      rows.get(sid).s = now;
      fillRow(sid);
    } catch { /* the row stays as it was */ }
  }, { signal: ctx.signal });
  filters.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
  lotSel.addEventListener('change', () => load(true));
  stSel.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  await load(true);

  // ---- the progress form, in a modal dialog ----
  function buildDialog() {
    const title = h('h2#pr-title', t('wk.dlgTitle'));
    const segInfo = h('p#pr-seg.small');
    const date = h('input#pr-date', { type: 'date', name: 'report_date', required: true });
    // text, not type=number: a number input takes the browser's decimal separator, not the dashboard's
    const length = h('input#pr-length', { type: 'text', name: 'built_length_m', inputmode: 'decimal', autocomplete: 'off', required: true });
    const status = h('select#pr-status', { name: 'status', required: true });
    const note = h('textarea#pr-note', { name: 'note', rows: '3', maxlength: '4000' });
    const photos = photoPicker();
    const send = h('button.btn.btn-primary#pr-send', { type: 'submit' }, t('wk.send'));
    const cancel = h('button.btn#pr-cancel', { type: 'button' }, t('c.cancel'));
    const out = h('div.form-status', { 'aria-live': 'polite' });
    const form = h('form#pr-form', { novalidate: true },
      field(t('c.segment'), h('input#pr-segment', { name: 'segment_id', type: 'text', readonly: true })),
      segInfo,
      field(t('wk.reportDate'), date),
      field(t('wk.length'), length, t('wk.lengthHint', { example: fmt.lengthInput(150.5) })),
      field(t('wk.reached'), status),
      field(t('wk.note'), note, t('wk.noteHint')),
      photos.el,
      h('p.actions', send, cancel), out);
    const dlg = h('dialog.dialog.dialog-wide#progress-dialog', { 'aria-labelledby': 'pr-title' }, title, form);
    let seg = null;
    let opener = null;
    // the pending submission (in the outbox): {id, body (JSON text), files (the picked list it holds), reportId}
    let pending = null;
    let busy = false; // this form is sending (a background send's event is then not for us)

    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      if (pending) showQueued();
      pending = null;
      if (opener && opener.isConnected) opener.focus();
    });
    // a queued report the background sender delivered while the dialog is open
    sync.events.addEventListener('sent', (ev) => {
      if (pending && ev.detail.id === pending.id && dlg.open && !busy) finish(ev.detail.outcome);
    }, { signal: ctx.signal });
    ctx.signal.addEventListener('abort', () => { if (dlg.open) dlg.close(); });

    function showQueued() {
      pageStatus.replaceChildren(messageBox('info', pending.reportId
        ? t('wk.photosWaiting', { id: pending.reportId, n: pending.left })
        : keptText(pending.files.length)));
    }

    function lock(on) {
      for (const x of [date, length, status, note]) x.disabled = on;
      photos.lock(on);
    }

    function open(s, from) {
      seg = s;
      opener = from;
      pending = null;
      clearFieldErrors(form);
      out.replaceChildren();
      lock(false);
      photos.reset();
      title.textContent = t('wk.reportOn', { code: s.code });
      form.elements.namedItem('segment_id').value = s.code;
      segInfo.replaceChildren(`${t('wk.now')} `, statusBadge(s.status), t('wk.nowBuilt', { built: fmt.m(s.built_length_m), planned: fmt.m(s.planned_length_m) }));
      date.value = today();
      date.max = today();
      length.value = fmt.lengthInput(s.built_length_m ?? 0);
      const from0 = Math.max(0, SEGMENT_STATUSES.indexOf(s.status));
      // The form starts at the segment's current status: a report that only
      // changes the length must never move the segment forward unasked.
      status.replaceChildren(...SEGMENT_STATUSES.slice(from0).filter((x) => x !== 'accepted')
        .map((x, i) => h('option', { value: x, selected: i === 0 }, statusLabel(x))));
      status.selectedIndex = 0;
      note.value = '';
      send.disabled = false;
      send.textContent = t('wk.send');
      cancel.textContent = t('c.cancel');
      dlg.showModal();
      length.focus();
      length.select();
    }

    // The dialog after every answer is in: close it and say so on the page.
    async function finish(r) {
      const n = r.attachments ? r.attachments.length : 0;
      let now = null;
      try { now = await api.get(`segments/${seg.id}`); } catch { /* keep the old row */ }
      if (now && rows.has(now.id)) { rows.get(now.id).s = now; fillRow(now.id); }
      const rep = r.report || {};
      const photosText = t('c.photoCount', { n });
      const msg = rep.state === 'approved'
        ? t(n ? 'wk.appliedPhotos' : 'wk.applied', { code: seg.code, status: statusLabel(now?.status || rep.status), photos: photosText })
        : t(n ? 'wk.sentReportPhotos' : 'wk.sentReport', { code: seg.code, id: rep.id, photos: photosText });
      pending = null;
      if (dlg.open) dlg.close();
      pageStatus.replaceChildren(messageBox('ok', msg), ...(r.notices || []).map((x) => messageBox('warn', msgText(x))));
      announce(msg);
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (send.disabled) return; // a second click while the first is on its way
      clearFieldErrors(form);
      out.replaceChildren();
      const body = {
        segment_id: seg.id,
        report_date: date.value,
        built_length_m: parseNumber(length.value),
        status: status.value,
      };
      if (note.value.trim()) body.note = note.value.trim();
      const local = [];
      if (!body.report_date) local.push({ pointer: '/report_date', detail: t('wk.noDate') });
      if (body.built_length_m === null || !Number.isFinite(body.built_length_m) || body.built_length_m < 0) {
        local.push({ pointer: '/built_length_m', detail: t('wk.badLength', { example: fmt.lengthInput(150.5) }) });
      }
      if (local.length) { showFieldErrors(form, { errors: local }); return; }

      send.disabled = true;
      send.textContent = t('wk.sendingBtn');
      const text = JSON.stringify(body);
      const files = photos.list();
      try {
        // Into the outbox first: from here on a reload or a lost connection loses nothing.
        if (pending && !pending.reportId && pending.body !== text) {
          await sync.discard(pending.id); // the user changed the report: the old one is not sent
          pending = null;
        }
        if (!pending) {
          const q = await sync.queue({ segment: seg, body, photos: files });
          pending = { id: q.id, body: text, files, reportId: null };
          photos.setPids(q.pids);
        } else if (!pending.reportId && !sameFiles(pending.files, files)) {
          photos.setPids(await sync.replacePhotos(pending.id, files));
          pending.files = files;
        }
      } catch (err) {
        send.disabled = false;
        send.textContent = t('wk.send');
        out.append(messageBox('error', t('wk.keepFailed', { msg: err.message || String(err) })));
        return;
      }
      photos.progress(t('wk.waiting'), 0);
      out.replaceChildren(h('p.small', t('wk.sendingReport')));
      busy = true;
      let r;
      try {
        r = await sync.send(pending.id, (pid, loaded, total) => photos.progressOf(pid, loaded, total));
      } catch (err) {
        // the outbox itself failed (storage full, say): what was queued stays queued
        r = { state: 'queued', error: { status: -1, detail: String(err && err.message || err) } };
      } finally {
        busy = false;
      }
      send.disabled = false;
      send.textContent = t('wk.send');
      out.replaceChildren();
      if (r.state === 'sent') {
        await finish(r);
        return;
      }
      if (r.state === 'gone') { // discarded from the queue list meanwhile
        pending = null;
        lock(false);
        return;
      }
      const err = r.error;
      if (r.state === 'refused') {
        // The server will never take this report as it is: nothing stays queued,
        // the user corrects it and sends it again (as a new submission).
        await sync.discard(pending.id);
        pending = null;
        if (err.status === 422) {
          const rest = showFieldErrors(form, err);
          out.append(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 409) {
          out.append(messageBox('error', t('wk.refused', { detail: err.detail ? serverText(err.detail) : t('wk.refusedDefault') })));
        } else {
          out.append(errorBox(err, 'what.segment'));
        }
        return;
      }
      // queued: the report, or some photos, wait for the connection; the same keys are used again
      cancel.textContent = t('c.close');
      const left = (await sync.pending()).find((e) => e.id === pending.id);
      if (left && left.report_id) {
        pending.reportId = left.report_id;
        pending.left = left.photos.length;
        lock(true);
        photos.markSent(new Set(left.photos.map((p) => p.pid)));
        send.textContent = t('wk.sendPhotosAgain');
        out.append(messageBox('error', t('wk.photosWaiting', { id: left.report_id, n: left.photos.length })));
        return;
      }
      photos.progress(t('wk.waiting'), null);
      if (err.status === 409) {
        out.append(messageBox('error', t('wk.inFlight')));
      } else if (err.status === 0 && !navigator.onLine) {
        out.append(messageBox('error', `${files.length ? t('wk.offlinePhotos', { n: files.length }) : t('wk.offline')} ${t('wk.safe')}`));
      } else {
        out.append(messageBox('error', `${describeError(err)} ${t('wk.safe')} ${keptText(files.length)}`));
      }
    });
    return { el: dlg, open };
  }

  function keptText(n) {
    return n ? t('wk.keptPhotos', { n }) : t('wk.kept');
  }

  function sameFiles(a, b) {
    return a.length === b.length && a.every((x, i) => x.file === b[i].file && x.caption === b[i].caption);
  }

  // ---- the photo part of the form: files, previews, captions, progress ----
  function photoPicker() {
    // Two inputs: with `capture` a phone opens its camera only, so choosing
    // photos taken earlier needs one without it.
    const accept = 'image/jpeg,image/png,image/heic,application/pdf';
    const input = h('input#pr-photos.file-input', { type: 'file', name: 'photos', accept, multiple: true });
    const camera = h('input#pr-camera.file-input', { type: 'file', name: 'camera', accept: 'image/*', capture: 'environment' });
    const hint = h('p.hint#pr-photos-hint', t('wk.photosHint'));
    input.setAttribute('aria-describedby', 'pr-photos-hint');
    const errors = h('div#pr-photos-error');
    const summary = h('p.small#pr-photos-count', { 'aria-live': 'polite' });
    const ul = h('ul.picked#pr-picked', { 'aria-label': t('c.photos') });
    let items = []; // {key, pid (once queued), file, name, caption, preview, li, state, bar, captionInput, remove}
    let n = 0;

    function update() {
      summary.textContent = items.length ? t('wk.picked', { n: items.length }) : '';
    }

    const onPick = (from) => async () => {
      errors.replaceChildren();
      const chosen = [...from.files];
      from.value = ''; // the same file may be picked again after a removal
      for (const file of chosen) {
        const name = file.name || `photo-${items.length + 1}`;
        if (file.size > sync.MAX_FILE_BYTES) {
          errors.append(messageBox('error', t('wk.tooLarge', { name, size: fmt.bytes(file.size) })));
          continue;
        }
        if (file.type ? !MEDIA_RE.test(file.type) : !EXT_RE.test(name)) {
          errors.append(messageBox('error', t('wk.wrongType', { name })));
          continue;
        }
        const key = `p${++n}`;
        const captionInput = h('input', { type: 'text', id: `pr-cap-${key}`, maxlength: '500', placeholder: t('wk.captionPlaceholder'), autocomplete: 'off' });
        const pic = h('span.picked-pic', docIcon(file.type, name));
        const state = h('span.picked-state.small');
        const bar = h('progress', { max: '100', value: '0', hidden: true, 'aria-label': name });
        const it = { key, file, name, caption: '', preview: null, state, bar, captionInput, pid: null };
        const remove = h('button.btn.btn-quiet.btn-danger', { type: 'button', 'aria-label': t('wk.remove', { name }), onclick: () => {
          items = items.filter((x) => x !== it);
          it.li.remove();
          update();
          (ul.querySelector('button') || input).focus();
        } }, t('wk.removeText'));
        it.remove = remove;
        captionInput.addEventListener('input', () => { it.caption = captionInput.value.trim(); });
        it.li = h('li.picked-item', { dataset: { name } },
          pic,
          h('div.picked-body',
            h('span.picked-name', name, h('span.small', ` · ${fmt.bytes(file.size)}`)),
            h('label.sr-only', { for: captionInput.id }, t('wk.caption', { name })),
            captionInput,
            h('span.picked-progress', state, bar)),
          remove);
        items.push(it);
        ul.append(it.li);
        makePreview(file).then((url) => {
          it.preview = url;
          if (url) pic.replaceChildren(h('img', { src: url, alt: '', width: '64', height: '64' }));
        });
      }
      update();
    };
    input.addEventListener('change', onPick(input));
    camera.addEventListener('change', onPick(camera));

    const el = h('fieldset.photos-field',
      h('legend', t('c.photos')),
      // the inputs are hidden behind buttons of our own: a file input's
      // button and "no file chosen" are in the browser's language, not the dashboard's
      h('div.file-pickers',
        h('div.file-pick', camera, h('label.btn.file-btn', { for: 'pr-camera' }, t('wk.takePhoto'))),
        h('div.file-pick', input, h('label.btn.file-btn', { for: 'pr-photos' }, t('wk.addPhotos')))),
      hint,
      errors, ul, summary);

    return {
      el,
      reset() {
        items = [];
        ul.replaceChildren();
        errors.replaceChildren();
        input.value = '';
        camera.value = '';
        update();
      },
      lock(on) {
        input.disabled = on;
        camera.disabled = on;
        for (const it of items) { it.captionInput.disabled = on; it.remove.disabled = on; }
      },
      /** What the outbox keeps: [{file, name, caption, preview}] (previews that are not ready are left out). */
      list() {
        return items.map((it) => ({ file: it.file, name: it.name, caption: it.caption, preview: it.preview }));
      },
      /** Sets every photo's state (pct null hides the bar). */
      progress(text, pct) {
        for (const it of items) {
          it.state.textContent = text;
          it.bar.hidden = pct === null;
          if (pct !== null) it.bar.value = pct;
        }
      },
      /** The outbox ids of the photos, in the order of list(). */
      setPids(pids) {
        items.forEach((it, i) => { it.pid = pids[i] || null; });
      },
      /** Progress of one photo, by its outbox id. */
      progressOf(pid, loaded, total) {
        const it = items.find((x) => x.pid === pid);
        if (!it) return;
        it.bar.hidden = false;
        it.bar.value = total ? Math.round((100 * loaded) / total) : 0;
        it.state.textContent = t('wk.sending', { pct: fmt.frac(total ? loaded / total : 0) });
      },
      /** After the report went through: the photos whose outbox ids are not in `waiting` (a Set) are sent. */
      markSent(waiting) {
        for (const it of items) {
          const left = waiting.has(it.pid);
          it.state.textContent = left ? t('wk.waiting') : t('wk.sent');
          it.bar.hidden = left;
          if (!left) it.bar.value = 100;
        }
      },
    };
  }
}
