// finance.js — what the finance pages share (page-invoices.js,
// page-invoice-import.js, page-budget.js, page-drawdowns.js, page-notes.js):
// who may write what, the vocabulary in words, euros as people type and read
// them, the server's finance sentences in the chosen language, and the
// dialogs the pages open.

import { h, fmt, messageBox, clearFieldErrors } from './ui.js';
import { t, locale, parseMoney, serverText } from './i18n.js';

// ---- who writes what (SPEC 4 and 12) -------------------------------------------------

/** Invoices, budget lines and drawdowns: finance and admins write, everyone else on staff reads. */
export const writesMoney = (user) => user.role === 'admin' || user.role === 'finance';
/** The Sachbericht is the project manager's text: managers and admins write it. */
export const writesNotes = (user) => user.role === 'admin' || user.role === 'manager';

// ---- the vocabulary ---------------------------------------------------------------------

export const CATEGORIES = ['civil_works', 'cabling', 'splicing', 'planning', 'materials', 'other'];
export const INVOICE_STATUSES = ['received', 'approved', 'paid'];
export const DRAWDOWN_STATES = ['draft', 'submitted', 'received'];

// Literal keys, so that the catalogue test sees each of them used.
const CATEGORY_KEYS = {
  civil_works: 'fi.cat.civil_works',
  cabling: 'fi.cat.cabling',
  splicing: 'fi.cat.splicing',
  planning: 'fi.cat.planning',
  materials: 'fi.cat.materials',
  other: 'fi.cat.other',
};
const STATUS_KEYS = { received: 'fi.st.received', approved: 'fi.st.approved', paid: 'fi.st.paid' };
const STATE_KEYS = { draft: 'fi.dds.draft', submitted: 'fi.dds.submitted', received: 'fi.dds.received' };

const word = (keys, v) => (keys[v] ? t(keys[v]) : String(v ?? '–').replace(/_/g, ' '));
export const categoryLabel = (c) => word(CATEGORY_KEYS, c);
export const statusLabel = (s) => word(STATUS_KEYS, s);
export const stateLabel = (s) => word(STATE_KEYS, s);

export const invoiceBadge = (s) => h(`span.badge.fi-st-${s}`, statusLabel(s));
export const drawdownBadge = (s) => h(`span.badge.fi-dd-${s}`, stateLabel(s));

// ---- euros --------------------------------------------------------------------------------

export const MAX_CENTS = 1e13; // the server's limit for an amount

let formats = null;
function F() {
  const loc = locale();
  if (formats && formats.loc === loc) return formats;
  formats = {
    loc,
    eur: new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    input: new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }),
    grouped: new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    rate: new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 2 }),
  };
  return formats;
}

/** Cents as money, always with the cents, as a Kämmerei writes amounts: 1.234,00 € / €1,234.00. */
export const eur = (cents) => (cents === null || cents === undefined || cents === '' ? '–' : F().eur.format(Number(cents) / 100));
/** Cents for an input field: "1234,56" in German, "1234.56" in English. */
export const moneyInput = (cents) => (cents === null || cents === undefined ? '' : F().input.format(Number(cents) / 100));
/** An example amount in the locale's way, for hints and messages. */
export const moneyExample = () => F().grouped.format(1234.56);
/** A funding rate (0.5) as a percentage. */
export const rate = (x) => (x === null || x === undefined ? '–' : F().rate.format(Number(x)));

/**
 * An amount typed in euros ("1.234,56", "1234.56", "1 234,56 €"; the
 * locale's decimal mark, or the other one where it cannot be a thousands
 * mark) → {cents} (null when empty) or {error: message}.
 */
export function readMoney(text) {
  const r = parseMoney(text, MAX_CENTS);
  if (!r.error) return r;
  const key = { bad: 'fi.money.bad', negative: 'fi.money.negative', decimals: 'fi.money.decimals', large: 'fi.money.large' }[r.error];
  return { error: t(key, { example: moneyExample() }) };
}

/** A money input: text (a number input takes the browser's decimal mark, not the dashboard's). */
export function moneyField(id, name, label, hint = null) {
  const input = h('input.fi-money', { id, name, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' });
  const hintEl = hint ? h('p.hint', { id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return { input, el: h('div.field', h('label', { for: id }, label), h('div.fi-money-row', input, h('span.fi-unit', { 'aria-hidden': 'true' }, '€')), hintEl) };
}

// ---- dates and periods -----------------------------------------------------------------------

export const period = (a, b) => `${fmt.date(a)} – ${fmt.date(b)}`;

/** The first and last day of the quarter of a date (YYYY-MM-DD), shifted by `by` quarters. */
export function quarterOf(day, by = 0) {
  const y = Number(day.slice(0, 4));
  const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + by;
  const yy = y + Math.floor(q / 4);
  const qq = ((q % 4) + 4) % 4;
  const from = `${yy}-${String(qq * 3 + 1).padStart(2, '0')}-01`;
  const last = new Date(Date.UTC(yy, qq * 3 + 3, 0)).getUTCDate();
  const to = `${yy}-${String(qq * 3 + 3).padStart(2, '0')}-${String(last).padStart(2, '0')}`;
  return { from, to, year: yy, quarter: qq + 1 };
}

/** A period in words: "Q3 2026" / "3. Quartal 2026" when it is a calendar quarter, else its dates. */
export function periodName(from, to) {
  const q = quarterOf(from);
  if (q.from === from && q.to === to) return t('fi.quarter', { q: q.quarter, year: q.year });
  if (from.slice(5) === '01-01' && to === `${from.slice(0, 4)}-12-31`) return t('fi.wholeYear', { year: from.slice(0, 4) });
  return period(from, to);
}

/** The day after a date (YYYY-MM-DD). */
export function dayAfter(d) {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

// ---- the server's finance sentences, in words ---------------------------------------------------

/** Invoice fields and CSV columns, as a person calls them. */
const FIELD_KEYS = {
  number: 'fi.f.number',
  invoice_date: 'fi.f.invoiceDate',
  category: 'fi.f.category',
  net: 'fi.f.net',
  net_cents: 'fi.f.net',
  vat: 'fi.f.vat',
  vat_cents: 'fi.f.vat',
  eligible: 'fi.f.eligible',
  eligible_cents: 'fi.f.eligible',
  status: 'fi.f.status',
  paid_date: 'fi.f.paidDate',
  lot_code: 'fi.f.lot',
  lot_id: 'fi.f.lot',
  contractor: 'fi.f.contractor',
  contractor_id: 'fi.f.contractorId',
  period_from: 'fi.f.periodFrom',
  period_to: 'fi.f.periodTo',
  federal_requested_cents: 'fi.f.federalRequested',
  state_requested_cents: 'fi.f.stateRequested',
  federal_received_cents: 'fi.f.federalReceived',
  state_received_cents: 'fi.f.stateReceived',
  received_at: 'fi.f.receivedAt',
  planned_cents: 'fi.f.planned',
  year: 'fi.f.year',
  note: 'fi.f.note',
  text: 'fi.f.text',
};
export const fieldLabel = (name) => (FIELD_KEYS[name] ? t(FIELD_KEYS[name]) : name);

const dateOf = (s) => fmt.date(s);
// A drawdown's state inside a sentence: "is submitted" / "ist eingereicht" (a draft stays a noun: "Entwurf").
const stateWord = (s) => (s === 'draft' ? stateLabel(s) : stateLabel(s).toLocaleLowerCase(locale()));

// What the finance routes and the invoice import say in English, and how to say it.
const SERVER = [
  // the invoice's rules
  [/^must not exceed net_cents$/, () => t('fi.srv.eligibleOverNet')],
  [/^is required when the status is paid$/, () => t('fi.srv.paidDateNeeded')],
  [/^is only set when the status is paid$/, () => t('fi.srv.paidDateOnlyPaid')],
  [/^is the lot of another contractor$/, () => t('fi.srv.otherContractorsLot')],
  [/^a invoice with this code \(or e-mail\) exists already$/, () => t('fi.srv.numberTaken')],
  // the CSV's cells
  [/^is not a date such as 25\.11\.2026 or 2026-11-25$/, () => t('fi.srv.csvDate')],
  [/^is not an amount in euros such as 1\.234,56 or 1234\.56$/, () => t('fi.srv.csvAmount')],
  [/^has more than two decimals$/, () => t('fi.srv.csvDecimals')],
  [/^uses the same mark for thousands and decimals$/, () => t('fi.srv.csvMarks')],
  [/^must not be negative \(record a credit note as an invoice of its own\)$/, () => t('fi.srv.csvNegative')],
  [/^is too large$/, () => t('fi.srv.csvLarge')],
  [/^is too long for an amount$/, () => t('fi.srv.csvLarge')],
  [/^is empty$/, () => t('fi.srv.csvEmpty')],
  [/^is empty; every invoice needs it$/, () => t('fi.srv.csvNeeded')],
  [/^is not a category: /, () => t('fi.srv.csvCategory', { values: CATEGORIES.map(categoryLabel).join(', ') })],
  [/^is not a status: /, () => t('fi.srv.csvStatus', { values: INVOICE_STATUSES.map(statusLabel).join(', ') })],
  [/^is not an id$/, () => t('fi.srv.csvId')],
  [/^holds a NUL byte$/, () => t('fi.srv.csvNul')],
  [/^has more cells than the header has columns \((\d+)\)$/, (m) => t('fi.srv.csvCells', { n: Number(m[1]) })],
  [/^is not valid CSV \((.*)\)$/, () => t('fi.srv.csvQuote')],
  [/^ends inside a quoted cell$/, () => t('fi.srv.csvQuote')],
  [/^must not contain control characters/, () => t('fi.srv.csvControl')],
  // the import's rules
  [/^names no contractor \(by name or VAT id\)$/, () => t('fi.srv.noContractor')],
  [/^names several contractors; give the VAT id or contractor_id$/, () => t('fi.srv.severalContractors')],
  [/^is another contractor than contractor_id$/, () => t('fi.srv.contractorMismatch')],
  [/^is no lot of this project$/, () => t('fi.srv.noLot')],
  [/^is a lot without a contractor; name the contractor of the invoice$/, () => t('fi.srv.lotWithoutContractor')],
  [/^is missing: name the contractor or the lot$/, () => t('fi.srv.contractorMissing')],
  [/^repeats the invoice of line (\d+)$/, (m) => t('fi.srv.repeats', { line: Number(m[1]) })],
  [/^is an invoice of this contractor in another project already$/, () => t('fi.srv.otherProject')],
  [/^is taken by another invoice of this contractor$/, () => t('fi.srv.numberTaken')],
  // the file as a whole
  [/^the file is not UTF-8 text/, () => t('fi.srv.notUtf8')],
  [/^the file is empty; the first line names the columns$/, () => t('fi.srv.fileEmpty')],
  [/^the file holds no invoice, only the header$/, () => t('fi.srv.onlyHeader')],
  [/^(\d+) problems? in (\d+) invoices?; nothing was imported/, (m) => t('fi.srv.problems', { n: Number(m[1]), lines: Number(m[2]) })],
  [/^unknown column '(.*)'; the columns are/, (m) => t('fi.srv.unknownColumn', { name: m[1] })],
  [/^the column '(.*)' is there twice$/, (m) => t('fi.srv.columnTwice', { name: fieldLabel(m[1]) })],
  [/^the column '(.*)' is missing$/, (m) => t('fi.srv.columnMissing', { name: fieldLabel(m[1]) })],
  [/^name the contractor of each invoice/, () => t('fi.srv.contractorColumn')],
  [/^the header has more than (\d+) columns$/, (m) => t('fi.srv.tooManyColumns', { n: Number(m[1]) })],
  [/^the file has more than ([\d,]+) rows of invoices; split it$/, (m) => t('fi.srv.tooManyRows', { n: Number(m[1].replace(/,/g, '')) })],
  [/^line (\d+) is not valid CSV/, (m) => t('fi.srv.lineQuote', { line: Number(m[1]) })],
  [/^line (\d+) ends inside a quoted cell$/, (m) => t('fi.srv.lineQuote', { line: Number(m[1]) })],
  // drawdowns, budget lines and report notes
  [/^must not be before period_from$/, () => t('fi.srv.periodBackwards')],
  [/^overlaps drawdown (\S+) \((\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)\)$/, (m) => t('fi.srv.overlaps', { number: m[1], from: dateOf(m[2]), to: dateOf(m[3]) })],
  [/^the drawdown is (\w+) and therefore frozen/, (m) => t('fi.srv.frozen', { state: stateWord(m[1]) })],
  [/^drawdown (\d+) is (\w+) already; only a draft can be submitted$/, (m) => t('fi.srv.submittedAlready', { number: m[1], state: stateWord(m[2]) })],
  [/^request an amount \(federal or state\) before submitting$/, () => t('fi.srv.noAmount')],
  [/^must not be in the future$/, () => t('fi.srv.future')],
  [/^must not be before the drawdown was submitted$/, () => t('fi.srv.beforeSubmitted')],
  [/^drawdown (\d+) is (\w+); a payment is recorded for a submitted one$/, (m) => t('fi.srv.receiveState', { number: m[1], state: stateWord(m[2]) })],
  [/^the project has a budget line for this category and year already$/, () => t('fi.srv.lineExists')],
  [/^the project has a report note for this period already$/, () => t('fi.srv.noteExists')],
  [/^must be between 0 and 10000000000000$/, () => t('fi.money.large')],
];

/** A sentence of the server about finance, in the chosen language (others as serverText has them). */
export function finText(detail) {
  const s = String(detail ?? '');
  for (const [re, fn] of SERVER) {
    const m = re.exec(s);
    if (m) return fn(m);
  }
  return serverText(s);
}

/** A 422's field errors in words, for showFieldErrors. */
export function localErrors(err) {
  return { errors: (err.errors || []).map((e) => ({ ...e, detail: finText(e.detail) })) };
}

// ---- dialogs -------------------------------------------------------------------------------------

/**
 * A modal dialog with a form: {dlg, form, out, title, show(opener)}. The
 * focus goes back to the button that opened it; where that one was drawn
 * anew meanwhile, to the button with the same id, else to the page's heading.
 */
export function dialogShell(host, ctx, id, title) {
  const titleEl = h(`h2#${id}-title`, title);
  const out = h('div.form-status', { 'aria-live': 'polite', id: `${id}-out` });
  const form = h(`form#${id}-form`, { novalidate: true });
  const dlg = h(`dialog.dialog.dialog-wide.fi-dialog#${id}`, { 'aria-labelledby': `${id}-title` }, titleEl, form);
  let opener = null;
  const shell = {};
  dlg.addEventListener('close', () => {
    const to = (opener && (opener.isConnected ? opener : (opener.id && document.getElementById(opener.id)))) ||
      (shell.fallback && shell.fallback());
    if (to) { to.focus(); return; }
    const h1 = document.querySelector('main h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus(); }
  });
  ctx.signal.addEventListener('abort', () => { if (dlg.open) dlg.close(); dlg.remove(); });
  host.append(dlg);
  return Object.assign(shell, {
    dlg, form, out, title: titleEl,
    /** Where the focus goes when the opener is gone (a deleted row's button): a function → element. */
    fallback: null,
    show(from) {
      opener = from || document.activeElement;
      clearFieldErrors(form);
      out.replaceChildren();
      if (!dlg.open) dlg.showModal();
    },
  });
}

/**
 * Asks before something that cannot be undone: a dialog with the question,
 * what it is about, and a button that runs `run` (async). run's ApiError is
 * shown in the dialog by `explain(err)` → a message element; the dialog
 * closes when run resolves.
 */
export function confirmAction(host, ctx, { id, title, body, confirm, danger = false, run, explain, from, fallback = null }) {
  const d = dialogShell(host, ctx, id, title);
  d.fallback = fallback;
  const yes = h(`button.btn${danger ? '.btn-danger' : '.btn-primary'}#${id}-yes`, { type: 'submit' }, confirm);
  const no = h(`button.btn#${id}-no`, { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
  d.form.append(...[].concat(body), h('p.actions', yes, no), d.out);
  d.dlg.addEventListener('close', () => setTimeout(() => d.dlg.remove(), 0));
  d.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    yes.disabled = true;
    d.out.replaceChildren();
    try {
      await run();
      if (d.dlg.open) d.dlg.close();
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      d.out.replaceChildren(explain(err));
    } finally {
      yes.disabled = false;
    }
  });
  d.show(from);
  no.focus();
  return d;
}

/** What someone else changed between base and theirs, with my value beside theirs where I changed it too. */
export function conflictList(id, keys, { base, theirs, mine, show, label }) {
  const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const diffs = keys.filter((k) => !same(base[k], theirs[k]));
  return h(`ul.conflict-list#${id}`, diffs.length
    ? diffs.map((k) => h('li', { dataset: { field: k } }, h('strong', `${label(k)}: `), `${show(k, base[k])} → ${show(k, theirs[k])}`,
      k in mine && !same(mine[k], theirs[k]) ? h('span', ` ${t('fi.yours', { value: show(k, mine[k]) })}`) : null))
    : h('li', t('fi.otherFields')));
}

/** An error message for a failed change, in words; 422s list their fields' problems too. */
export function problemBox(err, describe) {
  if (err && err.status === 422 && err.errors && err.errors.length) {
    return messageBox('error', t('fi.fix', { problems: err.errors.map((e) => `${fieldLabel(String(e.pointer || '').replace(/^\//, '').split('/')[0])}: ${finText(e.detail)}`).join('; ') }));
  }
  if (err && (err.status === 409 || err.status === 422) && err.detail) return messageBox('error', finText(err.detail));
  return describe(err);
}
