// api.js — the only module that talks to the server (the public JSON API, /api/v1).
//
// Every call goes through request(): it adds the bearer token, parses JSON and
// turns a problem+json answer (or a network failure) into an ApiError.

const BASE = '/api/v1';
const TOKEN_KEY = 'fibertrack.token';
const USER_KEY = 'fibertrack.user';

/** An error from the API (status > 0) or from the network (status 0). */
export class ApiError extends Error {
  constructor(status, problem = {}, headers = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.type = problem.type || '';
    this.requestId = problem.request_id || (headers && headers.get('X-Request-ID')) || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    const ra = headers && headers.get('Retry-After');
    this.retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : null;
    this.etag = headers ? headers.get('ETag') : null;
  }
}

// ---- session (sessionStorage: gone when the tab closes) ------------------------

let onUnauthorized = () => {};

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  set(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  setUser(user) { sessionStorage.setItem(USER_KEY, JSON.stringify(user)); },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
  /** Called (once per expired session) when the server answers 401 to a signed-in call. */
  onUnauthorized(fn) { onUnauthorized = fn; },
};

// ---- requests ------------------------------------------------------------------

function url(path, params) {
  let u = path.startsWith('/') ? path : `${BASE}/${path}`;
  if (params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) u += (u.includes('?') ? '&' : '?') + s;
  }
  return u;
}

/**
 * request(method, path, {params, body, headers, raw}) → parsed JSON body
 * (or, with raw: true, the Response). Throws ApiError.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const token = session.token;
  if (token && !opts.anonymous) headers.Authorization = `Bearer ${token}`;
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(url(path, opts.params), { method, headers, body, signal: opts.signal, cache: 'no-store' });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: String(e && e.message || e) });
  }
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch { /* not JSON */ }
    const err = new ApiError(res.status, problem, res.headers);
    if (res.status === 401 && token && !opts.anonymous) onUnauthorized(err);
    throw err;
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (opts.withEtag) return { data, etag: res.headers.get('ETag') };
  return data;
}

export const get = (path, params, opts = {}) => request('GET', path, { ...opts, params });
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => request('PATCH', path, { ...opts, body });

/**
 * Every item of a list: limit=1000 pages, following next_cursor.
 * onPage(items, total so far) is called for each page as it arrives.
 */
export async function listAll(resource, params = {}, onPage = null, opts = {}) {
  const all = [];
  let cursor = null;
  do {
    const page = await get(resource, { ...params, limit: 1000, cursor }, opts);
    for (const it of page.items) all.push(it);
    if (onPage) onPage(page.items, all.length);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

// ---- auth ----------------------------------------------------------------------

export async function login(email, password) {
  const r = await request('POST', 'auth/login', { body: { email, password }, anonymous: true });
  session.set(r.token, r.user);
  return r.user;
}

export async function logout() {
  try {
    if (session.token) await request('POST', 'auth/logout');
  } finally {
    session.clear();
  }
}

// ---- idempotency keys ----------------------------------------------------------

/** A random UUID v4 (crypto.randomUUID where the page is a secure context). */
export function newIdempotencyKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- downloads -----------------------------------------------------------------

function filenameFrom(disposition, fallback) {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/**
 * Fetches a file with the bearer token and hands it to the browser as a
 * download (Blob + object URL). Returns {filename, size}. Throws ApiError.
 */
export async function download(path, params, fallbackName) {
  const res = await request('GET', path, { params, raw: true, headers: { Accept: '*/*' } });
  const blob = await res.blob();
  const filename = filenameFrom(res.headers.get('Content-Disposition'), fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return { filename, size: blob.size };
}
