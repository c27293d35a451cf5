// page-drawdowns.js — the drawdowns (Mittelabrufe) of a project: what was
// requested from the federal and the state programme for which period, what
// was received, and what remains of the grant. Finance and admins draft a
// drawdown (the server numbers it), change or delete it while it is a draft,
// submit it (which freezes it: asked first), and record the payment when it
// arrives. Everyone on staff downloads a drawdown's workbook, the Mittelabruf
// as the funding agency wants it.

import * as api from './api.js';
import { h, fmt, today, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t } from './i18n.js';
import {
  eur, moneyInput, readMoney, moneyField, moneyExample, rate, period, dayAfter, quarterOf, drawdownBadge, stateLabel, writesMoney,
  localErrors, finText, dialogShell, confirmAction, conflictList, fieldLabel, problemBox,
} from './finance.js';

const KEYS = ['period_from', 'period_to', 'federal_requested_cents', 'state_requested_cents', 'note'];

export async function render(el, ctx, fin) {
  const { project } = fin;
  const canWrite = writesMoney(ctx.user);
  el.append(h('h2#fi-h2', t('fi.dd.title')), h('p.loading', t('fi.dd.loading')));
  let items, invoices;
  try {
    [items, invoices] = await Promise.all([
      api.listAll('drawdowns', { project_id: project.id }, null, { signal: ctx.signal }),
      api.listAll('invoices', { project_id: project.id }, null, { signal: ctx.signal }),
    ]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'fi.whatDrawdowns', retryPage));
    return;
  }
  el.querySelector('.loading').remove();

  const federalRate = Number(project.federal_rate) || 0;
  const stateRate = Number(project.state_rate) || 0;
  const facts = h('div#fi-dd-facts');
  const pageMsg = h('div#fi-dd-msg', { 'aria-live': 'polite' });
  const newBtn = canWrite ? h('button.btn.btn-primary#fi-dd-new', { type: 'button', onclick: (e) => editDialog.open(null, e.currentTarget) }, t('fi.dd.new')) : null;
  const tbody = h('tbody');
  const table = h('table.table.table-cards.fi-table#fi-drawdowns', h('caption.sr-only', t('fi.dd.caption', { code: project.code })),
    h('thead', h('tr',
      h('th', { scope: 'col' }, t('fi.dd.number')),
      h('th', { scope: 'col' }, t('fi.dd.period')),
      h('th.num', { scope: 'col' }, t('fi.dd.federal')),
      h('th.num', { scope: 'col' }, t('fi.dd.state')),
      h('th', { scope: 'col' }, t('fi.dd.stateCol')),
      h('th', { scope: 'col' }, t('fi.dd.received')),
      h('th', { scope: 'col' }, h('span.sr-only', t('c.actions'))))),
    tbody);
  const empty = h('div#fi-dd-empty', { hidden: true });
  el.append(...[
    h('p', t('fi.dd.lead')),
    canWrite ? null : h('p.hint#fi-readonly', t('fi.dd.readOnly')),
    facts,
    h('div.fi-toolbar', h('p.fi-count#fi-dd-count'), newBtn),
    pageMsg,
    h('div.table-wrap', table),
    empty].filter(Boolean));

  const byNumber = () => [...items].sort((a, b) => (a.number || 0) - (b.number || 0) || a.id - b.id);
  const name = (d) => t('fi.dd.name', { number: d.number ?? '?' });

  function draw() {
    const list = byNumber();
    tbody.replaceChildren(...list.map(row));
    table.hidden = !list.length;
    empty.hidden = !!list.length;
    empty.replaceChildren(messageBox('info', canWrite ? t('fi.dd.noneWrite') : t('fi.dd.none')));
    document.getElementById('fi-dd-count').textContent = list.length ? t('fi.dd.count', { n: list.length }) : '';
    // What the grant is, what was asked for (submitted or received) and paid, and what is left.
    const budget = project.budget_cents || 0;
    const grant = { federal: Math.round(budget * federalRate), state: Math.round(budget * stateRate) };
    const req = { federal: 0, state: 0 };
    const got = { federal: 0, state: 0 };
    for (const d of items) {
      if (d.state === 'draft') continue;
      req.federal += d.federal_requested_cents || 0;
      req.state += d.state_requested_cents || 0;
      got.federal += d.federal_received_cents || 0;
      got.state += d.state_received_cents || 0;
    }
    const fact = (k, f, s, id) => h('div', { dataset: { fact: id, federal: f, state: s } }, h('dt', t(k)),
      h('dd', h('span.block', t('fi.dd.federalAmount', { amount: eur(f) })), h('span.block', t('fi.dd.stateAmount', { amount: eur(s) }))));
    facts.replaceChildren(h('dl.fi-sums.fi-dd-facts',
      fact('fi.dd.grant', grant.federal, grant.state, 'grant'),
      fact('fi.dd.requested', req.federal, req.state, 'requested'),
      fact('fi.dd.receivedSum', got.federal, got.state, 'received'),
      fact('fi.dd.remaining', grant.federal - req.federal, grant.state - req.state, 'remaining')),
    h('p.small', t('fi.dd.grantNote', { budget: eur(budget), federal: rate(federalRate), state: rate(stateRate) })));
  }

  function row(d) {
    const actions = [];
    if (canWrite && d.state === 'draft') {
      actions.push(
        h('button.btn', { type: 'button', id: `fi-dd-edit-${d.id}`, 'aria-label': t('fi.dd.editLabel', { name: name(d) }), onclick: (e) => editDialog.open(d, e.currentTarget) }, t('fi.edit')),
        h('button.btn.btn-primary', { type: 'button', id: `fi-dd-submit-${d.id}`, 'aria-label': t('fi.dd.submitLabel', { name: name(d) }), onclick: (e) => submit(d, e.currentTarget) }, t('fi.dd.submit')),
        h('button.btn.btn-danger', { type: 'button', id: `fi-dd-delete-${d.id}`, 'aria-label': t('fi.dd.deleteLabel', { name: name(d) }), onclick: (e) => remove(d, e.currentTarget) }, t('fi.delete')));
    }
    if (canWrite && d.state === 'submitted') {
      actions.push(h('button.btn.btn-primary', { type: 'button', id: `fi-dd-receive-${d.id}`, 'aria-label': t('fi.dd.receiveLabel', { name: name(d) }), onclick: (e) => receiveDialog.open(d, e.currentTarget) }, t('fi.dd.receive')));
    }
    actions.push(h('button.btn', { type: 'button', id: `fi-dd-wb-${d.id}`, 'aria-label': t('fi.dd.workbookLabel', { name: name(d) }), onclick: (e) => workbook(d, e.currentTarget) }, t('fi.dd.workbook')));
    const received = d.state === 'received'
      ? [h('span.block', fmt.date(d.received_at)),
        h('span.small.block', t('fi.dd.federalAmount', { amount: eur(d.federal_received_cents) })),
        h('span.small.block', t('fi.dd.stateAmount', { amount: eur(d.state_received_cents) }))]
      : '–';
    return h('tr', { dataset: { id: d.id, number: d.number, state: d.state } },
      h('th', { scope: 'row', 'data-label': t('fi.dd.number') }, name(d)),
      h('td', { 'data-label': t('fi.dd.period') }, period(d.period_from, d.period_to), d.note ? h('span.small.block.sg-note', d.note) : null),
      h('td.num.federal', { 'data-label': t('fi.dd.federal') }, eur(d.federal_requested_cents)),
      h('td.num.state', { 'data-label': t('fi.dd.state') }, eur(d.state_requested_cents)),
      h('td.dd-state', { 'data-label': t('fi.dd.stateCol') }, drawdownBadge(d.state),
        d.requested_at ? h('span.small.block', t('fi.dd.submittedOn', { date: fmt.dateTime(d.requested_at) })) : null),
      h('td.dd-received', { 'data-label': t('fi.dd.received') }, received),
      h('td.fi-actions', { 'data-label': '' }, h('div.fi-btns', actions)));
  }

  function changed(d, message) {
    const k = items.findIndex((x) => x.id === d.id);
    if (k >= 0) items[k] = d; else items.push(d);
    draw();
    pageMsg.replaceChildren(messageBox('ok', message));
    announce(message);
  }
  async function refresh(id) {
    try {
      const now = await api.get(`drawdowns/${id}`);
      const k = items.findIndex((x) => x.id === id);
      if (k >= 0) items[k] = now;
      draw();
      return now;
    } catch (err) {
      if (err.status === 404) { items = items.filter((x) => x.id !== id); draw(); }
      return null;
    }
  }

  /** The eligible cost invoiced in a period, and the shares the programmes fund. */
  function suggestion(from, to) {
    let eligible = 0;
    let n = 0;
    for (const i of invoices) {
      if (i.invoice_date >= from && i.invoice_date <= to) { eligible += i.eligible_cents || 0; n++; }
    }
    return { eligible, n, federal: Math.round(eligible * federalRate), state: Math.round(eligible * stateRate) };
  }

  function show(k, v) {
    if (v === null || v === undefined || v === '') return t('fi.empty');
    if (k === 'period_from' || k === 'period_to') return fmt.date(v);
    if (k.endsWith('_cents')) return eur(v);
    return String(v);
  }

  // ---- draft or change a drawdown ----
  const editDialog = (() => {
    const d = dialogShell(el, ctx, 'fi-dd-dialog', t('fi.dd.new'));
    const from = h('input#fi-dd-from', { type: 'date', name: 'period_from', required: true });
    const to = h('input#fi-dd-to', { type: 'date', name: 'period_to', required: true });
    const federal = moneyField('fi-dd-federal', 'federal_requested_cents', t('fi.dd.federalReq'), t('fi.dd.amountHint', { example: moneyExample() }));
    const stateF = moneyField('fi-dd-state', 'state_requested_cents', t('fi.dd.stateReq'));
    const note = h('textarea#fi-dd-note', { name: 'note', rows: '3', maxlength: '2000' });
    const hint = h('div.fi-suggest#fi-dd-suggest', { 'aria-live': 'polite' });
    const save = h('button.btn.btn-primary#fi-dd-save', { type: 'submit' }, t('c.save'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    d.form.append(h('div.fi-form-grid', field(t('fi.f.periodFrom'), from), field(t('fi.f.periodTo'), to)), hint,
      h('div.fi-form-grid', federal.el, stateF.el), field(t('fi.f.note'), note), h('p.actions', save, cancel), d.out);
    let base = null;
    let key = null;

    function suggest() {
      if (!from.value || !to.value || from.value > to.value) { hint.replaceChildren(); return; }
      const s = suggestion(from.value, to.value);
      const use = h('button.btn.btn-quiet#fi-dd-use', { type: 'button', onclick: () => {
        federal.input.value = moneyInput(s.federal);
        stateF.input.value = moneyInput(s.state);
        federal.input.focus();
      } }, t('fi.dd.useSuggestion'));
      hint.replaceChildren(...[h('p.small', t('fi.dd.suggestion', {
        n: s.n, eligible: eur(s.eligible), federal: eur(s.federal), state: eur(s.state), fr: rate(federalRate), sr: rate(stateRate),
      })), s.n ? h('p', use) : null].filter(Boolean));
    }
    from.addEventListener('change', suggest);
    to.addEventListener('change', suggest);

    function fill(v) {
      from.value = v.period_from || '';
      to.value = v.period_to || '';
      federal.input.value = moneyInput(v.federal_requested_cents);
      stateF.input.value = moneyInput(v.state_requested_cents);
      note.value = v.note || '';
      suggest();
    }
    function collect() {
      const bad = [];
      if (!from.value) bad.push({ pointer: '/period_from', detail: t('fi.required') });
      if (!to.value) bad.push({ pointer: '/period_to', detail: t('fi.required') });
      if (from.value && to.value && from.value > to.value) bad.push({ pointer: '/period_to', detail: t('fi.srv.periodBackwards') });
      const f = readMoney(federal.input.value);
      const s = readMoney(stateF.input.value);
      if (f.error) bad.push({ pointer: '/federal_requested_cents', detail: f.error });
      if (s.error) bad.push({ pointer: '/state_requested_cents', detail: s.error });
      if (bad.length) { showFieldErrors(d.form, { errors: bad }); return null; }
      return {
        period_from: from.value, period_to: to.value,
        federal_requested_cents: f.cents ?? 0, state_requested_cents: s.cents ?? 0,
        note: note.value.trim() || null,
      };
    }
    async function send(body) {
      save.disabled = true;
      d.out.replaceChildren();
      try {
        let saved;
        if (base) {
          saved = await api.patch(`drawdowns/${base.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
        } else {
          key = key || api.newIdempotencyKey();
          saved = await api.post('drawdowns', { project_id: project.id, ...body }, { headers: { 'Idempotency-Key': key } });
          key = null;
        }
        d.dlg.close();
        changed(saved, base ? t('fi.dd.saved', { name: name(saved) }) : t('fi.dd.created', { name: name(saved), period: period(saved.period_from, saved.period_to) }));
      } catch (err) {
        if (err.name === 'AbortError') return;
        if (err.status !== 0 && err.status !== 503 && err.status !== 429) key = null;
        if (err.status === 422) {
          const rest = showFieldErrors(d.form, localErrors(err));
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 412) {
          await conflict(body);
        } else if (err.status === 409 || err.status === 404) {
          // Submitted or deleted by someone else meanwhile: it is not a draft to change any more.
          const now = await refresh(base.id);
          d.out.replaceChildren(messageBox('error', now ? finText(err.detail) : t('fi.dd.gone', { name: name(base) })));
        } else {
          d.out.replaceChildren(problemBox(err, (e) => errorBox(e, 'fi.whatDrawdown')));
        }
      } finally {
        save.disabled = false;
      }
    }
    async function conflict(mine) {
      const before = base;
      const theirs = await refresh(base.id);
      if (!theirs) { d.out.replaceChildren(messageBox('error', t('fi.dd.gone', { name: name(before) }))); return; }
      base = theirs;
      if (theirs.state !== 'draft') {
        d.out.replaceChildren(messageBox('error', t('fi.dd.notDraftNow', { name: name(theirs), state: theirs.state === 'draft' ? stateLabel(theirs.state) : stateLabel(theirs.state).toLocaleLowerCase() })));
        return;
      }
      fill({ ...theirs, ...mine });
      const again = h('button.btn.btn-primary#fi-apply-again', { type: 'button', onclick: () => send(mine) }, t('fi.applyAgain'));
      const keep = h('button.btn#fi-keep-theirs', { type: 'button', onclick: () => { d.dlg.close(); announce(t('fi.keptTheirs')); } }, t('fi.keepTheirs'));
      d.out.replaceChildren(h('div.msg.msg-warn#fi-conflict', { role: 'alert' },
        h('p', h('strong', `${t('fi.conflict')} `), t('fi.conflictWho', { version: fmt.int(theirs.version), when: fmt.dateTime(theirs.updated_at) })),
        h('p', t('fi.theyChanged')),
        conflictList('fi-conflict-list', KEYS, { base: before, theirs, mine, show, label: fieldLabel }),
        h('p', t('fi.nothingSaved')), h('p.actions', again, keep)));
      again.focus();
    }
    d.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      const v = collect();
      if (!v) return;
      if (base) {
        const body = Object.fromEntries(KEYS.filter((k) => (v[k] ?? null) !== (base[k] ?? null)).map((k) => [k, v[k]]));
        if (!Object.keys(body).length) { d.dlg.close(); announce(t('fi.nothingChanged')); return; }
        send(body);
      } else {
        send(v);
      }
    });
    return {
      open(dd, opener) {
        base = dd;
        key = null;
        d.title.textContent = dd ? t('fi.dd.editTitle', { name: name(dd) }) : t('fi.dd.new');
        save.textContent = dd ? t('c.save') : t('fi.dd.create');
        if (dd) {
          fill(dd);
        } else {
          // The next period: from the day after the last one ends (else the project's start), to the end of that quarter.
          const last = byNumber().at(-1);
          const start = last ? dayAfter(last.period_to) : (project.start_date || quarterOf(today()).from);
          fill({ period_from: start, period_to: quarterOf(start).to });
        }
        d.show(opener);
        from.focus();
      },
    };
  })();

  // ---- submit: freezes the drawdown, so ask first ----
  function submit(dd, opener) {
    confirmAction(el, ctx, {
      id: 'fi-dd-submit-dialog',
      title: t('fi.dd.submitTitle', { name: name(dd) }),
      body: [
        h('p', t('fi.dd.submitWhat', { period: period(dd.period_from, dd.period_to), federal: eur(dd.federal_requested_cents), state: eur(dd.state_requested_cents) })),
        h('p.msg.msg-warn', t('fi.dd.freezes')),
      ],
      confirm: t('fi.dd.submitBtn'),
      from: opener,
      fallback: () => document.getElementById(`fi-dd-wb-${dd.id}`),
      run: async () => {
        try {
          const now = await api.post(`drawdowns/${dd.id}/submit`, undefined, { headers: { 'If-Match': `"${dd.version}"` } });
          changed(now, t('fi.dd.submitted', { name: name(now), when: fmt.dateTime(now.requested_at) }));
        } catch (err) {
          if (err.status === 412 || err.status === 409) {
            const now = await refresh(dd.id);
            if (now) dd = now;
            err.changedMeanwhile = true;
          }
          throw err;
        }
      },
      explain: (err) => (err.status === 412 ? messageBox('warn', t('fi.dd.changedMeanwhile'))
        : problemBox(err, (e) => errorBox(e, 'fi.whatDrawdown'))),
    });
  }

  // ---- record the payment of a submitted drawdown ----
  const receiveDialog = (() => {
    const d = dialogShell(el, ctx, 'fi-dd-receive-dialog', t('fi.dd.receive'));
    const what = h('p#fi-dd-receive-what');
    const date = h('input#fi-dd-received-at', { type: 'date', name: 'received_at', required: true });
    const federal = moneyField('fi-dd-federal-received', 'federal_received_cents', t('fi.dd.federalGot'), t('fi.dd.receivedHint'));
    const stateF = moneyField('fi-dd-state-received', 'state_received_cents', t('fi.dd.stateGot'));
    const save = h('button.btn.btn-primary#fi-dd-receive-save', { type: 'submit' }, t('fi.dd.receiveBtn'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    d.form.append(what, field(t('fi.f.receivedAt'), date), h('div.fi-form-grid', federal.el, stateF.el), h('p.actions', save, cancel), d.out);
    let dd = null;
    d.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      const bad = [];
      if (!date.value) bad.push({ pointer: '/received_at', detail: t('fi.required') });
      const f = readMoney(federal.input.value);
      const s = readMoney(stateF.input.value);
      if (f.error || f.cents === null) bad.push({ pointer: '/federal_received_cents', detail: f.error || t('fi.required') });
      if (s.error || s.cents === null) bad.push({ pointer: '/state_received_cents', detail: s.error || t('fi.required') });
      if (bad.length) { showFieldErrors(d.form, { errors: bad }); return; }
      save.disabled = true;
      d.out.replaceChildren();
      try {
        const now = await api.post(`drawdowns/${dd.id}/receive`,
          { received_at: date.value, federal_received_cents: f.cents, state_received_cents: s.cents },
          { headers: { 'If-Match': `"${dd.version}"` } });
        d.dlg.close();
        changed(now, t('fi.dd.receivedMsg', { name: name(now), federal: eur(now.federal_received_cents), state: eur(now.state_received_cents) }));
      } catch (err) {
        if (err.name === 'AbortError') return;
        if (err.status === 422) {
          const rest = showFieldErrors(d.form, localErrors(err));
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 412 || err.status === 409) {
          const now = await refresh(dd.id);
          if (now) dd = now;
          d.out.replaceChildren(messageBox('warn', err.status === 412 ? t('fi.dd.changedMeanwhile') : finText(err.detail)));
        } else {
          d.out.replaceChildren(errorBox(err, 'fi.whatDrawdown'));
        }
      } finally {
        save.disabled = false;
      }
    });
    return {
      open(x, opener) {
        dd = x;
        d.title.textContent = t('fi.dd.receiveTitle', { name: name(x) });
        what.textContent = t('fi.dd.receiveWhat', { federal: eur(x.federal_requested_cents), state: eur(x.state_requested_cents), date: fmt.dateTime(x.requested_at) });
        date.value = today();
        date.max = today();
        federal.input.value = moneyInput(x.federal_requested_cents);
        stateF.input.value = moneyInput(x.state_requested_cents);
        d.show(opener);
        date.focus();
      },
    };
  })();

  // ---- delete a draft, after asking ----
  function remove(dd, opener) {
    confirmAction(el, ctx, {
      id: 'fi-dd-delete-dialog',
      title: t('fi.dd.deleteTitle', { name: name(dd) }),
      body: [h('p', t('fi.dd.deleteText', { name: name(dd), period: period(dd.period_from, dd.period_to) })), h('p', t('fi.cannotUndo'))],
      confirm: t('fi.dd.deleteBtn'),
      danger: true,
      from: opener,
      fallback: () => newBtn,
      run: async () => {
        try {
          await api.request('DELETE', `drawdowns/${dd.id}`, { headers: { 'If-Match': `"${dd.version}"` } });
        } catch (err) {
          if (err.status === 412 || err.status === 409) {
            const now = await refresh(dd.id);
            if (now) dd = now;
          }
          if (err.status !== 404) throw err;
        }
        items = items.filter((x) => x.id !== dd.id);
        draw();
        const msg = t('fi.dd.deleted', { name: name(dd) });
        pageMsg.replaceChildren(messageBox('ok', msg));
        announce(msg);
      },
      explain: (err) => (err.status === 412 ? messageBox('warn', t('fi.dd.changedMeanwhile')) : problemBox(err, (e) => errorBox(e, 'fi.whatDrawdown'))),
    });
  }

  // ---- the Mittelabruf workbook ----
  async function workbook(dd, btn) {
    btn.disabled = true;
    const label = btn.textContent;
    btn.textContent = t('fi.dd.preparing');
    pageMsg.replaceChildren();
    try {
      const r = await api.download(`drawdowns/${dd.id}/workbook.xlsx`, null, t('fi.dd.workbookFile', { code: project.code, number: dd.number }));
      const msg = t('fi.dd.downloaded', { file: r.filename, size: fmt.bytes(r.size) });
      pageMsg.replaceChildren(messageBox('ok', msg));
      announce(msg);
    } catch (err) {
      if (err.name === 'AbortError') return;
      // A server without the workbook route answers 404 for every drawdown, like one whose drawdown is gone.
      pageMsg.replaceChildren(err.status === 404 ? messageBox('warn', t('fi.dd.workbookMissing', { name: name(dd) })) : errorBox(err, 'fi.whatWorkbook'));
    } finally {
      btn.disabled = false;
      btn.textContent = label;
    }
  }

  draw();
}
