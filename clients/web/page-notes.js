// page-notes.js — the Sachbericht: the project manager's narrative for each
// reporting period (report notes), which progress.xlsx prints on its
// Sachbericht sheet. Managers and admins write a period's text, change it in
// place (If-Match; a 412 shows the other text beside theirs and lets them
// choose) and delete it; finance reads.

import * as api from './api.js';
import { h, fmt, today, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t } from './i18n.js';
import { writesNotes, period, periodName, quarterOf, localErrors, finText, confirmAction, problemBox } from './finance.js';

const MAX_TEXT = 20000;

export async function render(el, ctx, fin) {
  const { project } = fin;
  const canWrite = writesNotes(ctx.user);
  el.append(h('h2#fi-h2', t('fi.nt.title')), h('p.loading', t('fi.nt.loading')));
  let items;
  try {
    items = await api.listAll('report-notes', { project_id: project.id }, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'fi.whatNotes', retryPage));
    return;
  }
  el.querySelector('.loading').remove();

  const list = h('div.fi-notes#fi-notes');
  const pageMsg = h('div#fi-nt-msg', { 'aria-live': 'polite' });
  el.append(...[h('p', t('fi.nt.lead')), canWrite ? null : h('p.hint#fi-readonly', t('fi.nt.readOnly')), pageMsg].filter(Boolean));

  // ---- a new period's text ----
  let newForm = null;
  if (canWrite) {
    const q = quarterOf(today());
    const from = h('input#fi-nt-from', { type: 'date', name: 'period_from', required: true, value: q.from });
    const to = h('input#fi-nt-to', { type: 'date', name: 'period_to', required: true, value: q.to });
    const text = h('textarea#fi-nt-text', { name: 'text', rows: '8', maxlength: String(MAX_TEXT), required: true });
    const quick = (label, id, by) => h('button.btn.btn-quiet', { type: 'button', id, onclick: () => {
      const p = quarterOf(today(), by);
      from.value = p.from;
      to.value = p.to;
    } }, label);
    const out = h('div.form-status', { 'aria-live': 'polite' });
    const save = h('button.btn.btn-primary#fi-nt-save', { type: 'submit' }, t('fi.nt.save'));
    newForm = h('form.card.fi-note-new#fi-nt-new', { novalidate: true, 'aria-labelledby': 'fi-nt-new-h' },
      h('h3#fi-nt-new-h', t('fi.nt.newTitle')),
      h('div.fi-form-grid', field(t('fi.f.periodFrom'), from), field(t('fi.f.periodTo'), to)),
      h('p.actions.fi-quick', quick(t('fi.nt.thisQuarter'), 'fi-nt-this', 0), quick(t('fi.nt.lastQuarter'), 'fi-nt-last', -1)),
      field(t('fi.f.text'), text, t('fi.nt.textHint')),
      h('p.actions', save), out);
    newForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(newForm);
      out.replaceChildren();
      const bad = checkPeriod(from.value, to.value);
      if (!text.value.trim()) bad.push({ pointer: '/text', detail: t('fi.nt.textMissing') });
      if (bad.length) { showFieldErrors(newForm, { errors: bad }); return; }
      save.disabled = true;
      try {
        const note = await api.post('report-notes', { project_id: project.id, period_from: from.value, period_to: to.value, text: text.value.trim() });
        items.push(note);
        text.value = '';
        draw();
        const msg = t('fi.nt.created', { period: periodName(note.period_from, note.period_to) });
        out.replaceChildren(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        if (err.status === 422) {
          const rest = showFieldErrors(newForm, localErrors(err));
          out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 409) {
          // The period has its text already: the way to it is its Edit button.
          const there = items.find((n) => n.period_from === from.value && n.period_to === to.value);
          out.replaceChildren(messageBox('error', t('fi.nt.exists', { period: periodName(from.value, to.value) }),
            there ? h('p', h('button.btn#fi-nt-to-it', { type: 'button', onclick: () => {
              const to = document.getElementById(`fi-nt-edit-${there.id}`);
              to?.scrollIntoView({ block: 'center' });
              to?.focus();
            } }, t('fi.nt.toIt'))) : null));
        } else {
          out.replaceChildren(problemBox(err, (e) => errorBox(e, 'fi.whatNotes')));
        }
      } finally {
        save.disabled = false;
      }
    });
    el.append(newForm);
  }
  el.append(h('h3#fi-nt-list-h', t('fi.nt.listTitle')), list);

  function checkPeriod(a, b) {
    const bad = [];
    if (!a) bad.push({ pointer: '/period_from', detail: t('fi.required') });
    if (!b) bad.push({ pointer: '/period_to', detail: t('fi.required') });
    if (a && b && a > b) bad.push({ pointer: '/period_to', detail: t('fi.srv.periodBackwards') });
    return bad;
  }

  const sorted = () => [...items].sort((a, b) => b.period_from.localeCompare(a.period_from) || b.period_to.localeCompare(a.period_to));

  function draw() {
    const notes = sorted();
    list.replaceChildren(...(notes.length ? notes.map(article) : [messageBox('info', canWrite ? t('fi.nt.noneWrite') : t('fi.nt.none'))]));
  }

  function article(n) {
    const art = h('article.card.fi-note', { id: `note-${n.id}`, dataset: { id: n.id, from: n.period_from, to: n.period_to }, 'aria-labelledby': `fi-nt-h-${n.id}` });
    showNote(art, n);
    return art;
  }

  function showNote(art, n) {
    const name = periodName(n.period_from, n.period_to);
    const head = h('h4.fi-note-head', { id: `fi-nt-h-${n.id}` }, name,
      name !== period(n.period_from, n.period_to) ? h('span.small', ` (${period(n.period_from, n.period_to)})`) : null);
    const actions = canWrite ? h('p.actions',
      h('button.btn', { type: 'button', id: `fi-nt-edit-${n.id}`, 'aria-label': t('fi.nt.editLabel', { period: name }), onclick: () => edit(art, n) }, t('fi.edit')),
      h('button.btn.btn-danger', { type: 'button', id: `fi-nt-delete-${n.id}`, 'aria-label': t('fi.nt.deleteLabel', { period: name }), onclick: (e) => remove(n, e.currentTarget) }, t('fi.delete'))) : null;
    art.replaceChildren(...[head, h('p.fi-note-text', n.text), h('p.small', t('fi.nt.changed', { when: fmt.dateTime(n.updated_at) })), actions].filter(Boolean));
  }

  // ---- change a text in place ----
  function edit(art, n) {
    let base = n;
    const from = h('input', { id: `fi-nt-e-from-${n.id}`, type: 'date', name: 'period_from', value: n.period_from, required: true });
    const to = h('input', { id: `fi-nt-e-to-${n.id}`, type: 'date', name: 'period_to', value: n.period_to, required: true });
    const text = h('textarea', { id: `fi-nt-e-text-${n.id}`, name: 'text', rows: '10', maxlength: String(MAX_TEXT) });
    text.value = n.text;
    const out = h('div.form-status', { 'aria-live': 'polite' });
    const save = h('button.btn.btn-primary', { type: 'submit', id: `fi-nt-e-save-${n.id}` }, t('c.save'));
    const cancel = h('button.btn', { type: 'button', id: `fi-nt-e-cancel-${n.id}`, onclick: () => close(base) }, t('c.cancel'));
    const form = h('form.fi-note-edit', { novalidate: true, 'aria-label': t('fi.nt.editLabel', { period: periodName(n.period_from, n.period_to) }) },
      h('div.fi-form-grid', field(t('fi.f.periodFrom'), from), field(t('fi.f.periodTo'), to)),
      field(t('fi.f.text'), text), h('p.actions', save, cancel), out);
    art.replaceChildren(form);
    text.focus();

    function close(now, message = null) {
      showNote(art, now);
      art.querySelector(`#fi-nt-edit-${now.id}`)?.focus();
      if (message) { pageMsg.replaceChildren(messageBox('ok', message)); announce(message); }
    }
    const value = () => ({ period_from: from.value, period_to: to.value, text: text.value.trim() });
    async function send(v) {
      const body = Object.fromEntries(Object.entries(v).filter(([k, x]) => x !== base[k]));
      if (!Object.keys(body).length) { close(base); announce(t('fi.nothingChanged')); return; }
      save.disabled = true;
      try {
        const now = await api.patch(`report-notes/${base.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
        items = items.map((x) => (x.id === now.id ? now : x));
        // The period may have moved: the list's order follows it.
        draw();
        const moved = document.getElementById(`note-${now.id}`);
        moved?.querySelector(`#fi-nt-edit-${now.id}`)?.focus();
        const msg = t('fi.nt.saved', { period: periodName(now.period_from, now.period_to) });
        pageMsg.replaceChildren(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        if (err.status === 422) {
          const rest = showFieldErrors(form, localErrors(err));
          out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 412) {
          await conflict(v);
        } else if (err.status === 409) {
          out.replaceChildren(messageBox('error', finText(err.detail)));
        } else if (err.status === 404) {
          items = items.filter((x) => x.id !== base.id);
          out.replaceChildren(messageBox('error', t('fi.nt.gone')));
        } else {
          out.replaceChildren(errorBox(err, 'fi.whatNotes'));
        }
      } finally {
        save.disabled = false;
      }
    }
    /** Someone else saved this text meanwhile: theirs beside mine, and the choice. */
    async function conflict(mine) {
      let theirs;
      try { theirs = await api.get(`report-notes/${base.id}`); } catch (err) { out.replaceChildren(errorBox(err, 'fi.whatNotes')); return; }
      base = theirs;
      items = items.map((x) => (x.id === theirs.id ? theirs : x));
      const again = h('button.btn.btn-primary', { type: 'button', id: `fi-nt-mine-${n.id}`, onclick: () => send(mine) }, t('fi.nt.keepMine'));
      const take = h('button.btn', { type: 'button', id: `fi-nt-theirs-${n.id}`, onclick: () => { close(theirs); announce(t('fi.keptTheirs')); } }, t('fi.nt.takeTheirs'));
      out.replaceChildren(h('div.msg.msg-warn#fi-conflict', { role: 'alert' },
        h('p', h('strong', `${t('fi.conflict')} `), t('fi.conflictWho', { version: fmt.int(theirs.version), when: fmt.dateTime(theirs.updated_at) })),
        theirs.period_from !== mine.period_from || theirs.period_to !== mine.period_to
          ? h('p', t('fi.nt.theirPeriod', { period: period(theirs.period_from, theirs.period_to) })) : null,
        h('p', t('fi.nt.theirText')), h('blockquote.fi-note-text.fi-theirs', theirs.text),
        h('p', t('fi.nt.mineKept')), h('p.actions', again, take)));
      again.focus();
    }
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      out.replaceChildren();
      const v = value();
      const bad = checkPeriod(v.period_from, v.period_to);
      if (!v.text) bad.push({ pointer: '/text', detail: t('fi.nt.textMissing') });
      if (bad.length) { showFieldErrors(form, { errors: bad }); return; }
      send(v);
    });
  }

  // ---- delete a text, after asking ----
  function remove(n, opener) {
    const name = periodName(n.period_from, n.period_to);
    confirmAction(el, ctx, {
      id: 'fi-nt-delete-dialog',
      title: t('fi.nt.deleteTitle', { period: name }),
      body: [h('p', t('fi.nt.deleteText', { period: name })), h('p', t('fi.cannotUndo'))],
      confirm: t('fi.nt.deleteBtn'),
      danger: true,
      from: opener,
      fallback: () => document.getElementById('fi-nt-text') || document.getElementById('fi-nt-list-h'),
      run: async () => {
        try {
          await api.request('DELETE', `report-notes/${n.id}`, { headers: { 'If-Match': `"${n.version}"` } });
        } catch (err) {
          if (err.status === 412) {
            // Changed meanwhile: show the new text before anyone deletes it.
            const now = await api.get(`report-notes/${n.id}`);
            items = items.map((x) => (x.id === now.id ? now : x));
            n = now;
            draw();
          }
          if (err.status !== 404) throw err;
        }
        items = items.filter((x) => x.id !== n.id);
        draw();
        const msg = t('fi.nt.deleted', { period: name });
        pageMsg.replaceChildren(messageBox('ok', msg));
        announce(msg);
      },
      explain: (err) => (err.status === 412 ? messageBox('warn', t('fi.nt.deleteChanged')) : problemBox(err, (e) => errorBox(e, 'fi.whatNotes'))),
    });
  }

  draw();
}
