// sw.js — the service worker: keeps the dashboard's app shell so that it
// opens without a network (SPEC 9, contractor form).
//
// The shell is every file the server lists in /config.json ("app.files": all
// of clients/web, so a new page module cannot be forgotten) plus "/", kept in
// a cache named by the shell's version ("app.version", a hash of the files'
// ETags). app.js registers this file as sw.js?v=VERSION: a new server build
// changes the version, hence the worker's URL, so the browser installs a new
// worker, which fills a new cache and drops the old ones on activation.
//
// Answers: the shell cache first, then the network, for navigations and the
// dashboard's files; /config.json from the network first (it carries the
// version), the cache when offline. Never /api/: the API's answers are data,
// and old data must not pass for current, so those requests go to the network
// untouched and fail when it is down. Other origins (the base map's tiles)
// are not touched either.

const VERSION = new URL(self.location.href).searchParams.get('v') || 'unversioned';
const PREFIX = 'fibertrack-shell-';
const CACHE = PREFIX + VERSION;
const SCOPE = new URL(self.registration.scope);
const ROOT = SCOPE.href;
const CONFIG = new URL('config.json', SCOPE).href;
const API = new URL('api/', SCOPE).pathname;
// What the server serves from clients/web: one level, these extensions (as api/webapp.c).
const STATIC = /^[^/]+\.(html|js|mjs|css|json|svg|png|ico|webmanifest|txt)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(install());
});

async function install() {
  const res = await fetch(CONFIG, { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const cfg = await res.clone().json();
  // A server updated since the page registered this version: its files are
  // another shell's. Fail, and let the next page register the new version.
  if (!cfg.app || cfg.app.version !== VERSION || !Array.isArray(cfg.app.files)) {
    throw new Error(`the server's app shell is ${cfg.app && cfg.app.version}, not ${VERSION}`);
  }
  const urls = [ROOT, ...cfg.app.files.filter((f) => f !== 'sw.js').map((f) => new URL(f, SCOPE).href)];
  const cache = await caches.open(CACHE);
  // Revalidated (ETag), not taken blindly from the HTTP cache.
  await cache.addAll(urls.map((u) => new Request(u, { cache: 'no-cache' })));
  await cache.put(CONFIG, res);
  // The new shell serves from the next navigation on; the pages load all
  // their modules at start, so none mixes two versions.
  await self.skipWaiting();
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  if (url.pathname.startsWith(API)) return; // the network, always
  const rel = url.pathname.slice(SCOPE.pathname.length);
  if (url.href === CONFIG) {
    event.respondWith(networkFirst(req));
  } else if (req.mode === 'navigate' && (rel === '' || rel === 'index.html')) {
    event.respondWith(cacheFirst(ROOT, req));
  } else if (STATIC.test(rel)) {
    event.respondWith(cacheFirst(req, req));
  }
  // Anything else (/healthz, /metrics, …) is not the dashboard's: the network, untouched.
});

/** The shell's copy of key, else the network's answer to req. */
async function cacheFirst(key, req) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  return hit || fetch(req);
}

/** The network's answer (kept for offline), else the kept one. */
async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(CONFIG, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(CONFIG);
    if (hit) return hit;
    throw err;
  }
}
