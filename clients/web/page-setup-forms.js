// page-setup-forms.js — what the setup pages are made of: a declarative list
// of fields per kind of object drives its form (what people type is read in
// the chosen locale: 25.11.2026, 1.234,50 €, 62,5 %), its table (sortable,
// searchable, cards on a phone) and its editor dialog (POST; PATCH and DELETE
// with If-Match). A 422 is shown at its field, a 412 shows what someone else
// changed and lets the user apply their own change again.
//
// A field: {key, label, type, required (or required(mode)), needed (what to say
// when a required password is left empty), nullable, max, hint, values,
// enumKind, valueLabel, options(), none, showIf(read), hiddenValue, hidden,
// createOnly, editOnly, wide, autocomplete}
// with type text | email | tel | textarea | password | date | money | percent |
// bool | enum | ref. A kind: {resource, what, fields, name(obj), unique, deletable}.

import * as api from './api.js';
import { h, fmt, field, messageBox, errorBox, announce, clearFieldErrors } from './ui.js';
import { t, locale, serverText, parseNumber, parseDate, parseMoney } from './i18n.js';

// ---- values in inputs, in the chosen locale ---------------------------------------------

let fcache = null;
function F() {
  const loc = locale();
  if (fcache && fcache.loc === loc) return fcache;
  fcache = {
    loc,
    // numeric, in the locale's order (25.11.2026, 11/25/2026, 25/11/2026): parseDate reads each back
    date: new Intl.DateTimeFormat(loc, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }),
    eur0: new Intl.NumberFormat(loc, { minimumFractionDigits: 0, maximumFractionDigits: 0 }),
    eur2: new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    plain: new Intl.NumberFormat(loc, { maximumFractionDigits: 2, useGrouping: false }),
    pct: new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 2 }),
  };
  return fcache;
}

function isoToUtc(iso) {
  const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(String(iso || ''));
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** A date (YYYY-MM-DD) as people type it: 25.11.2026 in German, 11/25/2026 in US English. */
export function dateForInput(iso) {
  const d = isoToUtc(iso);
  return d ? F().date.format(d) : '';
}

/** What a date input expects, as a placeholder: TT.MM.JJJJ, MM/DD/YYYY. */
export function datePattern() {
  const words = { day: t('su.pat.day'), month: t('su.pat.month'), year: t('su.pat.year') };
  return F().date.formatToParts(new Date(Date.UTC(2026, 10, 25)))
    .map((p) => (p.type in words ? words[p.type] : p.value)).join('');
}

/** Euro cents as people type euros: 1.234,50 (cents only when there are any). */
export function moneyForInput(cents) {
  if (cents === null || cents === undefined || cents === '') return '';
  const n = Number(cents);
  return (n % 100 === 0 ? F().eur0 : F().eur2).format(n / 100);
}

/**
 * Euros typed in a setup form → {cents} (0 when empty) or {error} in words.
 * The first run's milestone tranches are read the same way.
 */
export function readMoney(text) {
  const r = parseMoney(text);
  if (!r.error) return { cents: r.cents ?? 0 };
  const key = { bad: 'su.err.money', negative: 'su.err.negative', decimals: 'su.err.cents', large: 'su.err.money' }[r.error];
  return { error: t(key, { example: moneyForInput(123450) }) };
}

/** A fraction (0.625) as a percentage to type: 62,5. */
export function percentForInput(rate) {
  if (rate === null || rate === undefined || rate === '') return '';
  return F().plain.format(Math.round(Number(rate) * 10000) / 100);
}

/** A fraction as a percentage to read: 62,5 %. */
export function percent(rate) {
  if (rate === null || rate === undefined || rate === '') return '–';
  return F().pct.format(Number(rate));
}

/** Adds whole months to a date (YYYY-MM-DD), keeping the day where the month has it. */
export function addMonths(iso, months) {
  const d = isoToUtc(iso);
  if (!d) return null;
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

const empty = (v) => v === null || v === undefined || v === '';

/** A value of a field in words, for tables and for the list of someone else's changes. */
export function show(f, v) {
  if (f.type === 'bool') return t(v ? 'su.yes' : 'su.no');
  if (empty(v)) return '–';
  switch (f.type) {
    case 'date': return fmt.date(v);
    case 'money': return fmt.eur(v);
    case 'percent': return percent(v);
    case 'enum': return f.valueLabel ? f.valueLabel(v) : fmt.enum(f.enumKind, v);
    case 'ref': {
      const o = (f.options ? f.options() : []).find((x) => x.value === Number(v));
      return o ? o.label : `#${v}`;
    }
    case 'password': return '••••';
    default: return String(v);
  }
}

function same(f, a, b) {
  const x = empty(a) ? null : a;
  const y = empty(b) ? null : b;
  if (f.type === 'percent' && x !== null && y !== null) return Math.abs(Number(x) - Number(y)) < 1e-9;
  if ((f.type === 'money' || f.type === 'ref') && x !== null && y !== null) return Number(x) === Number(y);
  if (f.type === 'bool') return !!a === !!b;
  return x === y;
}

// ---- the server's words about these objects -------------------------------------------------

// What the server says about setup objects that the shared table (i18n.serverText) does not know.
const PROBLEMS = [
  [/^is required for the role contractor$/, () => t('su.srv.contractorRequired')],
  [/^is only allowed for the role contractor$/, () => t('su.srv.contractorForbidden')],
  [/^federal_rate and state_rate together exceed 1$/, () => t('su.srv.ratesExceed')],
  [/^names no existing object$/, () => t('su.srv.noSuchObject')],
  [/^belongs to another project$/, () => t('su.srv.otherProject')],
  [/^must have at least (\d+) characters$/, (m) => t('su.srv.minChars', { n: Number(m[1]) })],
  [/^must be between 0 and 10000000000000$/, () => t('su.srv.tooMuch')],
  [/^the \w+ is still referenced by other objects/, () => t('su.srv.referenced')],
];

/** A problem detail or field error of the server, in the chosen language. */
export function problemText(detail) {
  const s = String(detail ?? '');
  for (const [re, fn] of PROBLEMS) {
    const m = re.exec(s);
    if (m) return fn(m);
  }
  return serverText(s);
}

// ---- forms -----------------------------------------------------------------------------------

function makeInput(f, id, mode) {
  const common = { id, name: f.key };
  switch (f.type) {
    case 'textarea':
      return h('textarea', { ...common, rows: '3', maxlength: f.max ? String(f.max) : null });
    case 'bool':
      return h('input', { ...common, type: 'checkbox' });
    case 'enum':
      return h('select', common, f.values.map((v) => h('option', { value: v }, f.valueLabel ? f.valueLabel(v) : fmt.enum(f.enumKind, v))));
    case 'ref':
      return h('select', common,
        f.none ? h('option', { value: '' }, t(f.none)) : null,
        (f.options ? f.options() : []).map((o) => h('option', { value: String(o.value) }, o.label)));
    case 'date':
      return h('input', { ...common, type: 'text', autocomplete: 'off', placeholder: datePattern(), size: '12' });
    case 'money':
    case 'percent':
      // text, not type=number: a number input takes the browser's decimal separator, not the dashboard's
      return h('input', { ...common, type: 'text', inputmode: 'decimal', autocomplete: 'off' });
    case 'password':
      return h('input', { ...common, type: 'password', autocomplete: 'new-password', maxlength: '200' });
    default:
      return h('input', {
        ...common,
        type: f.type === 'email' ? 'email' : f.type === 'tel' ? 'tel' : 'text',
        maxlength: f.max ? String(f.max) : null,
        autocomplete: f.autocomplete || (mode === 'create' && f.type === 'email' ? 'off' : null),
        spellcheck: f.type === 'email' ? 'false' : null,
      });
  }
}

function setInput(f, input, v) {
  switch (f.type) {
    case 'bool': input.checked = !!v; break;
    case 'date': input.value = dateForInput(v); break;
    case 'money': input.value = moneyForInput(v); break;
    case 'percent': input.value = percentForInput(v); break;
    case 'password': input.value = ''; break;
    case 'ref': input.value = empty(v) ? '' : String(v); break;
    default: input.value = empty(v) ? (f.type === 'enum' ? f.values[0] : '') : String(v);
  }
}

/** What an input holds, as the API wants it: {value} or {error} (a sentence). */
function readInput(f, input) {
  switch (f.type) {
    case 'bool': return { value: input.checked };
    case 'enum': return { value: input.value };
    case 'ref': return { value: input.value ? Number(input.value) : null };
    case 'password': return { value: input.value === '' ? undefined : input.value };
    case 'date': {
      const v = parseDate(input.value);
      if (typeof v === 'number') return { error: t('su.err.date', { example: dateForInput('2026-11-25') }) };
      return { value: v };
    }
    case 'money': {
      const r = readMoney(input.value);
      return r.error ? { error: r.error } : { value: r.cents };
    }
    case 'percent': {
      const n = parseNumber(input.value);
      if (n === null) return { value: 0 };
      if (Number.isNaN(n) || n < 0 || n > 100) return { error: t('su.err.percent', { example: percentForInput(0.625) }) };
      return { value: Math.round(n * 100) / 10000 };
    }
    default: {
      const v = input.value.trim();
      return { value: v === '' && f.nullable ? null : v };
    }
  }
}

/**
 * A form for one object of a kind: objectForm(kind, {obj, values, prefix}).
 * obj is the object being edited (null: a new one); values prefill (over
 * obj or the kind's defaults). Returns {form, inputs, fields, read(),
 * diff(base, values), setValues(v), showErrors(list), showProblem(err)}.
 */
export function objectForm(kind, { obj = null, values = null, prefix, lock = [] } = {}) {
  const mode = obj ? 'edit' : 'create';
  const fields = kind.fields.filter((f) => !f.hidden && !(mode === 'create' && f.editOnly) && !(mode === 'edit' && f.createOnly));
  const form = h('form.setup-form', { novalidate: true, id: `${prefix}-form` });
  const grid = h('div.form-grid');
  const inputs = {};
  const wraps = {};
  for (const f of fields) {
    const id = `${prefix}-${f.key.replace(/_/g, '-')}`;
    const input = makeInput(f, id, mode);
    inputs[f.key] = input;
    const hintKey = typeof f.hint === 'function' ? f.hint(mode) : f.hint;
    const hint = hintKey ? t(hintKey, { example: f.type === 'money' ? moneyForInput(123450) : '' }) : null;
    const required = typeof f.required === 'function' ? f.required(mode) : f.required;
    if (required) input.setAttribute('aria-required', 'true');
    const label = [t(f.label), required ? h('span.req', { 'aria-hidden': 'true' }, ' *') : null];
    let wrap;
    if (f.type === 'bool') {
      wrap = h('div.field.field-check', input, h('label', { for: id }, label),
        hint ? h('p.hint', { id: `${id}-hint` }, hint) : null);
      if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
    } else {
      wrap = field(label, input, hint);
    }
    if (f.wide || f.type === 'textarea') wrap.classList.add('field-wide');
    if (lock.includes(f.key)) input.disabled = true;
    wraps[f.key] = wrap;
    grid.append(wrap);
  }
  form.append(grid);

  function setValues(v) {
    for (const f of fields) setInput(f, inputs[f.key], v[f.key]);
    refresh();
  }

  /** Sets the fields named in v, leaving the others as they are. */
  function setSome(v) {
    for (const f of fields) if (f.key in v) setInput(f, inputs[f.key], v[f.key]);
    refresh();
  }

  /** Shows or hides the fields that depend on others (a user's contractor on the role). */
  function refresh() {
    const current = (key) => (inputs[key] ? readInput(fields.find((x) => x.key === key), inputs[key]).value : undefined);
    for (const f of fields) if (f.showIf) wraps[f.key].hidden = !f.showIf(current);
  }
  form.addEventListener('change', refresh);

  function read() {
    const out = {};
    const errors = [];
    for (const f of fields) {
      if (f.showIf && wraps[f.key].hidden) {
        if ('hiddenValue' in f) out[f.key] = f.hiddenValue;
        continue;
      }
      if (inputs[f.key].disabled) continue;
      const r = readInput(f, inputs[f.key]);
      if (f.needed && r.value === undefined && (typeof f.required === 'function' ? f.required(mode) : f.required)) errors.push({ key: f.key, text: t(f.needed) });
      else if (r.error) errors.push({ key: f.key, text: r.error });
      else if (r.value !== undefined) out[f.key] = r.value;
    }
    return { values: out, errors };
  }

  /** The values that differ from base: the body of a PATCH. */
  function diff(base, vals) {
    const body = {};
    for (const f of fields) {
      if (!(f.key in vals)) continue;
      if (f.type === 'password' || !same(f, base[f.key], vals[f.key])) body[f.key] = vals[f.key];
    }
    return body;
  }

  /** Field errors [{key, text}] next to their fields; returns the lines no field took. */
  function showErrors(list) {
    clearFieldErrors(form);
    const rest = [];
    for (const e of list) {
      const input = inputs[e.key];
      if (input && !wraps[e.key].hidden) {
        const id = `${input.id}-error`;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
        wraps[e.key].append(h('p.field-error', { id }, e.text));
      } else {
        const f = kind.fields.find((x) => x.key === e.key);
        rest.push(t('err.field', { field: f ? t(f.label) : e.key || t('err.request'), detail: e.text }));
      }
    }
    form.querySelector('[aria-invalid="true"]')?.focus();
    return rest;
  }

  /** The field errors of a 422 (or the taken code of a 409) at their fields; the lines left. */
  function showProblem(err) {
    if (err.status === 409 && kind.unique && /exists already/.test(err.detail || '')) {
      return showErrors([{ key: kind.unique, text: t(kind.taken) }]);
    }
    return showErrors(err.errors.map((e) => ({
      key: String(e.pointer || '').replace(/^\//, '').split('/')[0],
      text: problemText(e.detail),
    })));
  }

  const start = { ...(kind.defaults ? kind.defaults() : {}), ...(obj || {}), ...(values || {}) };
  setValues(start);
  /** The typed values for a save, or null after showing what is wrong at the fields and in status. */
  function readForSave(status) {
    clearFieldErrors(form);
    status.replaceChildren();
    const { values, errors } = read();
    if (!errors.length) return values;
    const rest = showErrors(errors);
    status.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
    return null;
  }

  return { form, inputs, wraps, fields, read, readForSave, diff, setValues, setSome, showErrors, showProblem, refresh };
}

/** Idempotency keys for POSTs: the same body sent again (a retry) keeps its key. */
export function keyFor() {
  let last = null;
  return (body) => {
    const json = JSON.stringify(body);
    if (!last || last.json !== json) last = { json, key: api.newIdempotencyKey() };
    return last.key;
  };
}

// ---- the editor dialog -------------------------------------------------------------------

let dialogSeq = 0;

/**
 * Opens a modal dialog to create (obj null) or edit an object of a kind.
 * host: where the dialog lives (the page); fixed: values every new object
 * gets (project_id); onSaved(obj, created, {quiet}) may return the element
 * to focus once the dialog is closed; onDeleted(obj). When the dialog closes
 * the focus goes there, else back to the opener, else to refocus().
 */
export function openEditor(kind, { host, obj = null, values = null, fixed = {}, opener = null, refocus = null, lock = [], onSaved, onDeleted }) {
  const n = ++dialogSeq;
  const prefix = `su-dlg${n}`;
  let base = obj;
  const f = objectForm(kind, { obj, values, prefix, lock });
  const title = h('h2', { id: `${prefix}-title` }, obj ? t('su.editTitle', { what: t(kind.one), name: kind.name(obj) }) : t(kind.newTitle));
  const conflictBox = h('div.conflict-box');
  const status = h('div.form-status', { 'aria-live': 'polite' });
  const save = h('button.btn.btn-primary', { type: 'submit', form: f.form.id }, t(obj ? 'c.save' : 'su.create'));
  const cancel = h('button.btn', { type: 'button' }, t('c.cancel'));
  const del = obj && kind.deletable ? h('button.btn.btn-danger.push-end', { type: 'button' }, t('su.delete')) : null;
  const confirmBox = h('div.confirm-box');
  const dlg = h('dialog.dialog.dialog-wide.setup-dialog', { 'aria-labelledby': title.id, id: `${prefix}-dialog` },
    title,
    h('p.small', t('su.requiredNote')),
    conflictBox,
    f.form,
    status,
    h('p.actions', save, cancel, del),
    confirmBox);
  host.append(dlg);
  const nextKey = keyFor();
  let busy = false;

  let focusTarget = null;
  cancel.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => {
    dlg.remove();
    // a saved row is drawn again, so the button that opened the dialog may be gone
    const live = (x) => (x && x.isConnected ? x : null);
    (live(focusTarget) || live(opener) || (refocus && refocus()))?.focus();
  });
  // A click on the backdrop is not a cancel: typed values are kept until Cancel or Escape.

  function setBusy(on, label) {
    busy = on;
    save.disabled = on;
    if (del) del.disabled = on;
    save.textContent = on && label ? label : t(obj ? 'c.save' : 'su.create');
  }

  async function send(body, version) {
    setBusy(true, t('c.saving'));
    status.replaceChildren();
    try {
      const saved = obj
        ? await api.patch(`${kind.resource}/${obj.id}`, body, { headers: { 'If-Match': `"${version}"` } })
        : await api.post(kind.resource, body, { headers: { 'Idempotency-Key': nextKey(body) } });
      announce(t(obj ? 'su.saved' : 'su.created', { what: t(kind.one), name: kind.name(saved) }));
      focusTarget = onSaved?.(saved, !obj) || null;
      dlg.close();
      return;
    } catch (err) {
      setBusy(false);
      if (err.status === 412) { await conflict(body); return; }
      if (err.status === 422 || (err.status === 409 && kind.unique && /exists already/.test(err.detail || ''))) {
        const rest = f.showProblem(err);
        status.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        return;
      }
      if (err.status === 409) {
        status.replaceChildren(messageBox('error', t('err.409', { detail: problemText(err.detail) || t('err.409.default') })));
        return;
      }
      status.replaceChildren(errorBox(err, kind.what));
    }
  }

  f.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return; // a second Enter while the first is on its way
    const vals = f.readForSave(status);
    if (!vals) return;
    if (obj) {
      const body = f.diff(base, vals);
      if (!Object.keys(body).length) {
        dlg.close();
        announce(t('su.noChange'));
        return;
      }
      await send(body, base.version);
    } else {
      await send({ ...fixed, ...vals });
    }
  });

  /** 412: read theirs, show what they changed beside what I typed, and offer to apply mine on top. */
  async function conflict(mine) {
    let theirs;
    try {
      theirs = await api.get(`${kind.resource}/${obj.id}`);
    } catch (err) {
      status.replaceChildren(errorBox(err, kind.what));
      return;
    }
    const before = base;
    base = theirs;
    onSaved?.(theirs, false, { quiet: true });
    // what I did not change shows their value now, so saving the form again cannot undo their change
    const rest = {};
    for (const x of f.fields) if (x.type !== 'password' && !(x.key in mine)) rest[x.key] = theirs[x.key];
    f.setSome(rest);
    const changed = f.fields.filter((x) => x.type !== 'password' && !same(x, before[x.key], theirs[x.key]));
    const apply = h('button.btn.btn-primary', { type: 'button' }, t('su.applyAgain'));
    const keep = h('button.btn', { type: 'button' }, t('su.keepTheirs'));
    conflictBox.replaceChildren(h('div.msg.msg-warn', { role: 'alert', id: `${prefix}-conflict` },
      h('p', h('strong', t('su.conflict')), ' ', theirs.updated_at
        ? t('su.conflictAt', { version: theirs.version, when: fmt.dateTime(theirs.updated_at) })
        : t('su.conflictVersion', { version: theirs.version })),
      h('ul.conflict-list', changed.length
        ? changed.map((x) => h('li', h('strong', `${t(x.label)}: `), `${show(x, before[x.key])} → ${show(x, theirs[x.key])}`,
          x.key in mine ? t('su.yours', { value: show(x, mine[x.key]) }) : null))
        : h('li', t('su.otherFields'))),
      h('p', t('su.nothingSaved')),
      h('p.actions', apply, keep)));
    apply.addEventListener('click', async () => {
      conflictBox.replaceChildren();
      await send(mine, theirs.version);
    });
    keep.addEventListener('click', () => {
      dlg.close();
      announce(t('su.keptTheirs'));
    });
    apply.focus();
  }

  del?.addEventListener('click', () => {
    const yes = h('button.btn.btn-danger', { type: 'button' }, t('su.deleteNow'));
    const no = h('button.btn', { type: 'button' }, t('su.keep'));
    confirmBox.replaceChildren(h('div.msg.msg-warn', { role: 'alert' },
      h('p', t('su.deleteConfirm', { what: t(kind.one), name: kind.name(base) })),
      h('p.actions', yes, no)));
    no.addEventListener('click', () => { confirmBox.replaceChildren(); del.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      setBusy(true);
      try {
        await api.request('DELETE', `${kind.resource}/${obj.id}`, { headers: { 'If-Match': `"${base.version}"` } });
        dlg.close();
        announce(t('su.deleted', { what: t(kind.one), name: kind.name(base) }));
        onDeleted?.(base);
      } catch (err) {
        setBusy(false);
        let text;
        if (err.status === 409) text = problemText(err.detail);
        else if (err.status === 412) text = t('su.deleteChanged');
        confirmBox.replaceChildren(text ? messageBox('error', text) : errorBox(err, kind.what));
        if (err.status === 412) {
          try {
            base = await api.get(`${kind.resource}/${obj.id}`);
            f.setValues(base);
            onSaved?.(base, false, { quiet: true });
          } catch { /* the message says enough */ }
        }
        del.focus();
      }
    });
    yes.focus();
  });

  dlg.showModal();
  f.form.querySelector('input:not([disabled]), select:not([disabled]), textarea')?.focus();
  return dlg;
}

// ---- lists -----------------------------------------------------------------------------------

const collator = () => new Intl.Collator(locale(), { numeric: true, sensitivity: 'base' });

/**
 * A table of objects: objectTable({id, caption, columns, items, sort, search,
 * actions(obj), emptyText}). A column: {key, label, value(o) (to sort by),
 * cell(o), head: true for the row's header cell}. Returns {el, set(items),
 * upsert(obj), remove(id), rowOf(id)}.
 */
export function objectTable({ id, caption, columns, items, sort, search = null, actions = null, emptyText }) {
  let rows = items.slice();
  let order = { ...sort };
  const tbody = h('tbody');
  const heads = columns.map((c) => {
    // the look of the segments table's sort buttons (app.css .sort-btn, .sort-icon)
    const btn = h('button.sort-btn', { type: 'button' }, t(c.label), h('span.sort-icon', { 'aria-hidden': 'true' }));
    btn.addEventListener('click', () => {
      order = { key: c.key, dir: order.key === c.key && order.dir === 'asc' ? 'desc' : 'asc' };
      draw();
      btn.focus();
    });
    return h('th', { scope: 'col', dataset: { key: c.key } }, btn);
  });
  const table = h('table.table.table-cards.setup-table', { id },
    h('caption.sr-only', caption),
    h('thead', h('tr', heads, actions ? h('th', { scope: 'col' }, h('span.sr-only', t('c.actions'))) : null)),
    tbody);
  const count = h('p.small.setup-count', { 'aria-live': 'polite' });
  const filter = search ? h('input', { id: `${id}-q`, type: 'search', autocomplete: 'off' }) : null;
  if (filter) filter.addEventListener('input', draw);
  const el = h('div.setup-list',
    h('div.setup-listbar',
      filter ? h('div.field.field-inline.setup-search', h('label', { for: filter.id }, t('su.search')), filter) : null,
      count),
    h('div.table-wrap', table));

  function value(c, o) {
    const v = c.value ? c.value(o) : o[c.key];
    return v === null || v === undefined ? '' : v;
  }

  function draw() {
    const col = columns.find((c) => c.key === order.key) || columns[0];
    const cmp = collator();
    const sign = order.dir === 'desc' ? -1 : 1;
    const q = filter ? filter.value.trim().toLocaleLowerCase(locale()) : '';
    const shown = rows
      .filter((o) => !q || search(o).toLocaleLowerCase(locale()).includes(q))
      .sort((a, b) => {
        const x = value(col, a);
        const y = value(col, b);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : cmp.compare(String(x), String(y));
        return sign * r || a.id - b.id;
      });
    for (const [i, c] of columns.entries()) {
      const th = heads[i];
      if (c.key === col.key) th.setAttribute('aria-sort', order.dir === 'desc' ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
      th.querySelector('.sort-icon').textContent = c.key === col.key ? (order.dir === 'desc' ? '▼' : '▲') : '↕';
    }
    tbody.replaceChildren(...shown.map((o) => h('tr', { dataset: { id: o.id }, class: o.active === false ? 'inactive' : null },
      columns.map((c) => {
        const content = c.cell ? c.cell(o) : (empty(o[c.key]) ? '–' : String(o[c.key]));
        return c.head
          ? h('th', { scope: 'row', 'data-label': t(c.label) }, content)
          : h('td', { 'data-label': t(c.label) }, content);
      }),
      actions ? h('td.actions', { 'data-label': '' }, h('div.row-actions', actions(o))) : null)));
    if (!rows.length) count.textContent = emptyText;
    else if (q) count.textContent = t('su.shownOf', { n: shown.length, total: fmt.int(rows.length) });
    else count.textContent = t('su.count', { n: rows.length });
    table.hidden = !shown.length;
  }

  draw();
  return {
    el,
    set(list) { rows = list.slice(); draw(); },
    upsert(o) {
      const i = rows.findIndex((x) => x.id === o.id);
      if (i >= 0) rows[i] = o; else rows.push(o);
      draw();
    },
    remove(oid) { rows = rows.filter((x) => x.id !== oid); draw(); },
    rowOf(oid) { return tbody.querySelector(`tr[data-id="${oid}"]`); },
    items() { return rows.slice(); },
  };
}
