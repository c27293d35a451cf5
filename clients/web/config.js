// config.js — what the server tells the dashboard of its settings
// (/config.json): the operator's base map, and the app shell's files and
// version, from which the service worker (sw.js) is registered.

let pending = null;

/**
 * The server's settings for the dashboard: {map: {tiles, attribution} | null,
 * app: {version, files}}. Asked once per page; a failure (offline, with no
 * service worker to answer) gives {map: null} and is asked again next time.
 */
export function appConfig() {
  if (!pending) {
    pending = fetch('config.json', { cache: 'no-cache' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`config.json: HTTP ${r.status}`))))
      .catch(() => {
        pending = null;
        return { map: null, app: null };
      });
  }
  return pending;
}

/**
 * Registers the service worker that keeps the app shell for offline use.
 * Its URL carries the shell's version, so a new server build installs a new
 * worker with a new cache. Without a version (or where the browser refuses
 * service workers) the dashboard works as before, online only.
 */
export async function registerShell() {
  if (!('serviceWorker' in navigator)) return;
  const cfg = await appConfig();
  const version = cfg.app && cfg.app.version;
  if (!version) return;
  try {
    await navigator.serviceWorker.register(`sw.js?v=${encodeURIComponent(version)}`, { scope: './' });
  } catch {
    // Private windows and blocked storage refuse it; the dashboard then needs the network, as before.
  }
}
