// ui.js — DOM helpers, formatting, and API errors in words people understand.

import { t, has, locale, serverText } from './i18n.js';

/**
 * h('tag.class#id', {attr: value, onclick: fn}, ...children) → Element.
 * Children may be strings, numbers, elements, arrays, null/false (skipped).
 */
export function h(spec, attrs, ...children) {
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    if (attrs !== undefined) children.unshift(attrs);
    attrs = {};
  }
  const m = /^([a-z0-9-]*)([^]*)$/i.exec(spec);
  const el = document.createElement(m[1] || 'div');
  for (const part of m[2].match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = el.className ? `${el.className} ${v}` : v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string' && k !== 'list') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// ---- formatting (in the chosen language's locale) -------------------------------------

let fcache = null;
function F() {
  const loc = locale();
  if (fcache && fcache.loc === loc) return fcache;
  fcache = {
    loc,
    int: new Intl.NumberFormat(loc, { maximumFractionDigits: 0 }),
    len: new Intl.NumberFormat(loc, { maximumFractionDigits: 2 }),
    lenInput: new Intl.NumberFormat(loc, { maximumFractionDigits: 2, useGrouping: false }),
    one: new Intl.NumberFormat(loc, { maximumFractionDigits: 1 }),
    five: new Intl.NumberFormat(loc, { minimumFractionDigits: 5, maximumFractionDigits: 5 }),
    pct: new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 0 }),
    eur0: new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', minimumFractionDigits: 0, maximumFractionDigits: 0 }),
    eur2: new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    date: new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeZone: 'UTC' }),
    dateTime: new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'short' }),
  };
  return fcache;
}

const none = (n) => n === null || n === undefined || n === '' || Number.isNaN(Number(n));

export const fmt = {
  int: (n) => (none(n) ? '–' : F().int.format(n)),
  /** A length in metres as stored: up to 2 fraction digits, never rounded to whole metres. */
  m: (n) => (none(n) ? '–' : `${F().len.format(n)} m`),
  /** A length for an input field (no grouping): "150,5" in German. */
  lengthInput: (n) => (none(n) ? '' : F().lenInput.format(n)),
  /** A plain number with up to 2 fraction digits. */
  num: (n) => (none(n) ? '–' : F().len.format(n)),
  km: (n) => (none(n) ? '–' : `${F().one.format(n / 1000)} km`),
  pct: (part, whole) => (whole ? F().pct.format(part / whole) : '–'),
  /** A fraction (0.42) as a percentage. */
  frac: (x) => (none(x) ? '–' : F().pct.format(x)),
  /** Euro cents as money: whole euros without decimals, else with cents. */
  eur: (cents) => (none(cents) ? '–' : (Number(cents) % 100 === 0 ? F().eur0 : F().eur2).format(cents / 100)),
  /** A date (YYYY-MM-DD, or the date part of a timestamp) as 25.11.2026 / Nov 25, 2026. */
  date: (d) => {
    if (!d) return '–';
    const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(String(d));
    if (!m) return String(d);
    return F().date.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  },
  /** A timestamp in local time. */
  dateTime: (iso) => {
    if (!iso) return '–';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : F().dateTime.format(d);
  },
  /** Coordinates with 5 decimals. */
  position: (lat, lon) => (none(lat) || none(lon) ? null : `${F().five.format(lat)}, ${F().five.format(lon)}`),
  /** A file size. */
  bytes: (n) => {
    if (none(n)) return '–';
    if (n < 1024) return `${F().int.format(n)} B`;
    if (n < 1024 * 1024) return `${F().int.format(n / 1024)} KB`;
    return `${F().one.format(n / (1024 * 1024))} MB`;
  },
  /** A distance: metres below 1 km, else km with one decimal. */
  distance: (m) => {
    if (none(m)) return null;
    return m >= 1000 ? `${F().one.format(m / 1000)} km` : `${F().int.format(m)} m`;
  },
  /** A value of one of the domain's enumerations (kind, method, …) in words. */
  enum: (kind, v) => {
    if (v === null || v === undefined || v === '') return '–';
    const key = `enum.${kind}.${v}`;
    return has(key) ? t(key) : String(v).replace(/_/g, ' ');
  },
};

/** Today as YYYY-MM-DD in local time. */
export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// ---- domain vocabulary ---------------------------------------------------------------

export const SEGMENT_STATUSES = [
  'planned', 'permitted', 'in_construction', 'civil_done',
  'cable_installed', 'spliced', 'tested', 'accepted',
];

/** A segment status in words. */
export function statusLabel(status) {
  return has(`status.${status}`) ? t(`status.${status}`) : String(status ?? '?').replace(/_/g, ' ');
}

/** A milestone state (done, late, …) or a report state (submitted, …) in words. */
export function stateLabel(state) {
  if (has(`msstate.${state}`)) return t(`msstate.${state}`);
  if (has(`repstate.${state}`)) return t(`repstate.${state}`);
  return String(state ?? '?').replace(/_/g, ' ');
}

export function statusBadge(status) {
  return h(`span.badge.st-${status}`, statusLabel(status));
}

export function stateBadge(state) {
  return h(`span.badge.ms-${state}`, stateLabel(state));
}

// ---- errors in words ---------------------------------------------------------------

/** One sentence (or two) for an ApiError, for people. `what` is a message key (what.*) or a name. */
export function describeError(err, what = 'what.this') {
  const thing = has(what) ? t(what) : what;
  if (!err || err.status === undefined) return t('err.unexpected', { msg: err && err.message ? err.message : String(err) });
  const s = err.status;
  const detail = err.detail ? serverText(err.detail) : '';
  switch (true) {
    case s === 0:
      return t('err.network');
    case s === 400:
      return t('err.400', { detail: detail || t('err.400.default') });
    case s === 401:
      return t('err.401');
    case s === 403:
      return t('err.403');
    case s === 404:
      return t('err.404', { what: thing });
    case s === 409:
      return t('err.409', { detail: detail || t('err.409.default') });
    case s === 412:
      return t('err.412');
    case s === 413:
      return t('err.413');
    case s === 422:
      return err.errors.length ? t('c.fixFields') : t('err.422', { detail: detail || t('err.422.default') });
    case s === 428:
      return t('err.428');
    case s === 429:
      return err.retryAfter ? t('err.429.wait', { n: err.retryAfter }) : t('err.429');
    case s === 503:
      return err.retryAfter ? t('err.503.wait', { n: err.retryAfter }) : t('err.503');
    case s >= 500:
      return t('err.500');
    default:
      return detail || err.title || t('err.other', { status: s });
  }
}

/** A message box (role=alert for errors, role=status otherwise). */
export function messageBox(kind, text, extra = null) {
  return h(`div.msg.msg-${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, h('p', text), extra);
}

/** Shows the current page again (the router listens for hashchange). */
export function retryPage() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** An error box with the request id for support, and an optional retry button. */
export function errorBox(err, what, onRetry = null) {
  const extra = [];
  if (err && err.requestId) extra.push(h('p.small', t('err.reference', { id: err.requestId })));
  if (onRetry && err && (err.status === 0 || err.status === 429 || err.status >= 500)) {
    extra.push(h('button.btn', { type: 'button', onclick: onRetry }, t('c.retry')));
  }
  return messageBox('error', describeError(err, what), extra);
}

/**
 * Shows 422 field errors next to the fields of a form. A field is found by
 * name (pointer /built_length_m → [name=built_length_m]); messages for fields
 * that are not in the form are returned as lines for the general message.
 */
export function showFieldErrors(form, err) {
  clearFieldErrors(form);
  const rest = [];
  for (const e of err.errors || []) {
    const name = String(e.pointer || '').replace(/^\//, '').split('/')[0];
    const input = name && form.elements.namedItem(name);
    if (input && input.id) {
      const id = `${input.id}-error`;
      const msg = h('p.field-error', { id }, serverText(e.detail));
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      input.closest('.field')?.append(msg) || input.after(msg);
    } else {
      rest.push(t('err.field', { field: name || t('err.request'), detail: serverText(e.detail) }));
    }
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return rest;
}

export function clearFieldErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) p.remove();
  for (const i of form.querySelectorAll('[aria-invalid]')) {
    i.removeAttribute('aria-invalid');
    const ids = (i.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-error'));
    if (ids.length) i.setAttribute('aria-describedby', ids.join(' '));
    else i.removeAttribute('aria-describedby');
  }
}

/** A labelled form field: field('Built length (m)', input, 'hint'). */
export function field(label, input, hint = null) {
  const hintEl = hint ? h('p.hint', { id: `${input.id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div.field', h('label', { for: input.id }, label), input, hintEl);
}

/** Announces a short text to screen readers (and shows it as a toast). */
export function announce(text, kind = 'ok') {
  const region = document.getElementById('toast');
  if (!region) return;
  const toast = h(`div.toast.toast-${kind}`, text);
  region.append(toast);
  setTimeout(() => toast.remove(), 6000);
}
