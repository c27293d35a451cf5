// page-invoices.js — a project's invoices: filters (lot, contractor, cost
// category, status, invoice dates, number), the sums of the filtered view,
// and, for finance and admins, recording, changing (If-Match; a 412 shows
// what someone else changed and lets the user apply their change again) and
// deleting an invoice.
//
// The project's invoices are read once (a municipality's project has
// hundreds, not millions) and filtered here: the sums need every matching
// invoice anyway, and the date range is not a filter the API has. The view
// lives in the hash's query (#/projects/1/finance/invoices?category=cabling),
// so a reload or a shared link shows the same rows.

import * as api from './api.js';
import { h, fmt, today, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t } from './i18n.js';
import {
  CATEGORIES, INVOICE_STATUSES, categoryLabel, statusLabel, invoiceBadge, eur, moneyInput, readMoney, moneyField, moneyExample,
  writesMoney, localErrors, finText, dialogShell, confirmAction, conflictList, fieldLabel, problemBox,
} from './finance.js';

const FILTERS = ['q', 'lot_id', 'contractor_id', 'category', 'status', 'from', 'to'];
const PAGE = 100; // rows drawn at a time; the sums always cover every matching invoice
const VAT_RATE = 0.19; // the German standard rate, offered as a shortcut

/** The table's columns: the sort key (a field) and how the value compares. */
const COLUMNS = [
  { key: 'number', label: 'fi.f.number', sort: 'number' },
  { key: 'invoice_date', label: 'fi.f.invoiceDate', sort: 'invoice_date' },
  { key: 'contractor', label: 'fi.f.contractor', sort: 'contractor' },
  { key: 'lot', label: 'fi.f.lot', sort: 'lot' },
  { key: 'category', label: 'fi.f.category', sort: 'category' },
  { key: 'net_cents', label: 'fi.f.net', sort: 'net_cents', num: true },
  { key: 'vat_cents', label: 'fi.f.vat', sort: 'vat_cents', num: true },
  { key: 'eligible_cents', label: 'fi.f.eligible', sort: 'eligible_cents', num: true },
  { key: 'status', label: 'fi.f.status', sort: 'status' },
];
const DEFAULT_SORT = '-invoice_date';

/** The invoice's fields as the form and the conflict list know them. */
const KEYS = ['number', 'invoice_date', 'contractor_id', 'lot_id', 'category', 'net_cents', 'vat_cents', 'eligible_cents', 'status', 'paid_date'];

const isDate = (s) => /^\d{4}-\d\d-\d\d$/.test(s);

function readState(query, ok) {
  const s = { sort: DEFAULT_SORT };
  for (const f of FILTERS) s[f] = '';
  const q = (query.get('q') || '').trim();
  if (q) s.q = q.slice(0, 64);
  for (const f of ['lot_id', 'contractor_id']) {
    const v = query.get(f);
    if (v && ok[f].has(v)) s[f] = v;
  }
  if (CATEGORIES.includes(query.get('category'))) s.category = query.get('category');
  if (INVOICE_STATUSES.includes(query.get('status'))) s.status = query.get('status');
  for (const f of ['from', 'to']) if (isDate(query.get(f) || '')) s[f] = query.get(f);
  const sort = query.get('sort') || '';
  if (COLUMNS.some((c) => sort === c.sort || sort === `-${c.sort}`)) s.sort = sort;
  return s;
}

function toQuery(s) {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (s[f]) q.set(f, s[f]);
  if (s.sort !== DEFAULT_SORT) q.set('sort', s.sort);
  return q.toString();
}

export async function render(el, ctx, fin) {
  const { project, lots, contractors, lotById, contractorById } = fin;
  const canWrite = writesMoney(ctx.user);
  el.append(h('h2#fi-h2', t('fi.inv.title')), h('p.loading', t('fi.inv.loading')));
  let items;
  try {
    items = await api.listAll('invoices', { project_id: project.id }, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'fi.whatInvoices', retryPage));
    return;
  }
  el.querySelector('.loading').remove();

  const cName = (id) => (contractorById.get(id) ? contractorById.get(id).name : id ? `#${id}` : '–');
  const lotCode = (id) => (lotById.get(id) ? lotById.get(id).code : id ? `#${id}` : '–');
  // The contractors of this project (its lots' and its invoices'), for the filter.
  const ours = contractors.filter((c) => lots.some((l) => l.contractor_id === c.id) || items.some((i) => i.contractor_id === c.id));
  const ok = { lot_id: new Set(lots.map((l) => String(l.id))), contractor_id: new Set(ours.map((c) => String(c.id))) };
  let state = readState(ctx.query, ok);
  let shownRows = PAGE;

  // ---- the controls ----
  const option = (value, text, sel) => h('option', { value, selected: value === sel }, text);
  const q = h('input#fi-q', { type: 'search', name: 'q', maxlength: '64', autocomplete: 'off', value: state.q, placeholder: t('fi.inv.searchPlaceholder') });
  const lotSel = h('select#fi-lot', { name: 'lot_id' }, option('', t('fi.inv.anyLot'), state.lot_id),
    lots.map((l) => option(String(l.id), `${l.code} ${l.name}`, state.lot_id)));
  const cSel = h('select#fi-contractor', { name: 'contractor_id' }, option('', t('fi.inv.anyContractor'), state.contractor_id),
    ours.map((c) => option(String(c.id), c.name, state.contractor_id)));
  const catSel = h('select#fi-category', { name: 'category' }, option('', t('fi.inv.anyCategory'), state.category),
    CATEGORIES.map((c) => option(c, categoryLabel(c), state.category)));
  const stSel = h('select#fi-status', { name: 'status' }, option('', t('fi.inv.anyStatus'), state.status),
    INVOICE_STATUSES.map((s) => option(s, statusLabel(s), state.status)));
  const from = h('input#fi-from', { type: 'date', name: 'from', value: state.from });
  const to = h('input#fi-to', { type: 'date', name: 'to', value: state.to });
  const clearBtn = h('button.btn#fi-clear', { type: 'button', onclick: () => clearFilters() }, t('fi.inv.clear'));
  const form = h('form.filters.fi-filters#fi-filters', { role: 'search', 'aria-label': t('fi.inv.filtersLabel'), novalidate: true },
    h('div.field.fi-search', h('label', { for: 'fi-q' }, t('fi.inv.search')),
      h('div.fi-search-row', q, h('button.btn.btn-primary', { type: 'submit' }, t('fi.inv.searchBtn')))),
    field(t('fi.f.lot'), lotSel), field(t('fi.f.contractor'), cSel), field(t('fi.f.category'), catSel), field(t('fi.f.status'), stSel),
    field(t('fi.inv.from'), from), field(t('fi.inv.to'), to),
    h('div.fi-filter-actions', clearBtn));

  const count = h('p#fi-count.fi-count', { 'aria-live': 'polite' });
  const sums = h('dl.fi-sums#fi-sums');
  const newBtn = canWrite ? h('button.btn.btn-primary#fi-new', { type: 'button', onclick: (e) => invoiceDialog.open(null, e.currentTarget) }, t('fi.inv.new')) : null;
  const pageMsg = h('div#fi-inv-msg', { 'aria-live': 'polite' });
  const headRow = h('tr');
  const tbody = h('tbody');
  const foot = h('tfoot');
  const table = h('table.table.table-cards.fi-table#fi-invoices', h('caption.sr-only', t('fi.inv.caption', { code: project.code })), h('thead', headRow), tbody, foot);
  const empty = h('div#fi-empty', { hidden: true });
  const more = h('button.btn#fi-more', { type: 'button', hidden: true, onclick: () => { shownRows += PAGE; draw(true); } });

  el.append(...[
    canWrite ? h('p.hint', t('fi.inv.hintEdit')) : h('p.hint#fi-readonly', t('fi.inv.readOnly')),
    form,
    h('div.fi-toolbar', count, newBtn),
    sums,
    pageMsg,
    h('div.table-wrap', table),
    empty,
    h('p', more),
  ].filter(Boolean));

  // ---- the rows ----
  const lower = (s) => String(s || '').toLocaleLowerCase();
  function matches(i, s) {
    if (s.q && !lower(i.number).includes(lower(s.q))) return false;
    if (s.lot_id && String(i.lot_id) !== s.lot_id) return false;
    if (s.contractor_id && String(i.contractor_id) !== s.contractor_id) return false;
    if (s.category && i.category !== s.category) return false;
    if (s.status && i.status !== s.status) return false;
    if (s.from && i.invoice_date < s.from) return false;
    if (s.to && i.invoice_date > s.to) return false;
    return true;
  }
  const sortValue = {
    number: (i) => i.number,
    invoice_date: (i) => i.invoice_date,
    contractor: (i) => cName(i.contractor_id),
    lot: (i) => (i.lot_id ? lotCode(i.lot_id) : ''),
    category: (i) => categoryLabel(i.category),
    net_cents: (i) => i.net_cents,
    vat_cents: (i) => i.vat_cents,
    eligible_cents: (i) => i.eligible_cents,
    status: (i) => INVOICE_STATUSES.indexOf(i.status),
  };
  function sorted(list) {
    const desc = state.sort.startsWith('-');
    const f = sortValue[state.sort.replace(/^-/, '')];
    const cmp = (a, b) => {
      const x = f(a);
      const y = f(b);
      const c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return c || a.id - b.id;
    };
    return [...list].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
  }
  const filtered = () => FILTERS.some((f) => state[f]);

  function drawHead() {
    headRow.replaceChildren(...COLUMNS.map((c) => {
      const th = h(`th${c.num ? '.num' : ''}`, { scope: 'col' });
      const dir = state.sort === c.sort ? 'ascending' : state.sort === `-${c.sort}` ? 'descending' : null;
      if (dir) th.setAttribute('aria-sort', dir);
      th.append(h('button.sort-btn', {
        type: 'button',
        dataset: { sort: c.sort },
        title: dir === 'ascending' ? t('fi.sortedAsc') : dir === 'descending' ? t('fi.sortedDesc') : t('fi.sortHint'),
        onclick: () => sortBy(c.sort),
      }, t(c.label), h('span.sort-icon', { 'aria-hidden': 'true' }, dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕')));
      return th;
    }));
  }

  function row(i) {
    const lot = lotById.get(i.lot_id);
    return h('tr', { dataset: { id: i.id, number: i.number } },
      // The number opens the invoice for those who change it (the dialog also deletes it): a
      // column of buttons would not leave the amounts room on a laptop.
      h('th', { scope: 'row', 'data-label': t('fi.f.number') }, canWrite
        ? h('button.fi-number.fi-open', { type: 'button', id: `fi-edit-${i.id}`, 'aria-label': t('fi.inv.editLabel', { number: i.number }), title: t('fi.inv.editLabel', { number: i.number }), onclick: (e) => invoiceDialog.open(i, e.currentTarget) }, i.number)
        : h('span.fi-number', i.number)),
      h('td', { 'data-label': t('fi.f.invoiceDate') }, fmt.date(i.invoice_date)),
      h('td', { 'data-label': t('fi.f.contractor') }, cName(i.contractor_id)),
      h('td.fi-lot', { 'data-label': t('fi.f.lot'), title: lot ? lot.name : null }, i.lot_id ? lotCode(i.lot_id) : '–'),
      h('td', { 'data-label': t('fi.f.category') }, categoryLabel(i.category)),
      h('td.num.net', { 'data-label': t('fi.f.net') }, eur(i.net_cents)),
      h('td.num.vat', { 'data-label': t('fi.f.vat') }, eur(i.vat_cents)),
      h('td.num.eligible', { 'data-label': t('fi.f.eligible') }, eur(i.eligible_cents)),
      h('td.status', { 'data-label': t('fi.f.status') }, invoiceBadge(i.status),
        i.status === 'paid' && i.paid_date ? h('span.small.block', t('fi.inv.paidOn', { date: fmt.date(i.paid_date) })) : null),
    );
  }

  /** The rows and sums of the view; `keepCount` keeps how many rows are drawn. */
  function draw(keepCount = false) {
    if (!keepCount) shownRows = PAGE;
    drawHead();
    clearBtn.hidden = !filtered();
    const list = sorted(items.filter((i) => matches(i, state)));
    const total = { net: 0, vat: 0, eligible: 0, paid: 0, open: 0 };
    for (const i of list) {
      total.net += i.net_cents;
      total.vat += i.vat_cents || 0;
      total.eligible += i.eligible_cents || 0;
      if (i.status === 'paid') total.paid += i.net_cents + (i.vat_cents || 0);
      else total.open += i.net_cents + (i.vat_cents || 0);
    }
    tbody.replaceChildren(...list.slice(0, shownRows).map(row));
    table.hidden = !list.length;
    empty.hidden = !!list.length;
    if (!list.length) {
      empty.replaceChildren(messageBox('info', filtered() ? t('fi.inv.noMatch') : t('fi.inv.none'),
        filtered() ? h('p', h('button.btn#fi-empty-clear', { type: 'button', onclick: () => clearFilters() }, t('fi.inv.clear'))) : null));
    }
    count.textContent = list.length
      ? (filtered() ? t('fi.inv.countOf', { n: list.length, all: fmt.int(items.length) }) : t('fi.inv.count', { n: list.length }))
      : '';
    const sum = (k, v, id) => h('div', { dataset: { sum: id } }, h('dt', t(k)), h('dd', eur(v)));
    sums.hidden = !list.length;
    sums.replaceChildren(
      sum('fi.sum.net', total.net, 'net'), sum('fi.sum.vat', total.vat, 'vat'), sum('fi.sum.gross', total.net + total.vat, 'gross'),
      sum('fi.sum.eligible', total.eligible, 'eligible'), sum('fi.sum.paid', total.paid, 'paid'), sum('fi.sum.open', total.open, 'open'));
    sums.setAttribute('aria-label', t('fi.sum.label'));
    foot.replaceChildren(h('tr',
      h('th', { scope: 'row', colspan: '5' }, t('fi.sum.row', { n: list.length })),
      h('td.num.net', eur(total.net)), h('td.num.vat', eur(total.vat)), h('td.num.eligible', eur(total.eligible)),
      h('td')));
    const rest = list.length - Math.min(shownRows, list.length);
    more.hidden = rest <= 0;
    more.textContent = t('fi.inv.more', { n: Math.min(rest, PAGE), rest: fmt.int(rest) });
  }

  function setState(s) {
    state = s;
    const qs = toQuery(state);
    const url = `#${fin.base}/invoices${qs ? `?${qs}` : ''}`;
    if (url !== location.hash) history.replaceState(null, '', url);
    draw();
  }
  function applyFilters() {
    if (from.value && to.value && from.value > to.value) {
      showFieldErrors(form, { errors: [{ pointer: '/to', detail: t('fi.inv.rangeBackwards') }] });
      return;
    }
    clearFieldErrors(form);
    setState({
      ...state, q: q.value.trim().slice(0, 64), lot_id: lotSel.value, contractor_id: cSel.value, category: catSel.value,
      status: stSel.value, from: from.value, to: to.value,
    });
  }
  function clearFilters() {
    q.value = '';
    for (const s of [lotSel, cSel, catSel, stSel, from, to]) s.value = '';
    applyFilters();
    q.focus();
    announce(t('fi.inv.cleared'));
  }
  function sortBy(f) {
    setState({ ...state, sort: state.sort === f ? `-${f}` : f });
    headRow.querySelector(`button[data-sort="${f}"]`)?.focus();
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); applyFilters(); });
  q.addEventListener('search', () => { if (!q.value && state.q) applyFilters(); });
  for (const s of [lotSel, cSel, catSel, stSel, from, to]) s.addEventListener('change', applyFilters);

  /** After a change: the list as the server has it now, the message, the row's buttons back in place. */
  function changed(message) {
    draw(true);
    pageMsg.replaceChildren(messageBox('ok', message));
    announce(message);
  }
  const replace = (inv) => {
    const k = items.findIndex((x) => x.id === inv.id);
    if (k >= 0) items[k] = inv; else items.push(inv);
  };
  const forget = (id) => { items = items.filter((x) => x.id !== id); };

  // ---- one invoice in words (the conflict list) ----
  function show(k, v) {
    if (v === null || v === undefined || v === '') return t('fi.empty');
    switch (k) {
      case 'invoice_date': case 'paid_date': return fmt.date(v);
      case 'contractor_id': return cName(v);
      case 'lot_id': return lotCode(v);
      case 'category': return categoryLabel(v);
      case 'status': return statusLabel(v);
      case 'net_cents': case 'vat_cents': case 'eligible_cents': return eur(v);
      default: return String(v);
    }
  }

  // ---- record or change an invoice ----
  const invoiceDialog = (() => {
    const d = dialogShell(el, ctx, 'fi-inv-dialog', t('fi.inv.new'));
    const number = h('input#fi-i-number', { name: 'number', type: 'text', maxlength: '64', autocomplete: 'off', required: true });
    const date = h('input#fi-i-date', { name: 'invoice_date', type: 'date', required: true });
    const contractor = h('select#fi-i-contractor', { name: 'contractor_id', required: true },
      h('option', { value: '' }, t('fi.inv.choose')), contractors.map((c) => h('option', { value: String(c.id) }, c.name)));
    const lot = h('select#fi-i-lot', { name: 'lot_id' }, h('option', { value: '' }, t('fi.inv.noLot')),
      lots.map((l) => h('option', { value: String(l.id) }, `${l.code} ${l.name}`)));
    const category = h('select#fi-i-category', { name: 'category', required: true },
      h('option', { value: '' }, t('fi.inv.choose')), CATEGORIES.map((c) => h('option', { value: c }, categoryLabel(c))));
    const net = moneyField('fi-i-net', 'net_cents', t('fi.f.net'), t('fi.inv.moneyHint', { example: moneyExample() }));
    const vat = moneyField('fi-i-vat', 'vat_cents', t('fi.f.vat'), t('fi.inv.vatHint'));
    const vatBtn = h('button.btn.btn-quiet#fi-i-vat19', { type: 'button', onclick: () => fillVat() }, t('fi.inv.vat19'));
    vat.el.querySelector('.fi-money-row').append(vatBtn);
    const eligible = moneyField('fi-i-eligible', 'eligible_cents', t('fi.f.eligible'), t('fi.inv.eligibleHint'));
    const status = h('select#fi-i-status', { name: 'status' }, INVOICE_STATUSES.map((s) => h('option', { value: s }, statusLabel(s))));
    const paid = h('input#fi-i-paid', { name: 'paid_date', type: 'date' });
    const paidField = field(t('fi.f.paidDate'), paid, t('fi.inv.paidHint'));
    const save = h('button.btn.btn-primary#fi-i-save', { type: 'submit' }, t('c.save'));
    const cancel = h('button.btn#fi-i-cancel', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    // Deleting asks first, in a dialog of its own; this one closes, so that Cancel there leads back to the list.
    const del = h('button.btn.btn-danger.fi-push#fi-i-delete', { type: 'button', onclick: () => {
      const inv = base;
      d.dlg.close();
      remove(inv, document.getElementById(`fi-edit-${inv.id}`));
    } }, t('fi.inv.deleteBtn'));
    d.form.append(h('div.fi-form-grid',
      field(t('fi.f.number'), number), field(t('fi.f.invoiceDate'), date),
      field(t('fi.f.contractor'), contractor), field(t('fi.f.lot'), lot, t('fi.inv.lotHint')),
      field(t('fi.f.category'), category), net.el, vat.el, eligible.el,
      field(t('fi.f.status'), status), paidField), h('p.actions', save, cancel, del), d.out);

    let base = null; // the invoice as loaded (null: a new one)
    let key = null; // the Idempotency-Key of a new invoice, kept until the server answers

    // The lot names its contractor: choosing a lot sets it.
    lot.addEventListener('change', () => {
      const l = lotById.get(Number(lot.value));
      if (l && l.contractor_id) contractor.value = String(l.contractor_id);
    });
    function paidShown() {
      paidField.hidden = status.value !== 'paid';
      paid.required = status.value === 'paid';
      if (status.value === 'paid' && !paid.value) paid.value = today();
    }
    status.addEventListener('change', paidShown);
    function fillVat() {
      const n = readMoney(net.input.value);
      if (n.error || n.cents === null) {
        showFieldErrors(d.form, { errors: [{ pointer: '/net_cents', detail: n.error || t('fi.inv.netFirst') }] });
        return;
      }
      vat.input.value = moneyInput(Math.round(n.cents * VAT_RATE));
      vat.input.focus();
    }

    function fill(v) {
      number.value = v.number || '';
      date.value = v.invoice_date || '';
      contractor.value = v.contractor_id ? String(v.contractor_id) : '';
      lot.value = v.lot_id ? String(v.lot_id) : '';
      category.value = v.category || '';
      net.input.value = moneyInput(v.net_cents);
      vat.input.value = moneyInput(v.vat_cents);
      eligible.input.value = moneyInput(v.eligible_cents);
      status.value = v.status || 'received';
      paid.value = v.paid_date || '';
      paidShown();
    }

    /** The invoice the form describes, or null after showing what is wrong. */
    function collect() {
      const bad = [];
      const need = (input, name) => { if (!input.value.trim()) bad.push({ pointer: `/${name}`, detail: t('fi.required') }); };
      need(number, 'number');
      need(date, 'invoice_date');
      need(contractor, 'contractor_id');
      need(category, 'category');
      const money = {};
      for (const [f, name] of [[net, 'net_cents'], [vat, 'vat_cents'], [eligible, 'eligible_cents']]) {
        const m = readMoney(f.input.value);
        if (m.error) bad.push({ pointer: `/${name}`, detail: m.error });
        money[name] = m.cents;
      }
      if (money.net_cents === null && !bad.some((b) => b.pointer === '/net_cents')) bad.push({ pointer: '/net_cents', detail: t('fi.required') });
      // Empty: the whole net amount is eligible; no VAT.
      if (money.eligible_cents === null) money.eligible_cents = money.net_cents;
      if (money.vat_cents === null) money.vat_cents = 0;
      if (money.net_cents !== null && money.eligible_cents !== null && money.eligible_cents > money.net_cents &&
        !bad.some((b) => b.pointer === '/eligible_cents')) {
        bad.push({ pointer: '/eligible_cents', detail: t('fi.srv.eligibleOverNet') });
      }
      if (status.value === 'paid' && !paid.value) bad.push({ pointer: '/paid_date', detail: t('fi.srv.paidDateNeeded') });
      if (bad.length) { showFieldErrors(d.form, { errors: bad }); return null; }
      return {
        number: number.value.trim(),
        invoice_date: date.value,
        contractor_id: Number(contractor.value),
        lot_id: lot.value ? Number(lot.value) : null,
        category: category.value,
        ...money,
        status: status.value,
        paid_date: status.value === 'paid' ? paid.value : null,
      };
    }
    const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const changes = (v, against) => Object.fromEntries(KEYS.filter((k) => !same(v[k], against[k])).map((k) => [k, v[k]]));

    function failed(err, body) {
      if (err.status === 412) return conflict(body);
      if (err.status === 422) {
        const rest = showFieldErrors(d.form, localErrors(err));
        d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
      } else if (err.status === 409) {
        showFieldErrors(d.form, { errors: [{ pointer: '/number', detail: finText(err.detail) }] });
        d.out.replaceChildren(messageBox('error', t('fi.inv.numberTakenLong', { number: body.number || number.value, contractor: cName(Number(contractor.value)) })));
      } else if (err.status === 404 && base) {
        forget(base.id);
        draw(true);
        d.out.replaceChildren(messageBox('error', t('fi.inv.gone', { number: base.number })));
      } else {
        d.out.replaceChildren(errorBox(err, 'fi.whatInvoice'));
      }
      return null;
    }

    async function submit(body) {
      save.disabled = true;
      d.out.replaceChildren();
      try {
        if (base) {
          const updated = await api.patch(`invoices/${base.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
          replace(updated);
          d.dlg.close();
          changed(t('fi.inv.saved', { number: updated.number }));
        } else {
          key = key || api.newIdempotencyKey();
          const created = await api.post('invoices', { project_id: project.id, ...body }, { headers: { 'Idempotency-Key': key } });
          key = null;
          replace(created);
          d.dlg.close();
          changed(t('fi.inv.created', { number: created.number, amount: eur(created.net_cents) }));
        }
      } catch (err) {
        if (err.name === 'AbortError') return;
        // A new key for a new attempt, unless the first may have arrived (no answer, or busy).
        if (err.status !== 0 && err.status !== 503 && err.status !== 429) key = null;
        await failed(err, body);
      } finally {
        save.disabled = false;
      }
    }

    async function conflict(mine) {
      let theirs;
      try { theirs = await api.get(`invoices/${base.id}`); } catch (err) {
        if (err.status === 404) return failed(err, mine);
        d.out.replaceChildren(errorBox(err, 'fi.whatInvoice'));
        return null;
      }
      const before = base;
      base = theirs;
      replace(theirs);
      draw(true);
      // The form shows their version with my changes on top, so that Save never undoes theirs.
      fill({ ...theirs, ...mine });
      const again = h('button.btn.btn-primary#fi-apply-again', { type: 'button', onclick: () => submit(mine) }, t('fi.applyAgain'));
      const keep = h('button.btn#fi-keep-theirs', { type: 'button', onclick: () => { d.dlg.close(); announce(t('fi.keptTheirs')); } }, t('fi.keepTheirs'));
      d.out.replaceChildren(h('div.msg.msg-warn#fi-conflict', { role: 'alert' },
        h('p', h('strong', `${t('fi.conflict')} `), t('fi.conflictWho', { version: fmt.int(theirs.version), when: fmt.dateTime(theirs.updated_at) })),
        h('p', t('fi.theyChanged')),
        conflictList('fi-conflict-list', KEYS, { base: before, theirs, mine, show, label: fieldLabel }),
        h('p', t('fi.nothingSaved')),
        h('p.actions', again, keep)));
      again.focus();
      return null;
    }

    d.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      d.out.replaceChildren();
      const v = collect();
      if (!v) return;
      if (base) {
        const body = changes(v, base);
        if (!Object.keys(body).length) { d.dlg.close(); announce(t('fi.nothingChanged')); return; }
        submit(body);
      } else {
        submit(v);
      }
    });

    return {
      open(inv, from) {
        base = inv;
        key = null;
        d.title.textContent = inv ? t('fi.inv.editTitle', { number: inv.number }) : t('fi.inv.new');
        save.textContent = inv ? t('c.save') : t('fi.inv.create');
        del.hidden = !inv;
        const l = lotById.get(Number(state.lot_id));
        fill(inv || {
          invoice_date: today(),
          status: 'received',
          // a new invoice starts from the view's filters: the lot, its contractor, the category
          lot_id: l ? l.id : null,
          contractor_id: state.contractor_id ? Number(state.contractor_id) : l && l.contractor_id ? l.contractor_id : null,
          category: state.category || '',
        });
        d.show(from);
        number.focus();
      },
    };
  })();

  // ---- delete, after asking ----
  function remove(inv, from) {
    confirmAction(el, ctx, {
      id: 'fi-del-dialog',
      title: t('fi.inv.deleteTitle', { number: inv.number }),
      body: [h('p', t('fi.inv.deleteText', { number: inv.number, contractor: cName(inv.contractor_id), date: fmt.date(inv.invoice_date), amount: eur(inv.net_cents) })),
        h('p', t('fi.cannotUndo'))],
      confirm: t('fi.inv.deleteBtn'),
      danger: true,
      from,
      run: async () => {
        try {
          await api.request('DELETE', `invoices/${inv.id}`, { headers: { 'If-Match': `"${inv.version}"` } });
        } catch (err) {
          if (err.status === 404) { forget(inv.id); changed(t('fi.inv.goneAlready', { number: inv.number })); return; }
          if (err.status === 412) {
            // Changed meanwhile: show the new version, and let the user look before deleting.
            const now = await api.get(`invoices/${inv.id}`);
            replace(now);
            draw(true);
            inv = now;
            err.changedMeanwhile = true;
          }
          throw err;
        }
        forget(inv.id);
        changed(t('fi.inv.deleted', { number: inv.number }));
      },
      // The row and its buttons are gone: the focus goes to the list's first control.
      fallback: () => newBtn || q,
      explain: (err) => (err.changedMeanwhile ? messageBox('warn', t('fi.inv.deleteChanged')) : problemBox(err, (e) => errorBox(e, 'fi.whatInvoice'))),
    });
  }

  draw();
}
