// outbox.js — the progress reports and photos that wait to be sent, kept in
// IndexedDB so that a closed or reloaded tab loses nothing. Only storage here;
// sending is sync.js.
//
// Two object stores:
//   reports  {id, user, created_at, segment_id, segment_code, body, key,
//             report_id (null until the server created it), state, error, notices[]}
//   photos   {pid, entry, order, key, blob, name, type, size, caption,
//             preview (a small data: URL or null), state, error}
// A report's key and each photo's key are made once, when it is queued, and
// kept for every retry. A photo record is deleted only when the server
// answered 201 for it (or refused it for good); a report record when it and
// all its photos are done and nothing is left to tell the user.
//
// Without IndexedDB (some private modes) the same API works in memory: the
// page still sends, it just cannot keep anything across a reload.

const DB_NAME = 'fibertrack-outbox';
const DB_VERSION = 1;

let dbPromise = null;
let memory = null; // {reports: Map, photos: Map} when IndexedDB is unavailable

function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    let req;
    try {
      req = indexedDB.open(DB_NAME, DB_VERSION);
    } catch {
      resolve(null);
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('reports')) {
        db.createObjectStore('reports', { keyPath: 'id' }).createIndex('user', 'user');
      }
      if (!db.objectStoreNames.contains('photos')) {
        db.createObjectStore('photos', { keyPath: 'pid' }).createIndex('entry', 'entry');
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      // another tab upgrading the schema: let it, and reopen on next use
      db.onversionchange = () => { db.close(); dbPromise = null; };
      resolve(db);
    };
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  }).then((db) => {
    if (!db && !memory) memory = { reports: new Map(), photos: new Map() };
    return db;
  });
  return dbPromise;
}

/** Whether the outbox survives a reload (IndexedDB works here). */
export async function persistent() {
  return !!(await open());
}

/** Runs fn(stores) in one transaction over both stores; resolves when it commits. */
async function tx(mode, fn) {
  const db = await open();
  if (!db) return fn(null);
  return new Promise((resolve, reject) => {
    const t = db.transaction(['reports', 'photos'], mode);
    let result;
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('IndexedDB transaction aborted'));
    Promise.resolve(fn({ reports: t.objectStore('reports'), photos: t.objectStore('photos') }))
      .then((r) => { result = r; })
      .catch((e) => { try { t.abort(); } catch { /* already done */ } reject(e); });
  });
}

const byOrder = (a, b) => a.order - b.order;

/** Queues a report with its photos, in one transaction. */
export function add(entry, photos) {
  return tx('readwrite', (s) => {
    if (!s) {
      memory.reports.set(entry.id, structuredClone(entry));
      for (const p of photos) memory.photos.set(p.pid, { ...p });
      return entry.id;
    }
    s.reports.put(entry);
    for (const p of photos) s.photos.put(p);
    return entry.id;
  });
}

/** The queued reports of one user, oldest first (without their photos). */
export function list(user) {
  return tx('readonly', async (s) => {
    const all = s
      ? await promisify(s.reports.index('user').getAll(IDBKeyRange.only(user)))
      : [...memory.reports.values()].filter((r) => r.user === user).map((r) => structuredClone(r));
    return all.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  });
}

export function get(id) {
  return tx('readonly', async (s) => {
    if (!s) return memory.reports.has(id) ? structuredClone(memory.reports.get(id)) : null;
    return (await promisify(s.reports.get(id))) || null;
  });
}

/** Changes fields of a queued report (fn gets the stored record and changes it). */
export function update(id, fn) {
  return tx('readwrite', async (s) => {
    const cur = s ? await promisify(s.reports.get(id)) : memory.reports.get(id);
    if (!cur) return null;
    fn(cur);
    if (s) s.reports.put(cur);
    return s ? cur : structuredClone(cur);
  });
}

/** Deletes a report and whatever photos of it are left. */
export function remove(id) {
  return tx('readwrite', async (s) => {
    if (!s) {
      memory.reports.delete(id);
      for (const [pid, p] of memory.photos) if (p.entry === id) memory.photos.delete(pid);
      return;
    }
    s.reports.delete(id);
    const keys = await promisify(s.photos.index('entry').getAllKeys(IDBKeyRange.only(id)));
    for (const k of keys) s.photos.delete(k);
  });
}

/** The photos of a queued report, in the order they were added (with their Blobs). */
export function photos(entryId) {
  return tx('readonly', async (s) => {
    const all = s
      ? await promisify(s.photos.index('entry').getAll(IDBKeyRange.only(entryId)))
      : [...memory.photos.values()].filter((p) => p.entry === entryId).map((p) => ({ ...p }));
    return all.sort(byOrder);
  });
}

/** Changes fields of a queued photo. */
export function updatePhoto(pid, fn) {
  return tx('readwrite', async (s) => {
    const cur = s ? await promisify(s.photos.get(pid)) : memory.photos.get(pid);
    if (!cur) return null;
    fn(cur);
    if (s) s.photos.put(cur);
    return cur;
  });
}

/** Adds photos to a report that is already queued. */
export function addPhotos(list) {
  return tx('readwrite', (s) => {
    for (const p of list) {
      if (s) s.photos.put(p);
      else memory.photos.set(p.pid, { ...p });
    }
  });
}

/** Deletes one photo (answered 201, refused for good, or removed by the user). */
export function removePhoto(pid) {
  return tx('readwrite', (s) => {
    if (s) s.photos.delete(pid);
    else memory.photos.delete(pid);
  });
}
