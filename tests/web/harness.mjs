// harness.mjs — what the dashboard tests share: the servers' addresses, the
// browser, sign-in and navigation helpers, test photos, the German/English
// checks, and the tiny runner. web.test.mjs and every *.spec.mjs register
// tests with test(); web.test.mjs runs them all in one browser.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const BASE = process.env.FT_WEB_URL;
export const BIG = process.env.FT_WEB_BIG_URL || '';
export const ART = process.env.FT_WEB_ARTIFACTS || path.resolve('../artifacts/web');
export const PASSWORD = 'fibertrack-demo';
export const USERS = {
  admin: 'admin@musterstadt.example',
  manager: 'manager@musterstadt.example',
  finance: 'finance@musterstadt.example',
  contractor: 'bauleitung@tiefbau-nord.example',
  contractor2: 'montage@glasfaser-sued.example',
};
export const NAV = {
  admin: ['Overview', 'Projects', 'Map', 'Segments', 'Milestones', 'Review queue', 'Reports', 'Finance', 'Setup', 'Audit'],
  manager: ['Overview', 'Projects', 'Map', 'Segments', 'Milestones', 'Review queue', 'Reports', 'Finance', 'Setup', 'Audit'],
  finance: ['Overview', 'Projects', 'Map', 'Segments', 'Milestones', 'Reports', 'Finance', 'Audit'],
  contractor: ['My segments', 'My reports'],
};
export const ALL_PAGES = {
  '/': 'Overview', '/projects': 'Projects', '/projects/1/map': 'Map', '/projects/1/segments': 'Segments', '/segments/1': 'Segments', '/projects/1/milestones': 'Milestones',
  '/review': 'Review queue', '/projects/1/reports': 'Reports', '/work': 'My segments', '/my-reports': 'My reports',
  '/audit': 'Audit', '/projects/1/finance': 'Finance',
  '/setup': 'Setup',
};
export const MAP_BUDGET_MS = Number(process.env.FT_WEB_MAP_BUDGET_MS || 2000);
export const RUNS = 5; // map benchmark: navigations to the 20,000-segment map; the median must be in budget

if (!BASE) {
  console.error('FT_WEB_URL is not set');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
fs.mkdirSync(ART, { recursive: true });

// ---- a tiny test runner -----------------------------------------------------------

export const tests = [];
export const test = (name, fn) => tests.push({ name, fn });

// ---- API helpers (node's fetch) ---------------------------------------------------

export async function apiLogin(email, base = BASE) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(r.status, 201, `login ${email}`);
  return r.json();
}
export async function api(token, method, p, body, headers = {}, base = BASE) {
  const r = await fetch(`${base}/api/v1/${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: r.status, json, headers: r.headers };
}

// ---- browser ------------------------------------------------------------------------

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftweb-chromium-'));
export const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=en-US'],
  // the tests that do not say otherwise see the dashboard in English (the i18n tests below use their own contexts)
  locale: 'en-US',
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
});
for (const p of browser.pages()) await p.close().catch(() => {});

export const problems = []; // console errors, CSP violations, uncaught exceptions

/** A fresh page (own sessionStorage) at a viewport; collects console errors. */
export async function newPage(width = 1280, height = 900) {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const t = m.text();
    if (/Content.Security.Policy|Refused to/i.test(t)) problems.push(`CSP: ${t}`);
    else if (m.type() === 'error' && !/Failed to load resource/.test(t)) problems.push(`console: ${t}`);
  });
  return page;
}

/** Signs in (by the fields' ids, so it works in any language). */
export async function signIn(page, who) {
  await page.goto(`${BASE}/#/signin`);
  await page.locator('#signin-email').fill(USERS[who]);
  await page.locator('#signin-password').fill(PASSWORD);
  await page.locator('form.signin button[type=submit]').click();
  await page.locator('#nav[hidden]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  await page.locator('#nav a').first().waitFor({ timeout: 10_000 });
}

export async function navTexts(page) {
  return (await page.locator('#nav a').allInnerTexts()).map((t) => t.replace(/\s*\d+\+?$/, '').trim());
}

export async function go(page, hash) {
  await page.goto(`${BASE}/#${hash}`);
  await page.locator('main h1').first().waitFor();
  await page.locator('main .loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
}

export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(ART, `${name}.png`), fullPage });
}

export async function noHorizontalScroll(page) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw + 1, `the page scrolls sideways: ${sw} > ${cw}`);
}

export async function waitMap(page, timeout = 30_000) {
  await page.locator('#map[data-state="rendered"], #map[data-state="error"]').waitFor({ timeout });
  assert.equal(await page.locator('#map').getAttribute('data-state'), 'rendered');
}

// shared state between tests
export const state = {};

// ---- test photos (tests/lib/photos.py: a real JPEG with the EXIF time and GPS we choose, a PNG, a PDF) ----

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const PHOTO_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'ftweb-photos-'));

/** Writes files made by photos.py: makePhotos({'a.jpg': 'photos.jpeg(lat=52.1, lon=7.1)'}) → {name: path}. */
export function makePhotos(specs) {
  const lines = [`import sys; sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'tests/lib'))}); import photos`];
  const out = {};
  for (const [name, expr] of Object.entries(specs)) {
    out[name] = path.join(PHOTO_DIR, name);
    lines.push(`open(${JSON.stringify(out[name])}, 'wb').write(${expr})`);
  }
  execFileSync('python3', ['-c', lines.join('\n')]);
  return out;
}

/** EXIF DateTimeOriginal of n days ago, at 10:30 local time. */
export function exifDay(n) {
  const d = new Date(Date.now() - n * 86_400_000);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}:${p(d.getMonth() + 1)}:${p(d.getDate())} 10:30:00`;
}

/** A segment of the contractor's, not touched by other tests: by lot and status, the index-th. */
export async function freshSegment(tok, lot, status, index) {
  const items = (await api(tok, 'GET', `segments?limit=50&lot_id=${lot}&status=${status}`)).json.items;
  const seg = items.filter((s) => s.geometry && s.geometry.coordinates && s.geometry.coordinates.length)[index];
  assert.ok(seg, `a ${status} segment on lot ${lot} (#${index})`);
  return seg;
}

export async function openProgressDialog(page, seg) {
  await page.getByLabel('Segment code').fill(seg.code);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator(`tr[data-segment="${seg.code}"]`).waitFor();
  await page.getByRole('button', { name: `Report progress on ${seg.code}` }).click();
  const dlg = page.locator('#progress-dialog');
  await dlg.waitFor();
  return dlg;
}

// ---- tests ---------------------------------------------------------------------------

// ---- languages -------------------------------------------------------------------------

export const I18N_URL = pathToFileURL(path.join(ROOT, 'clients/web/i18n.js')).href;
let langBrowser = null;

/** A page in a fresh context of the given locale ('de-DE', 'en-US'), collecting problems like newPage. */
export async function localePage(locale, width = 1366, height = 900) {
  if (!langBrowser) {
    langBrowser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', `--lang=${locale}`],
    });
  }
  const ctx = await langBrowser.newContext({ locale, viewport: { width, height }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror (${locale}): ${e.message}`));
  page.on('console', (m) => {
    const t = m.text();
    if (/Content.Security.Policy|Refused to/i.test(t)) problems.push(`CSP (${locale}): ${t}`);
    else if (m.type() === 'error' && !/Failed to load resource/.test(t)) problems.push(`console (${locale}): ${t}`);
  });
  page.closeAll = () => ctx.close();
  return page;
}

export const ws = (x) => String(x).replace(/\s+/g, ' ');
export const deLen = (n) => `${new Intl.NumberFormat('de-DE', { maximumFractionDigits: 2 }).format(n)} m`;
export const enLen = (n) => `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(n)} m`;
export const money = (loc, cents) => {
  const d = cents % 100 ? 2 : 0;
  return new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', minimumFractionDigits: d, maximumFractionDigits: d }).format(cents / 100);
};

// English words that must not show on a German page (case-sensitive: the
// capitalised ones are labels, the small ones glue words of English sentences).
export const ENGLISH = /\b(the|and|of|with|waiting|is|are|Loading|Overview|Projects?|Milestones?|Review|Reports?|Segments?|Premises?|Planned|Forecast|Actual|State|Funding|Edit|Save|Cancel|Approve|Reject|Sign in|Sign out|Built|Photos?|Lot|Map|Zoom|Select|Show|All|Download|Language|Late|At risk|On track|Done|Permitted|Accepted|Tested|Spliced|Contractor|Note|Date|Filter|Any|Nothing|Needs attention|Key figures|Skip|Open|Close|Send|Take|Choose|Caption|Municipality|Programme|Period|Passed|Connected|Planning|Construction)\b/;
// Texts other tests typed in English (data, not the dashboard's words).
export const TEST_DATA = ['my note from the web', 'moved after steering meeting', 'Looks right, thanks', 'Cable photos missing', 'Trench open on 40 %'];

/** Every text a German page shows or reads out, with the English words found. */
export async function englishOn(page) {
  const texts = await page.evaluate(() => {
    const out = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [data-label], [alt]')) {
      for (const a of ['aria-label', 'title', 'placeholder', 'data-label', 'alt']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  });
  const found = [];
  for (let text of texts) {
    for (const d of TEST_DATA) text = text.split(d).join('');
    for (const line of text.split('\n')) {
      const m = ENGLISH.exec(line);
      if (m) found.push(`"${m[0]}" in: ${line.trim().slice(0, 120)}`);
    }
  }
  return found;
}

/** Runs the registered tests (those matching FT_WEB_GREP), prints one line each, closes the browsers and exits. */
export async function runAll() {
  let passed = 0;
  let failed = 0;
  const only = process.env.FT_WEB_GREP ? new RegExp(process.env.FT_WEB_GREP, 'i') : null;
  for (const t of tests) {
    if (only && !only.test(t.name)) continue;
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok    ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${t.name} (${Date.now() - t0} ms)\n      ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n      ')}`);
      for (const p of browser.pages()) {
        await p.screenshot({ path: path.join(ART, `failed-${passed + failed}.png`), fullPage: true }).catch(() => {});
        await p.close().catch(() => {});
      }
    }
  }
  if (langBrowser) await langBrowser.close();
  await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.rmSync(PHOTO_DIR, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
