// offline.spec.mjs — the optional base map (basemap.js, FT_MAP_TILES) and the
// offline app shell (sw.js), SPEC 9.
//
// run-web.sh starts tiles.py (FT_WEB_TILES: XYZ tiles made on the fly, with a
// magenta ring on a point the test marks, and a log of what was asked) and
// server M (FT_WEB_MAP_URL: A's data, with FT_MAP_TILES pointing there).
// Server A has no base map. The service-worker update test starts a server of
// its own on A's data (FT_WEB_FTD, FT_WEB_DATA_A), twice, with a changed file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  test, BASE, ART, USERS, PASSWORD, ROOT, api, apiLogin, newPage, go, shot, waitMap, localePage, englishOn,
  noHorizontalScroll, browser, problems, freshSegment, openProgressDialog,
} from './harness.mjs';

const MAPURL = process.env.FT_WEB_MAP_URL;
const TILES = process.env.FT_WEB_TILES;
const WEB = path.join(ROOT, 'clients/web');

function needServers() {
  assert.ok(MAPURL && TILES, 'FT_WEB_MAP_URL and FT_WEB_TILES are not set: run the tests with tests/web/run-web.sh');
}

/** Signs in on the dashboard at base (the harness' signIn knows server A only). */
async function signInAt(page, base, who) {
  await page.goto(`${base}/#/signin`);
  await page.locator('#signin-email').fill(USERS[who]);
  await page.locator('#signin-password').fill(PASSWORD);
  await page.locator('form.signin button[type=submit]').click();
  await page.locator('#nav a').first().waitFor({ timeout: 10_000 });
}

async function tileLog() {
  return (await fetch(`${TILES}/log`)).json();
}

/** Waits until every tile in view is drawn (or has failed, with failed: true). */
async function tilesSettled(page, { failed = false } = {}) {
  await page.waitForFunction((wantFailed) => {
    const d = document.getElementById('map').dataset;
    const wanted = Number(d.baseWanted);
    if (!wanted) return false;
    return wantFailed ? Number(d.baseFailed) === wanted : Number(d.baseDrawn) === wanted;
  }, failed, { timeout: 20_000 });
}

/** Waits until a service worker controls the page. */
async function controlled(page) {
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
}

/**
 * Reads the map canvas as the user sees it (a screenshot: the tiles of
 * another origin make the canvas itself unreadable) and measures it in the
 * page: 'coverage' — the share of the canvas showing the tiles' fill (pale
 * sand, softened) and how many of the network's status colours show;
 * 'ring' — the centre of the tiles' magenta ring around the marked point,
 * and of the dot of the premise colour inside it (the network's drawing of
 * the same point).
 */
async function measure(page, what) {
  const png = await page.locator('#map-canvas').screenshot();
  return page.evaluate(async ({ b64, what }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const w = bmp.width;
    const h = bmp.height;
    const oc = new OffscreenCanvas(w, h);
    const c2 = oc.getContext('2d');
    c2.drawImage(bmp, 0, 0);
    const d = c2.getImageData(0, 0, w, h).data;
    const css = getComputedStyle(document.documentElement);
    const hex = (v) => { const x = css.getPropertyValue(v).trim(); return [1, 3, 5].map((i) => parseInt(x.slice(i, i + 2), 16)); };
    const near = (i, c, tol) => Math.abs(d[i] - c[0]) < tol && Math.abs(d[i + 1] - c[1]) < tol && Math.abs(d[i + 2] - c[2]) < tol;
    if (what === 'coverage') {
      const statuses = ['planned', 'permitted', 'in_construction', 'civil_done', 'cable_installed', 'spliced', 'tested', 'accepted'].map((s) => hex(`--st-${s}`));
      let sand = 0;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) {
        if (near(i, [245, 239, 226], 6)) sand++;
        statuses.forEach((c, k) => { if (near(i, c, 4)) seen.add(k); });
      }
      return { sand: sand / (w * h), statuses: seen.size };
    }
    let rx = 0;
    let ry = 0;
    let rn = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = 4 * (y * w + x);
        if (d[i] > 220 && d[i + 2] > 220 && d[i + 1] < 170) { rx += x + 0.5; ry += y + 0.5; rn++; }
      }
    }
    if (!rn) return { ring: null };
    rx /= rn;
    ry /= rn;
    const dot = hex('--pr-passed');
    let dx = 0;
    let dy = 0;
    let dn = 0;
    for (let y = Math.max(0, Math.floor(ry - 14)); y < Math.min(h, ry + 14); y++) {
      for (let x = Math.max(0, Math.floor(rx - 14)); x < Math.min(w, rx + 14); x++) {
        const i = 4 * (y * w + x);
        if (near(i, dot, 6)) { dx += x + 0.5; dy += y + 0.5; dn++; }
      }
    }
    return { ring: [rx, ry], ringPixels: rn, dot: dn ? [dx / dn, dy / dn] : null, dotPixels: dn };
  }, { b64: png.toString('base64'), what });
}

// ---- base map ---------------------------------------------------------------------------

test('base map: the tiles are drawn beneath the network with their credit, in German and English; aligned within 2 px; the switch hides them', async () => {
  needServers();
  // the point the tile server marks: a premise (drawn as a dot) near the middle of the town
  const mgr = (await apiLogin(USERS.manager, MAPURL)).token;
  const prems = [];
  for (let cursor = null, first = true; first || cursor; first = false) {
    const r = (await api(mgr, 'GET', `premises?project_id=1&limit=1000&fields=id,code,status,lat,lon${cursor ? `&cursor=${cursor}` : ''}`, null, {}, MAPURL)).json;
    prems.push(...r.items);
    cursor = r.next_cursor;
  }
  const mid = prems.reduce((a, p) => [a[0] + p.lat / prems.length, a[1] + p.lon / prems.length], [0, 0]);
  const passed = prems.filter((p) => p.status === 'passed');
  const P = passed.sort((a, b) => Math.hypot(a.lat - mid[0], a.lon - mid[1]) - Math.hypot(b.lat - mid[0], b.lon - mid[1]))[0];
  assert.ok(P, 'a passed premise');
  assert.equal((await fetch(`${TILES}/mark?lat=${P.lat}&lon=${P.lon}`)).status, 204);

  for (const [locale, credit, toggle] of [['de-DE', 'Quelle der Grundkarte', 'Grundkarte'], ['en-US', 'Source of the base map', 'Base map']]) {
    const before = (await tileLog()).length;
    const page = await localePage(locale, 1280, 900);
    try {
      await signInAt(page, MAPURL, 'manager');
      await page.goto(`${MAPURL}/#/projects/1/map`);
      await waitMap(page);
      await tilesSettled(page);
      const box = page.locator('#map');
      assert.equal(await box.getAttribute('data-base'), 'on');
      const z = Number(await box.getAttribute('data-base-zoom'));
      const wanted = Number(await box.getAttribute('data-base-wanted'));
      assert.ok(z >= 14 && z <= 19, `zoom ${z} at "fit all" of a town`);
      // the tiles in view were asked for, at the zoom drawn
      const asked = (await tileLog()).slice(before);
      assert.ok(asked.filter((p) => p.startsWith(`/${z}/`)).length >= wanted, `asked ${asked.length} tiles for ${wanted} in view`);
      // the credit, in the map's corner, and the switch, in this language
      const attr = page.locator('#map-attribution');
      await attr.waitFor();
      assert.equal((await attr.innerText()).replace(/\s+/g, ' ').trim(), `${credit}: © Musterstadt Kataster, fibertrack test tiles`);
      const cb = page.getByLabel(toggle, { exact: true });
      assert.equal(await cb.isChecked(), true);
      const mb = await box.boundingBox();
      const ab = await attr.boundingBox();
      assert.ok(ab.x + ab.width >= mb.x + mb.width - 2 && ab.y + ab.height >= mb.y + mb.height - 2, 'the credit sits in the bottom right corner');
      // the tiles beneath, the network on top ("fit all" shows the whole town)
      const cov = await measure(page, 'coverage');
      assert.ok(cov.sand > 0.3, `only ${Math.round(cov.sand * 100)} % of the map shows tiles`);
      assert.ok(cov.statuses >= 6, `only ${cov.statuses} status colours of the network over the tiles`);
      if (locale === 'de-DE') assert.deepEqual(await englishOn(page), [], 'English words on the German map');
      await shot(page, `basemap-${locale.slice(0, 2)}`);
      if (locale === 'de-DE') continue;

      // alignment: the ring the tiles draw around P and the network's dot for P
      for (const s of ['planned', 'permitted', 'in_construction', 'civil_done', 'cable_installed', 'spliced', 'tested', 'accepted']) {
        await page.locator(`#lg-seg-${s}`).uncheck();
      }
      for (const s of ['planned', 'connected', 'activated', 'excluded']) await page.locator(`#lg-prem-${s}`).uncheck();
      await tilesSettled(page);
      let m = await measure(page, 'ring');
      assert.ok(m.ring, 'the marked ring is on the map');
      // zoom in on it with the wheel: four steps of 1.25, more than one tile zoom level
      const cbox = await page.locator('#map-canvas').boundingBox();
      await page.mouse.move(cbox.x + m.ring[0], cbox.y + m.ring[1]);
      for (let i = 0; i < 4; i++) {
        await page.mouse.wheel(0, -100);
        await page.waitForTimeout(80);
      }
      await page.waitForFunction((z0) => Number(document.getElementById('map').dataset.baseZoom) > z0, z, { timeout: 10_000 });
      await tilesSettled(page);
      m = await measure(page, 'ring');
      assert.ok(m.ring && m.dot, `ring ${JSON.stringify(m.ring)}, dot ${JSON.stringify(m.dot)}`);
      const off = Math.hypot(m.ring[0] - m.dot[0], m.ring[1] - m.dot[1]);
      fs.writeFileSync(path.join(ART, 'basemap-alignment.json'), JSON.stringify({ premise: P, zoom: Number(await box.getAttribute('data-base-zoom')), ...m, offset_px: off }, null, 2));
      assert.ok(off <= 2, `the tiles' P is ${off.toFixed(2)} px from the network's P (${JSON.stringify(m)})`);
      await shot(page, 'basemap-aligned', false);

      // the switch hides the tiles and their credit, asks for none while off, and is remembered
      await cb.uncheck();
      await page.waitForFunction(() => document.getElementById('map').dataset.base === 'off');
      assert.equal(await attr.isHidden(), true);
      const off1 = await measure(page, 'coverage');
      assert.ok(off1.sand < 0.01, `tiles still drawn: ${off1.sand}`);
      const n0 = (await tileLog()).length;
      await page.locator('#map-canvas').focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('-');
      await page.waitForTimeout(300);
      assert.equal((await tileLog()).length, n0, 'tiles asked for while the base map is off');
      await page.reload();
      await waitMap(page);
      assert.equal(await page.getByLabel(toggle, { exact: true }).isChecked(), false, 'the choice is remembered');
      assert.equal(await box.getAttribute('data-base'), 'off');
      await page.getByLabel(toggle, { exact: true }).check();
      await tilesSettled(page);
    } finally {
      await page.closeAll();
    }
  }
});

test('base map on a phone (390 px): the switch and the credit fit, clear of the scale bar', async () => {
  needServers();
  const page = await newPage(390, 844);
  await signInAt(page, MAPURL, 'manager');
  await page.goto(`${MAPURL}/#/projects/1/map`);
  await waitMap(page);
  await tilesSettled(page);
  await noHorizontalScroll(page);
  assert.equal(await page.getByLabel('Base map', { exact: true }).isVisible(), true);
  const mb = await page.locator('#map').boundingBox();
  const ab = await page.locator('#map-attribution').boundingBox();
  // the scale bar's box ends at most 178 px from the map's left edge (map.js drawScale)
  assert.ok(ab.x >= mb.x + 178, `the credit (${ab.x - mb.x} px from the left) covers the scale bar`);
  assert.ok(ab.x + ab.width <= mb.x + mb.width + 1 && ab.y + ab.height <= mb.y + mb.height + 1, 'the credit leaves the map');
  await shot(page, 'basemap-phone', false);
  await page.close();
});

test('base map: with the tile server down the network is drawn all the same, says so, and nothing errs', async () => {
  needServers();
  const seen = problems.length;
  const page = await newPage();
  await page.route(`${TILES}/**`, (route) => route.abort('connectionrefused'));
  await signInAt(page, MAPURL, 'manager');
  await page.goto(`${MAPURL}/#/projects/1/map`);
  await waitMap(page);
  await tilesSettled(page, { failed: true });
  const cov = await measure(page, 'coverage');
  assert.ok(cov.statuses >= 6, `only ${cov.statuses} status colours: the network is not drawn`);
  assert.ok(cov.sand < 0.01, 'tiles drawn from a server that is down');
  await page.getByText('The base map cannot be loaded just now').waitFor();
  // moving and zooming still work
  await page.locator('#map-canvas').focus();
  await page.keyboard.press('+');
  await page.keyboard.press('ArrowUp');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#map').getAttribute('data-state'), 'rendered');
  await shot(page, 'basemap-down', false);
  await page.unroute(`${TILES}/**`);
  await page.close();
  assert.deepEqual(problems.slice(seen), []);
});

test('base map: without FT_MAP_TILES there is no base map, no switch and not one tile request', async () => {
  needServers();
  const cfg = await (await fetch(`${BASE}/config.json`)).json();
  assert.equal(cfg.map, null);
  const before = (await tileLog()).length;
  const page = await newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(`${BASE}/`)) foreign.push(r.url()); });
  await signInAt(page, BASE, 'manager');
  await page.goto(`${BASE}/#/projects/1/map`);
  await waitMap(page);
  await page.locator('#map-canvas').focus();
  await page.keyboard.press('+');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#map').getAttribute('data-base'), 'none');
  assert.equal(await page.locator('#map-basemap').count(), 0);
  assert.equal(await page.locator('#map-attribution').isHidden(), true);
  assert.deepEqual(foreign, [], 'requests to other origins');
  assert.equal((await tileLog()).length, before, 'tiles asked for');
  await page.close();
});

// ---- the app shell (service worker) ----------------------------------------------------

/** The dashboard's own modules: app.js and everything it imports, transitively. */
function importGraph() {
  const seen = new Set();
  const todo = ['app.js'];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]\.\/([^'"]+)['"]|(?:^|\n)\s*import\s*['"]\.\/([^'"]+)['"]|import\(\s*['"]\.\/([^'"]+)['"]\s*\)/g;
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of fs.readFileSync(path.join(WEB, f), 'utf8').matchAll(re)) todo.push(m[1] || m[2] || m[3]);
  }
  return seen;
}

test('offline: the service worker keeps the app shell — every file the dashboard loads or imports, named by the version in config.json — and never the API', async () => {
  const cfg = await (await fetch(`${BASE}/config.json`)).json();
  assert.match(cfg.app.version, /^[0-9a-f]{32}$/);
  const sw = await fetch(`${BASE}/sw.js`);
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /^text\/javascript/);
  assert.equal(sw.headers.get('cache-control'), 'no-cache');

  const page = await newPage();
  await signInAt(page, BASE, 'manager');
  await controlled(page);
  // pages that load the most modules and files
  await go(page, '/projects/1/map');
  await waitMap(page);
  await go(page, '/review');
  const info = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const kept = {};
    for (const name of await caches.keys()) kept[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    const root = await caches.match('/');
    return {
      script: reg.active.scriptURL,
      controller: navigator.serviceWorker.controller.scriptURL,
      kept,
      csp: root && root.headers.get('content-security-policy'),
      loaded: performance.getEntriesByType('resource').map((e) => e.name),
    };
  });
  const name = `fibertrack-shell-${cfg.app.version}`;
  assert.equal(info.script, `${BASE}/sw.js?v=${cfg.app.version}`);
  assert.equal(info.controller, info.script);
  assert.deepEqual(Object.keys(info.kept), [name], 'one cache, of this version');
  const kept = new Set(info.kept[name].map((u) => new URL(u).pathname));
  assert.deepEqual(info.kept[name].filter((u) => /\/api\//.test(u)), [], 'API answers in the cache');
  assert.ok(kept.has('/'), 'the page itself');
  assert.match(info.csp || '', /default-src 'self'/, 'the kept page keeps its Content-Security-Policy');

  // every module app.js imports (transitively) is kept, and preloaded by index.html
  const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]));
  for (const f of importGraph()) {
    assert.ok(kept.has(`/${f}`), `${f} (imported by the dashboard) is not in the service worker's cache`);
    if (f !== 'app.js') assert.ok(preloaded.has(f), `${f} is imported but index.html does not preload it`);
  }
  for (const f of [...preloaded, 'app.css', 'favicon.svg', 'config.json']) assert.ok(kept.has(`/${f}`), `${f} is not kept`);
  // every file of the dashboard the browser loaded here is kept
  const loaded = info.loaded.map((u) => new URL(u)).filter((u) => u.origin === BASE && !u.pathname.startsWith('/api/'));
  assert.ok(loaded.length > 20, `only ${loaded.length} files loaded`);
  for (const u of loaded) assert.ok(kept.has(u.pathname), `${u.pathname} was loaded but is not kept`);
  // and every file of clients/web the server lists
  for (const f of cfg.app.files) if (f !== 'sw.js') assert.ok(kept.has(`/${f}`), `${f} is not kept`);
  assert.deepEqual([...new Set(cfg.app.files)].sort(), fs.readdirSync(WEB).filter((f) => /\.(html|js|css|svg)$/.test(f)).sort(),
    'config.json lists the files of clients/web');

  // the API goes to the network: its answers never come from the service worker, and offline it fails
  const fromWorker = [];
  page.on('response', (r) => { if (r.url().includes('/api/') && r.fromServiceWorker()) fromWorker.push(r.url()); });
  await go(page, '/');
  await page.locator('main .kpi, main table, main .card').first().waitFor();
  assert.deepEqual(fromWorker, [], 'API answers from the service worker');
  await browser.setOffline(true);
  try {
    const r = await page.evaluate(async () => {
      try {
        const res = await fetch('/api/v1/projects', { headers: { Authorization: `Bearer ${sessionStorage.getItem('fibertrack.token')}` } });
        return `HTTP ${res.status}`;
      } catch (e) {
        return `failed: ${e.name}`;
      }
    });
    assert.equal(r, 'failed: TypeError', 'offline, an API request must fail, not return kept data');
    // the start page opens offline and says the data cannot be had
    await page.reload();
    await page.locator('main h1').first().waitFor();
    await page.getByRole('alert').first().waitFor();
  } finally {
    await browser.setOffline(false);
  }
  await page.close();
});

test('offline (390 px): a contractor reloads #/work offline; the page opens from the app shell, signed in, with the outbox; the report typed offline is sent exactly once when back online', async () => {
  const page = await newPage(390, 844);
  await signInAt(page, BASE, 'contractor');
  await go(page, '/work');
  await controlled(page);
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = await freshSegment(tok, 1, 'cable_installed', 1);
  const note = `Offline vor Ort, Muffe gesetzt ${Date.now()}`;
  const keys = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/v1\/progress-reports$/.test(r.url())) keys.push(r.headers()['idempotency-key']);
  });
  const dlg = await openProgressDialog(page, seg);
  await browser.setOffline(true);
  let online = false;
  try {
    await dlg.getByLabel('Built length so far (m)').fill(String(seg.built_length_m || 1));
    await dlg.getByLabel('Note').fill(note);
    await dlg.getByRole('button', { name: 'Send report' }).click();
    await dlg.getByRole('alert').filter({ hasText: /offline.*kept on this device/ }).waitFor();
    await dlg.getByRole('button', { name: 'Close' }).click();
    const box = page.locator('#outbox');
    await box.getByText('1 report is waiting to be sent.').waitFor();

    // a reload with the network still down: everything of the page from the service worker
    const files = [];
    page.on('response', (r) => { if (!r.url().includes('/api/')) files.push([r.url(), r.fromServiceWorker()]); });
    await page.reload();
    await page.locator('main h1', { hasText: 'My segments' }).waitFor();
    await box.getByText('1 report is waiting to be sent.').waitFor();
    assert.ok(files.length > 20, `${files.length} files loaded`);
    assert.deepEqual(files.filter(([, sw]) => !sw).map(([u]) => u), [], 'files not from the service worker');
    // still signed in, and the API's data is not made up from a cache
    assert.match(await page.locator('#who').innerText(), /Contractor/);
    await page.getByRole('alert').first().waitFor();
    assert.equal(await page.locator('#segments').count(), 0, 'a segment list while offline');
    await noHorizontalScroll(page);
    await shot(page, 'offline-work-phone', false);
    assert.equal((await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items.filter((r) => r.note === note).length, 0);

    // back online: the outbox sends it, once
    await browser.setOffline(false);
    online = true;
    await box.waitFor({ state: 'hidden', timeout: 15_000 });
  } finally {
    if (!online) await browser.setOffline(false);
  }
  const mine = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items.filter((r) => r.note === note);
  assert.equal(mine.length, 1, 'exactly one report with the note typed offline');
  assert.ok(keys.length >= 1 && new Set(keys).size === 1, `Idempotency-Keys ${keys}`);
  await page.close();
});

// ---- a new build replaces the shell -----------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** fibertrackd serve on A's data with the dashboard from dir; resolves once /readyz answers. */
async function startServer(dir, port, log) {
  const child = spawn(process.env.FT_WEB_FTD, ['serve', '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, FT_DATA_DIR: process.env.FT_WEB_DATA_A, FT_WEB_DIR: dir },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return { child, exited };
    } catch { /* not yet */ }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`the shell test's server did not start (exit ${child.exitCode})`);
}

async function stopServer(s) {
  s.child.kill('SIGTERM');
  await s.exited;
}

test('offline: a new server build replaces the kept app shell — a new version, a new cache, the old one dropped', async () => {
  assert.ok(process.env.FT_WEB_FTD && process.env.FT_WEB_DATA_A, 'FT_WEB_FTD and FT_WEB_DATA_A are not set: run the tests with tests/web/run-web.sh');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftweb-shell-'));
  for (const f of fs.readdirSync(WEB)) fs.copyFileSync(path.join(WEB, f), path.join(dir, f));
  const log = fs.openSync(path.join(process.env.FT_WEB_ARTIFACTS || dir, 'server-shell.log'), 'a');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let srv = await startServer(dir, port, log);
  const page = await newPage();
  try {
    const v1 = (await (await fetch(`${base}/config.json`)).json()).app.version;
    await page.goto(`${base}/#/signin`);
    await controlled(page);
    assert.deepEqual(await page.evaluate(() => caches.keys()), [`fibertrack-shell-${v1}`]);

    // the next build: one file changed
    await stopServer(srv);
    fs.appendFileSync(path.join(dir, 'app.css'), '\n/* build 2 */\n');
    srv = await startServer(dir, port, log);
    const v2 = (await (await fetch(`${base}/config.json`)).json()).app.version;
    assert.notEqual(v2, v1, 'a changed file changes the version');

    // the page opens from the old shell, which registers the new one
    await page.reload();
    await page.waitForFunction((v) => (navigator.serviceWorker.controller || {}).scriptURL?.endsWith(`?v=${v}`), v2, { timeout: 20_000 });
    // the old cache goes when the new worker activates
    let names = [];
    for (let i = 0; i < 100; i++) {
      names = await page.evaluate(() => caches.keys());
      if (names.length === 1) break;
      await page.waitForTimeout(100);
    }
    assert.deepEqual(names, [`fibertrack-shell-${v2}`]);
    const css = await page.evaluate(async () => (await caches.match('/app.css')).text());
    assert.match(css, /build 2/, 'the new cache holds the new file');
    await page.reload();
    assert.match(await page.evaluate(async () => (await fetch('app.css')).text()), /build 2/, 'the page gets the new file');
  } finally {
    await page.close();
    await stopServer(srv);
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
