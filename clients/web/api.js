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

// ---- file uploads ----------------------------------------------------------------

/** The header value for a file name: RFC 8187 (UTF-8, percent-encoded). */
export function contentDisposition(name) {
  const enc = encodeURIComponent(name || 'file').replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${enc}`;
}

function headersOf(xhr) {
  const map = new Map();
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const i = line.indexOf(':');
    if (i > 0) map.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { get: (k) => map.get(String(k).toLowerCase()) ?? null };
}

/**
 * upload(path, blob, {params, headers, contentType, onProgress(loaded, total), signal})
 * → {data, replayed}: POSTs the raw bytes of a Blob with the bearer token.
 * XMLHttpRequest rather than fetch, for the upload progress events.
 * Throws ApiError (status 0 for a network failure) or an AbortError.
 */
export function upload(path, blob, opts = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url(path, opts.params));
    const token = session.token;
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', opts.contentType || blob.type || 'application/octet-stream');
    for (const [k, v] of Object.entries(opts.headers || {})) xhr.setRequestHeader(k, v);
    if (opts.onProgress) {
      xhr.upload.addEventListener('progress', (e) => opts.onProgress(e.loaded, e.lengthComputable ? e.total : blob.size));
    }
    const abort = () => xhr.abort();
    if (opts.signal) {
      if (opts.signal.aborted) { reject(new DOMException('aborted', 'AbortError')); return; }
      opts.signal.addEventListener('abort', abort, { once: true });
    }
    const done = () => opts.signal && opts.signal.removeEventListener('abort', abort);
    xhr.addEventListener('load', () => {
      done();
      const headers = headersOf(xhr);
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ data, replayed: headers.get('Idempotent-Replayed') === 'true' });
        return;
      }
      const err = new ApiError(xhr.status, data || {}, headers);
      if (xhr.status === 401 && token) onUnauthorized(err);
      reject(err);
    });
    xhr.addEventListener('error', () => { done(); reject(new ApiError(0, { title: 'Network error', detail: 'the upload did not reach the server' })); });
    xhr.addEventListener('timeout', () => { done(); reject(new ApiError(0, { title: 'Network error', detail: 'the upload timed out' })); });
    xhr.addEventListener('abort', () => { done(); reject(new DOMException('aborted', 'AbortError')); });
    xhr.send(blob);
  });
}

/** A file the API serves (attachments, thumbnails) as a Blob, with the bearer token. */
export async function getBlob(path, opts = {}) {
  const res = await request('GET', path, { ...opts, raw: true, headers: { Accept: '*/*' } });
  return res.blob();
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
