// router.js — hash routes (#/projects/1/map): the server serves only files, so
// every page of the dashboard is "/" plus a fragment, and reloads just work.

const routes = [];
let notFound = null;
let onChange = null;

/** route('/projects/:id/map', handler): handler({id}, query) */
export function route(pattern, handler) {
  const names = [];
  const re = new RegExp(
    '^' + pattern.replace(/:([a-z]+)/gi, (_, n) => { names.push(n); return '([^/]+)'; }) + '/?$',
  );
  routes.push({ re, names, handler, pattern });
}

export function fallback(handler) { notFound = handler; }

/** Called before each page with (path, route pattern or null). */
export function beforeEach(fn) { onChange = fn; }

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs || '') };
}

export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) { dispatch(); return; }
  if (replace) { history.replaceState(null, '', target); dispatch(); } else location.hash = target;
}

export async function dispatch() {
  const { path, query } = current();
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    const params = {};
    r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
    if (onChange && (await onChange(path, r.pattern, params)) === false) return;
    await r.handler(params, query);
    return;
  }
  if (onChange && (await onChange(path, null, {})) === false) return;
  if (notFound) await notFound(path);
}

export function start() {
  window.addEventListener('hashchange', dispatch);
  return dispatch();
}
