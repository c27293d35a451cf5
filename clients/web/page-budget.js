// page-budget.js — the budget plan (Finanzierungsplan): the planned eligible
// cost per cost category and year (budget lines) beside what was invoiced
// as eligible in that category and year (from the project's invoices), with
// the totals per year, per category and for the project, compared with the
// approved eligible cost. Finance and admins plan a cell in a dialog
// (create, or change with If-Match; a 412 shows the other value and lets the
// user save theirs again) and may delete a line; managers read.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t } from './i18n.js';
import {
  CATEGORIES, categoryLabel, eur, moneyInput, readMoney, moneyField, moneyExample, writesMoney, localErrors,
  dialogShell, problemBox,
} from './finance.js';

const YEAR_MIN = 2000;
const YEAR_MAX = 2100;

export async function render(el, ctx, fin) {
  const { project } = fin;
  const canWrite = writesMoney(ctx.user);
  el.append(h('h2#fi-h2', t('fi.bud.title')), h('p.loading', t('fi.bud.loading')));
  let lines, invoices;
  try {
    [lines, invoices] = await Promise.all([
      api.listAll('budget-lines', { project_id: project.id }, null, { signal: ctx.signal }),
      api.listAll('invoices', { project_id: project.id }, null, { signal: ctx.signal }),
    ]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'fi.whatBudget', retryPage));
    return;
  }
  el.querySelector('.loading').remove();

  // What was invoiced as eligible, and paid, per category and year.
  const actual = new Map();
  const paid = new Map();
  const cell = (c, y) => `${c}/${y}`;
  for (const i of invoices) {
    const k = cell(i.category, Number(i.invoice_date.slice(0, 4)));
    actual.set(k, (actual.get(k) || 0) + (i.eligible_cents || 0));
    if (i.status === 'paid') paid.set(k, (paid.get(k) || 0) + (i.eligible_cents || 0));
  }
  const lineAt = (c, y) => lines.find((l) => l.category === c && l.year === y) || null;

  // The years: the project's, the plan's and the invoices', and those added here.
  const added = new Set();
  function years() {
    const ys = new Set(added);
    for (const l of lines) ys.add(l.year);
    for (const i of invoices) ys.add(Number(i.invoice_date.slice(0, 4)));
    const a = Number((project.start_date || '').slice(0, 4));
    const b = Number((project.planned_end_date || '').slice(0, 4));
    if (a && b && b >= a && b - a < 30) for (let y = a; y <= b; y++) ys.add(y);
    if (!ys.size) ys.add(new Date().getFullYear());
    return [...ys].filter((y) => y >= YEAR_MIN && y <= YEAR_MAX).sort((x, y) => x - y);
  }

  const grid = h('div#fi-bud-grid');
  const summary = h('div#fi-bud-summary');
  const notesBox = h('div#fi-bud-notes');
  const pageMsg = h('div#fi-bud-msg', { 'aria-live': 'polite' });
  const yearInput = h('input#fi-bud-year', { type: 'text', name: 'year', inputmode: 'numeric', maxlength: '4', autocomplete: 'off' });
  const addYear = canWrite ? h('form.fi-add-year#fi-bud-add', { novalidate: true },
    h('div.field.field-inline', h('label', { for: 'fi-bud-year' }, t('fi.bud.addYear')), yearInput,
      h('button.btn', { type: 'submit' }, t('fi.bud.addYearBtn')))) : null;
  el.append(...[
    h('p', t('fi.bud.lead')),
    canWrite ? h('p.hint', t('fi.bud.hintEdit')) : h('p.hint#fi-readonly', t('fi.bud.readOnly')),
    pageMsg, summary, grid, addYear, notesBox].filter(Boolean));

  function draw() {
    const ys = years();
    const sum = { plan: new Map(), actual: new Map() };
    const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v);
    let planAll = 0;
    let actualAll = 0;
    let paidAll = 0;
    const body = CATEGORIES.map((c) => {
      let planRow = 0;
      let actualRow = 0;
      const cells = ys.map((y) => {
        const l = lineAt(c, y);
        const plan = l ? l.planned_cents : 0;
        const act = actual.get(cell(c, y)) || 0;
        planRow += plan;
        actualRow += act;
        add(sum.plan, y, plan);
        add(sum.actual, y, act);
        paidAll += paid.get(cell(c, y)) || 0;
        return planCell(c, y, l, act);
      });
      planAll += planRow;
      actualAll += actualRow;
      return h('tr', { dataset: { category: c } },
        h('th', { scope: 'row' }, categoryLabel(c)),
        cells,
        h('td.num.fi-bud-total', { 'data-label': t('fi.bud.total'), dataset: { plan: planRow, actual: actualRow } }, pair(planRow, actualRow)));
    });
    // On a phone each cost category is a card of its years (table-cards), so nothing scrolls sideways.
    const table = h('table.table.table-cards.fi-budget#fi-budget',
      h('caption', t('fi.bud.caption', { code: project.code })),
      h('thead', h('tr', h('th', { scope: 'col' }, t('fi.f.category')), ys.map((y) => h('th.num', { scope: 'col' }, String(y))),
        h('th.num', { scope: 'col' }, t('fi.bud.total')))),
      h('tbody', body),
      h('tfoot', h('tr',
        h('th', { scope: 'row' }, t('fi.bud.total')),
        ys.map((y) => h('td.num', { 'data-label': String(y), dataset: { year: y, plan: sum.plan.get(y) || 0, actual: sum.actual.get(y) || 0 } }, pair(sum.plan.get(y) || 0, sum.actual.get(y) || 0))),
        h('td.num#fi-bud-grand', { 'data-label': t('fi.bud.total'), dataset: { plan: planAll, actual: actualAll } }, pair(planAll, actualAll)))));
    grid.replaceChildren(h('div.table-wrap.fi-budget-wrap', { tabindex: '0', role: 'region', 'aria-label': t('fi.bud.caption', { code: project.code }) }, table));

    const budget = project.budget_cents || 0;
    const fact = (k, v, id, extra = null) => h('div', { dataset: { fact: id } }, h('dt', t(k)), h('dd', eur(v), extra));
    summary.replaceChildren(h('dl.fi-sums#fi-bud-facts',
      fact('fi.bud.planTotal', planAll, 'plan'),
      fact('fi.bud.approved', budget, 'approved'),
      fact(planAll > budget ? 'fi.bud.overPlanned' : 'fi.bud.unplanned', Math.abs(budget - planAll), 'unplanned'),
      fact('fi.bud.invoiced', actualAll, 'invoiced', planAll ? h('span.small.block', t('fi.bud.ofPlan', { pct: fmt.pct(actualAll, planAll) })) : null),
      fact('fi.bud.paid', paidAll, 'paid')));
    if (planAll > budget && budget) {
      summary.append(messageBox('warn', t('fi.bud.overBudget', { plan: eur(planAll), budget: eur(budget) })));
    }

    const noted = lines.filter((l) => l.note).sort((a, b) => a.year - b.year || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category));
    notesBox.replaceChildren(...(noted.length ? [h('h3', t('fi.bud.notes')), h('dl.fi-bud-notes',
      noted.map((l) => h('div', h('dt', `${categoryLabel(l.category)} ${l.year}`), h('dd.sg-note', l.note))))] : []));
  }

  /** Planned and invoiced, one above the other, each named. */
  function pair(plan, act) {
    return [h('span.fi-plan', h('span.fi-k', `${t('fi.bud.plan')} `), eur(plan)),
      h(`span.fi-actual${act > plan ? '.fi-over' : ''}`, h('span.fi-k', `${t('fi.bud.actual')} `), eur(act),
        act > plan ? h('span.fi-over-word', ` ${t('fi.bud.over')}`) : null)];
  }

  function planCell(c, y, l, act) {
    const plan = l ? l.planned_cents : 0;
    const td = h('td.num.fi-bud-cell', { 'data-label': String(y), dataset: { category: c, year: y, plan, actual: act, line: l ? l.id : '' } });
    if (canWrite) {
      td.append(h('button.btn.btn-quiet.fi-plan-btn', {
        type: 'button',
        id: `fi-plan-${c}-${y}`,
        'aria-label': t(l ? 'fi.bud.changeLabel' : 'fi.bud.planLabel', { category: categoryLabel(c), year: y, plan: eur(plan), actual: eur(act) }),
        onclick: (e) => planDialog.open(c, y, e.currentTarget),
      }, l ? eur(plan) : t('fi.bud.planIt')), h(`span.fi-actual${act > plan ? '.fi-over' : ''}`, h('span.fi-k', `${t('fi.bud.actual')} `), eur(act),
        act > plan ? h('span.fi-over-word', ` ${t('fi.bud.over')}`) : null));
    } else {
      td.append(...pair(plan, act));
    }
    if (l && l.note) td.append(h('span.fi-noted', { title: l.note }, t('fi.bud.noted')));
    return td;
  }

  if (addYear) {
    addYear.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(addYear);
      const y = Number(yearInput.value.trim());
      if (!/^\d{4}$/.test(yearInput.value.trim()) || y < YEAR_MIN || y > YEAR_MAX) {
        showFieldErrors(addYear, { errors: [{ pointer: '/year', detail: t('fi.bud.badYear', { min: YEAR_MIN, max: YEAR_MAX }) }] });
        return;
      }
      if (years().includes(y)) {
        showFieldErrors(addYear, { errors: [{ pointer: '/year', detail: t('fi.bud.yearThere', { year: y }) }] });
        return;
      }
      added.add(y);
      yearInput.value = '';
      draw();
      announce(t('fi.bud.yearAdded', { year: y }));
      document.getElementById(`fi-plan-${CATEGORIES[0]}-${y}`)?.focus();
    });
  }

  // ---- plan one cell ----
  const planDialog = (() => {
    const d = dialogShell(el, ctx, 'fi-bud-dialog', t('fi.bud.title'));
    const what = h('p#fi-bud-what');
    const amount = moneyField('fi-bud-amount', 'planned_cents', t('fi.bud.amount'), t('fi.bud.amountHint', { example: moneyExample() }));
    const note = h('textarea#fi-bud-note', { name: 'note', rows: '3', maxlength: '2000' });
    const save = h('button.btn.btn-primary#fi-bud-save', { type: 'submit' }, t('c.save'));
    const del = h('button.btn.btn-danger#fi-bud-delete', { type: 'button', onclick: () => askDelete() }, t('fi.bud.delete'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    const confirmBox = h('div#fi-bud-confirm');
    d.form.append(what, amount.el, field(t('fi.f.note'), note), h('p.actions', save, del, cancel), confirmBox, d.out);
    let cat = null;
    let year = null;
    let base = null; // the line as loaded, null for a cell without one

    function fill(l) {
      amount.input.value = l ? moneyInput(l.planned_cents) : '';
      note.value = l && l.note ? l.note : '';
      del.hidden = !l;
    }
    function label() { return t('fi.bud.cellName', { category: categoryLabel(cat), year }); }

    async function reload() {
      const r = await api.get('budget-lines', { project_id: project.id, category: cat, year });
      const now = r.items[0] || null;
      lines = lines.filter((l) => !(l.category === cat && l.year === year));
      if (now) lines.push(now);
      return now;
    }

    async function submit(body) {
      save.disabled = true;
      d.out.replaceChildren();
      try {
        let saved;
        if (base) {
          saved = await api.patch(`budget-lines/${base.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
          lines = lines.map((l) => (l.id === saved.id ? saved : l));
        } else {
          saved = await api.post('budget-lines', { project_id: project.id, category: cat, year, ...body });
          lines.push(saved);
        }
        d.dlg.close();
        draw();
        const msg = t('fi.bud.saved', { cell: label(), plan: eur(saved.planned_cents) });
        pageMsg.replaceChildren(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        if (err.name === 'AbortError') return;
        if (err.status === 422) {
          const rest = showFieldErrors(d.form, localErrors(err));
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 412 || err.status === 409 || err.status === 404) {
          // Someone else planned (or changed, or deleted) this cell meanwhile: show theirs, keep mine in the form.
          let theirs;
          try { theirs = await reload(); } catch (e2) { d.out.replaceChildren(errorBox(e2, 'fi.whatBudget')); return; }
          const before = base;
          base = theirs;
          draw();
          del.hidden = !theirs;
          d.out.replaceChildren(h('div.msg.msg-warn#fi-conflict', { role: 'alert' },
            h('p', h('strong', `${t('fi.conflict')} `), theirs
              ? t('fi.bud.theirs', { plan: eur(theirs.planned_cents), when: fmt.dateTime(theirs.updated_at) })
              : t('fi.bud.theyDeleted')),
            before && theirs && before.note !== theirs.note ? h('p', t('fi.bud.theirNote', { note: theirs.note || t('fi.empty') })) : null,
            h('p', t('fi.bud.saveAgain'))));
          save.textContent = t('fi.applyAgain');
        } else {
          d.out.replaceChildren(problemBox(err, (e) => errorBox(e, 'fi.whatBudget')));
        }
      } finally {
        save.disabled = false;
      }
    }

    function askDelete() {
      const yes = h('button.btn.btn-danger#fi-bud-delete-yes', { type: 'button', onclick: () => doDelete() }, t('fi.bud.deleteYes'));
      const no = h('button.btn#fi-bud-delete-no', { type: 'button', onclick: () => { confirmBox.replaceChildren(); del.focus(); } }, t('fi.bud.deleteNo'));
      confirmBox.replaceChildren(h('div.msg.msg-warn', { role: 'alert' }, h('p', t('fi.bud.deleteAsk', { cell: label(), plan: eur(base.planned_cents) })), h('p.actions', yes, no)));
      no.focus();
    }
    async function doDelete() {
      d.out.replaceChildren();
      try {
        await api.request('DELETE', `budget-lines/${base.id}`, { headers: { 'If-Match': `"${base.version}"` } });
      } catch (err) {
        if (err.status !== 404) {
          confirmBox.replaceChildren();
          if (err.status === 412) {
            try { base = await reload(); } catch { /* said below either way */ }
            draw();
            fill(base);
            d.out.replaceChildren(messageBox('warn', t('fi.bud.deleteChanged')));
          } else {
            d.out.replaceChildren(errorBox(err, 'fi.whatBudget'));
          }
          return;
        }
      }
      lines = lines.filter((l) => l.id !== base.id);
      d.dlg.close();
      draw();
      const msg = t('fi.bud.deleted', { cell: label() });
      pageMsg.replaceChildren(messageBox('ok', msg));
      announce(msg);
    }

    d.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      const m = readMoney(amount.input.value);
      if (m.error || m.cents === null) {
        showFieldErrors(d.form, { errors: [{ pointer: '/planned_cents', detail: m.error || t('fi.required') }] });
        return;
      }
      const text = note.value.trim() || null;
      const body = base ? {} : { planned_cents: m.cents, note: text };
      if (base) {
        if (m.cents !== base.planned_cents) body.planned_cents = m.cents;
        if (text !== (base.note || null)) body.note = text;
        if (!Object.keys(body).length) { d.dlg.close(); announce(t('fi.nothingChanged')); return; }
      }
      submit(body);
    });

    return {
      open(c, y, from) {
        cat = c;
        year = y;
        base = lineAt(c, y);
        d.title.textContent = label();
        what.textContent = t('fi.bud.what', { actual: eur(actual.get(cell(c, y)) || 0), paid: eur(paid.get(cell(c, y)) || 0) });
        save.textContent = t('c.save');
        confirmBox.replaceChildren();
        fill(base);
        d.show(from);
        amount.input.focus();
        amount.input.select();
      },
    };
  })();

  draw();
}
