// ui.js — DOM helpers, formatting, and API errors in words people understand.

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

// ---- formatting -------------------------------------------------------------------

const LOCALE = 'de-DE';
const nf0 = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const eur = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

export const fmt = {
  int: (n) => (n === null || n === undefined ? '–' : nf0.format(n)),
  m: (n) => (n === null || n === undefined ? '–' : `${nf0.format(n)} m`),
  km: (n) => (n === null || n === undefined ? '–' : `${nf1.format(n / 1000)} km`),
  pct: (part, whole) => (whole ? `${nf0.format((100 * part) / whole)} %` : '–'),
  eur: (cents) => (cents === null || cents === undefined ? '–' : eur.format(cents / 100)),
  date: (d) => {
    if (!d) return '–';
    const [y, mo, da] = d.slice(0, 10).split('-');
    return `${da}.${mo}.${y}`;
  },
  label: (s) => (s ? String(s).replace(/_/g, ' ') : '–'),
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

export const STATUS_LABEL = {
  planned: 'Planned',
  permitted: 'Permitted',
  in_construction: 'In construction',
  civil_done: 'Civil works done',
  cable_installed: 'Cable installed',
  spliced: 'Spliced',
  tested: 'Tested',
  accepted: 'Accepted',
};

export const MILESTONE_STATE_LABEL = {
  done: 'Done', late: 'Late', at_risk: 'At risk', on_track: 'On track',
};

export function statusBadge(status) {
  return h(`span.badge.st-${status}`, STATUS_LABEL[status] || fmt.label(status));
}

export function stateBadge(state) {
  const label = MILESTONE_STATE_LABEL[state] || { submitted: 'Waiting for review', approved: 'Approved', rejected: 'Rejected' }[state] || fmt.label(state);
  return h(`span.badge.ms-${state}`, label);
}

// ---- errors in words ---------------------------------------------------------------

/** One sentence (or two) for an ApiError, for people. */
export function describeError(err, what = 'this') {
  if (!err || err.status === undefined) return `Something unexpected happened: ${err && err.message ? err.message : err}`;
  const s = err.status;
  switch (true) {
    case s === 0:
      return 'The server cannot be reached. Check your connection, then retry.';
    case s === 400:
      return `The server did not accept the request: ${err.detail || 'it was malformed'}.`;
    case s === 401:
      return 'Your session has ended. Please sign in again.';
    case s === 403:
      return 'Your role is not allowed to do this. Ask a project manager or an administrator if you need it.';
    case s === 404:
      return `Not found: ${what} does not exist, has been deleted, or is not yours to see.`;
    case s === 409:
      return `That could not be done because of a conflict: ${err.detail || 'someone else changed it first'}. Reload and check.`;
    case s === 412:
      return 'Someone else changed this since you opened it. Review their change and try again.';
    case s === 413:
      return 'That is too large for the server.';
    case s === 422:
      return err.errors.length
        ? 'Please correct the highlighted fields.'
        : `The server could not accept the values: ${err.detail || 'they are invalid'}.`;
    case s === 428:
      return 'The change was sent without a version check; reload the page and try again.';
    case s === 429:
      return err.retryAfter
        ? `Too many attempts. Please wait ${err.retryAfter} second${err.retryAfter === 1 ? '' : 's'} and try again.`
        : 'Too many attempts. Please wait a moment and try again.';
    case s === 503:
      return `The server is busy right now. Please retry${err.retryAfter ? ` in ${err.retryAfter} seconds` : ' in a moment'}.`;
    case s >= 500:
      return 'Something went wrong on the server. Please retry; if it keeps happening, tell your administrator.';
    default:
      return err.detail || err.title || `The server answered ${s}.`;
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
  if (err && err.requestId) extra.push(h('p.small', `Reference: ${err.requestId}`));
  if (onRetry && err && (err.status === 0 || err.status === 429 || err.status >= 500)) {
    extra.push(h('button.btn', { type: 'button', onclick: onRetry }, 'Retry'));
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
      const msg = h('p.field-error', { id }, e.detail);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
      input.closest('.field')?.append(msg) || input.after(msg);
    } else {
      rest.push(`${name || 'request'}: ${e.detail}`);
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
  const t = h(`div.toast.toast-${kind}`, text);
  region.append(t);
  setTimeout(() => t.remove(), 6000);
}
