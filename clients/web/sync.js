// sync.js — sends what the outbox (outbox.js) holds: each progress report with
// its Idempotency-Key, then each of its photos to the report's attachments
// route with the photo's own key. The same keys are used on every retry, so
// a report or photo whose answer was lost is never recorded twice.
//
// Sending happens when the contractor submits the form, on page load, when
// the browser says it is online again, and every RETRY_MS while something
// waits. One sender at a time (a Web Lock across tabs where the browser has
// them): a report is never sent by two tabs at once.
//
// Events on `events`: 'change' (the outbox changed), 'progress'
// (detail {entry, pid, loaded, total} while a photo uploads), 'sent'
// (detail {id, outcome, background}: a report and all its photos are answered).

import * as api from './api.js';
import { session } from './api.js';
import * as outbox from './outbox.js';
import { msg } from './i18n.js';

export const RETRY_MS = 30_000;
export const MAX_FILE_BYTES = 25 * 1024 * 1024;
export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/heic', 'application/pdf'];

// What a person may read from this module is kept as a message ({key, params},
// i18n.js) in the outbox, and put into words when it is shown, in the language
// of that moment. Entries of an older version hold plain text (i18n.text shows both).

export const events = new EventTarget();
const emit = (type, detail) => events.dispatchEvent(new CustomEvent(type, { detail }));

/** Upload progress of the photos being sent now: pid → {loaded, total}. */
export const live = new Map();
const notBefore = new Map(); // entry id → time (ms) before which the flush leaves it (Retry-After)

/** The outbox belongs to one user: the one signed in. */
export function currentUser() {
  const u = session.user;
  return u && session.token ? String(u.id ?? u.email) : null;
}

// ---- one sender at a time --------------------------------------------------------

let chain = Promise.resolve();
function withLock(fn) {
  const guarded = globalThis.navigator && navigator.locks && navigator.locks.request
    ? () => navigator.locks.request('fibertrack-outbox', fn)
    : fn;
  const run = chain.then(guarded, guarded);
  chain = run.catch(() => {});
  return run;
}

// ---- what an error means for a queued item -----------------------------------------

function inFlight(err) {
  return err.status === 409 && (/idempotency-key-in-flight$/.test(err.type || '') || err.retryAfter !== null);
}

/** Worth trying again later with the same key (for a report). */
function transientForReport(err) {
  const s = err.status;
  return s === 0 || s === 401 || s === 408 || s === 429 || s >= 500 || inFlight(err);
}

/** For a photo: any 4xx but 401, 408, 409 and 429 is for good. */
function transientForPhoto(err) {
  const s = err.status;
  return s === 0 || s === 401 || s === 408 || s === 409 || s === 429 || s >= 500;
}

function waitingText(err) {
  if (err.status === 0) return msg('sy.waitingNetwork');
  if (err.status === 401) return msg('sy.waitingSignIn');
  if (err.status === 409) return msg('sy.waitingInFlight');
  return msg('sy.waitingServer');
}

/** Why a photo was refused: our words for the usual statuses, else the server's (a {key} or a string). */
function reason(err) {
  if ([404, 413, 415].includes(err.status)) return msg(`sy.why${err.status}`);
  return { server: err.detail || err.title || `HTTP ${err.status}` };
}

function contentType(p) {
  return MEDIA_TYPES.includes(p.type) ? p.type : 'application/octet-stream';
}

// ---- queueing ---------------------------------------------------------------------

/**
 * Keeps a report and its photos in the outbox before the first attempt.
 * photos: [{file (Blob or File), name, caption, preview}]. Returns
 * {id, pids}: the entry's id and its photos' ids, in the order given.
 */
export async function queue({ segment, body, photos }) {
  const user = currentUser();
  if (!user) throw new Error('not signed in');
  const id = api.newIdempotencyKey();
  const entry = {
    id,
    user,
    created_at: new Date().toISOString(),
    segment_id: segment.id,
    segment_code: segment.code,
    body,
    key: api.newIdempotencyKey(),
    report_id: null,
    report: null,
    state: 'queued',
    error: null,
    notices: [],
  };
  const recs = photos.map((p, i) => photoRecord(id, i, p));
  await outbox.add(entry, recs);
  emit('change');
  return { id, pids: recs.map((r) => r.pid) };
}

function photoRecord(entry, order, p) {
  return {
    pid: api.newIdempotencyKey(),
    entry,
    order,
    key: api.newIdempotencyKey(),
    blob: p.file,
    name: p.name || p.file.name || `photo-${order + 1}`,
    type: p.file.type || '',
    size: p.file.size,
    caption: p.caption || '',
    preview: p.preview || null,
    error: null,
  };
}

/**
 * Replaces the photos of a report the server has not created yet (the form
 * was changed before sending again). Returns the new photos' ids.
 */
export async function replacePhotos(id, photos) {
  const old = await outbox.photos(id);
  for (const p of old) await outbox.removePhoto(p.pid);
  const recs = photos.map((p, i) => photoRecord(id, i, p));
  await outbox.addPhotos(recs);
  emit('change');
  return recs.map((r) => r.pid);
}

/** Drops a queued report and its photos (the user decided so). */
export async function discard(id) {
  await outbox.remove(id);
  notBefore.delete(id);
  emit('change');
}

/** The signed-in user's queue: [{...entry, photos: [...]}], oldest first. */
export async function pending() {
  const user = currentUser();
  if (!user) return [];
  const entries = await outbox.list(user);
  for (const e of entries) e.photos = await outbox.photos(e.id);
  return entries;
}

// ---- sending ----------------------------------------------------------------------

/**
 * Sends one queued report and its photos now (waits for any other sender).
 * Resolves to {state, entry, report, attachments, notices, error}:
 *   'sent'      the report and every photo were answered (notices: photos refused for good);
 *   'queued'    not yet (error: why); it stays in the outbox and is sent again later;
 *   'refused'   the server refused the report for good (error: the ApiError);
 *   'gone'      not in the outbox (sent meanwhile by another tab, or discarded).
 * onProgress(pid, loaded, total) follows the photo uploads.
 */
// Outcomes of the reports sent from this page, for a form that asks after a
// background send got there first.
const finished = new Map();

export function send(id, onProgress = null, { background = false } = {}) {
  return withLock(async () => {
    const r = await sendEntry(id, onProgress);
    if (r.state === 'gone' && finished.has(id)) return finished.get(id);
    if (r.state === 'sent' && !finished.has(id)) {
      finished.set(id, r);
      emit('sent', { id, outcome: r, background });
    }
    return r;
  });
}

async function sendEntry(id, onProgress) {
  let entry = await outbox.get(id);
  if (!entry) return { state: 'gone' };
  if (entry.state === 'refused') return { state: 'refused', entry, error: entry.error };
  if (entry.state === 'done') return { state: 'sent', entry, report: entry.report, attachments: [], notices: entry.notices };
  if (!entry.report_id) {
    let rep;
    try {
      rep = await api.post('progress-reports', entry.body, { headers: { 'Idempotency-Key': entry.key } });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      if (transientForReport(err)) {
        if (err.retryAfter) notBefore.set(id, Date.now() + err.retryAfter * 1000);
        entry = await outbox.update(id, (e) => { e.error = { status: err.status, text: waitingText(err) }; e.tried_at = new Date().toISOString(); });
        emit('change');
        return { state: 'queued', entry, error: err };
      }
      entry = await outbox.update(id, (e) => {
        e.state = 'refused';
        e.error = { status: err.status, text: msg('sy.reportRefused', { why: { server: err.detail || err.title || `HTTP ${err.status}` } }), detail: err.detail, errors: err.errors };
      });
      emit('change');
      return { state: 'refused', entry, error: err };
    }
    entry = await outbox.update(id, (e) => {
      e.report_id = rep.id;
      e.report = { id: rep.id, state: rep.state, status: rep.status };
      e.state = 'uploading';
      e.error = null;
    });
    emit('change');
    if (!entry) return { state: 'gone' };
  }
  const attachments = [];
  const notices = [];
  for (const p of await outbox.photos(id)) {
    live.set(p.pid, { loaded: 0, total: p.size });
    emit('change');
    let res;
    try {
      res = await api.upload(`progress-reports/${entry.report_id}/attachments`, p.blob, {
        params: p.caption ? { caption: p.caption } : null,
        contentType: contentType(p),
        headers: { 'Idempotency-Key': p.key, 'Content-Disposition': api.contentDisposition(p.name) },
        onProgress: (loaded, total) => {
          live.set(p.pid, { loaded, total });
          emit('progress', { entry: id, pid: p.pid, loaded, total });
          if (onProgress) onProgress(p.pid, loaded, total);
        },
      });
    } catch (err) {
      live.delete(p.pid);
      if (err.name === 'AbortError') throw err;
      if (transientForPhoto(err)) {
        if (err.retryAfter) notBefore.set(id, Date.now() + err.retryAfter * 1000);
        await outbox.updatePhoto(p.pid, (x) => { x.error = { status: err.status, text: waitingText(err) }; });
        entry = await outbox.update(id, (e) => { e.tried_at = new Date().toISOString(); });
        emit('change');
        return { state: 'queued', entry, error: err, attachments, notices };
      }
      const text = msg('sy.photoRefused', { name: p.name, why: reason(err) });
      notices.push(text);
      await outbox.removePhoto(p.pid);
      entry = await outbox.update(id, (e) => { e.notices.push(text); });
      emit('change');
      continue;
    }
    live.delete(p.pid);
    attachments.push(res.data);
    await outbox.removePhoto(p.pid);
    emit('change');
  }
  // Everything answered. A report with photos refused for good stays listed
  // (state done) until the user has read why.
  if (entry.notices.length) {
    entry = await outbox.update(id, (e) => { e.state = 'done'; e.error = null; });
  } else {
    await outbox.remove(id);
  }
  notBefore.delete(id);
  emit('change');
  return { state: 'sent', entry, report: entry.report, attachments, notices };
}

let flushing = null;

/**
 * Sends every queued report of the signed-in user, oldest first; stops at the
 * first network failure (the others would fail the same way). Resolves to the
 * number of reports sent.
 */
export function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    let sent = 0;
    const user = currentUser();
    if (!user) return 0;
    for (const e of await outbox.list(user)) {
      if (e.state === 'refused' || e.state === 'done') continue;
      if ((notBefore.get(e.id) || 0) > Date.now()) continue;
      if (currentUser() !== user) break; // signed out meanwhile
      const r = await send(e.id, null, { background: true });
      if (r.state === 'sent') sent++;
      if (r.state === 'queued' && r.error && (r.error.status === 0 || r.error.status === 401)) break;
    }
    return sent;
  })().catch(() => 0).finally(() => { flushing = null; });
  return flushing;
}

let started = false;

/** Starts the background sending (once per page): now, when online again, and every RETRY_MS. */
export function start() {
  if (started) return;
  started = true;
  window.addEventListener('online', () => flush());
  setInterval(() => { if (currentUser()) flush(); }, RETRY_MS);
  flush();
}
