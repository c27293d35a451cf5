// web.test.mjs — drives the dashboard (clients/web) in headless Chromium with
// playwright-core against a running fibertrackd with the demo project.
//
//   node web.test.mjs            needs FT_WEB_URL (http://127.0.0.1:PORT of a server with `demo` loaded)
//   FT_WEB_BIG_URL               optional: a server loaded with `demo --segments 20000` (map benchmark)
//   FT_WEB_ARTIFACTS             where screenshots go (tests/artifacts/web)
//   FT_WEB_MAP_BUDGET_MS         the map benchmark's budget (default 2000; run-web.sh raises it for a sanitizer build)
//   FT_WEB_GREP                  run only the tests whose name matches this regular expression
//
// Prints one line per test and ends with "N passed, N failed". The shared
// helpers are in harness.mjs; the tests of each area of the dashboard that
// came later are in *.spec.mjs beside this file, run after these.


import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import {
  BASE, BIG, ART, PASSWORD, USERS, NAV, ALL_PAGES, MAP_BUDGET_MS, RUNS, test, apiLogin, api, browser, problems, newPage, signIn, navTexts, go, shot, noHorizontalScroll, waitMap, state, ROOT, makePhotos, exifDay, freshSegment, openProgressDialog, I18N_URL, localePage, ws, deLen, enLen, money, englishOn, runAll,
} from './harness.mjs';


test('the dashboard is served at / with its CSP, and uses no inline script or style', async () => {
  const r = await fetch(`${BASE}/`);
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy') || '';
  assert.match(csp, /default-src 'self'/);
  const html = await r.text();
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'inline <script> in index.html');
  assert.ok(!/\sstyle=/i.test(html), 'style attribute in index.html');
  assert.ok(!/<style/i.test(html), '<style> in index.html');
  assert.ok(!/https?:\/\//i.test(html.replace(/<!--[^]*?-->/g, '')), 'an external URL in index.html');
  for (const f of ['app.js', 'app.css', 'api.js', 'router.js', 'map.js', 'favicon.svg']) {
    const fr = await fetch(`${BASE}/${f}`);
    assert.equal(fr.status, 200, f);
  }
  // every block of the style sheet is closed: one left open swallows the rules after it unseen
  const css = (await (await fetch(`${BASE}/app.css`)).text()).replace(/\/\*[^]*?\*\//g, '').replace(/"[^"]*"|'[^']*'/g, '');
  let depth = 0;
  for (const ch of css) {
    depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    assert.ok(depth >= 0, 'app.css closes a block it never opened');
  }
  assert.equal(depth, 0, 'app.css leaves a block open');
});

test('keyboard: sign in with keys alone; the first Tab reaches the skip link, which moves focus to main', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/#/signin`);
  await page.getByLabel('Email').waitFor();
  // the email field has the focus on the sign-in page
  assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-email');
  await page.keyboard.type(USERS.manager);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#nav a').first().waitFor();
  assert.deepEqual(await navTexts(page), NAV.manager);
  await page.reload();
  await page.locator('main h1').first().waitFor();
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle }));
  assert.equal(first.text.trim(), 'Skip to main content');
  assert.notEqual(first.outline, 'none', 'no visible focus style');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.equal(await page.evaluate(() => location.hash), '#/', 'the skip link leaves the route alone');
  // the navigation is reachable by Tab and works with Enter
  await page.keyboard.press('Tab');
  let guard = 0;
  while (guard++ < 20 && (await page.evaluate(() => document.activeElement.textContent.trim())) !== 'Milestones') {
    await page.keyboard.press('Shift+Tab');
  }
  await page.keyboard.press('Enter');
  await page.locator('main h1', { hasText: 'Milestones' }).waitFor();
  await page.close();
});

test('sign-in: a wrong password says so in words, and the form stays usable', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/#/signin`);
  await page.getByLabel('Email').fill(USERS.manager);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'password is not right' }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Sign in' }).isEnabled());
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fibertrack.token')), null);
  await page.close();
});

for (const role of ['admin', 'manager', 'finance', 'contractor']) {
  test(`${role}: sees exactly the pages of the role, and no others`, async () => {
    const page = await newPage();
    await signIn(page, role);
    assert.deepEqual(await navTexts(page), NAV[role]);
    const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
    assert.match(tok || '', /^ftk_/, 'token kept in sessionStorage');
    for (const [hash, label] of Object.entries(ALL_PAGES)) {
      await page.goto(`${BASE}/#${hash}`);
      await page.locator('main h1').first().waitFor();
      const h1 = await page.locator('main h1').first().innerText();
      const ok = NAV[role].includes(label);
      if (ok) assert.ok(!/not available/i.test(h1), `${role} should open ${hash} (h1: ${h1})`);
      else if (hash === '/' && role === 'contractor') assert.match(h1, /My segments/, 'a contractor starts on My segments');
      else assert.match(h1, /not available/i, `${role} must not open ${hash} (h1: ${h1})`);
    }
    // what the API would refuse is never asked for: no 403 shown anywhere on the allowed pages
    for (const label of NAV[role]) {
      await page.locator('#nav a', { hasText: label }).first().click();
      await page.locator('main h1').first().waitFor();
      await page.locator('main .loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
      const alerts = await page.locator('main [role=alert]').allInnerTexts();
      assert.deepEqual(alerts.filter((a) => /role is not allowed|not found/i.test(a)), [], `${label}: ${alerts.join(' | ')}`);
    }
    await page.close();
  });
}

test('manager: the start page shows the review queue, late milestones and the KPIs', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  await go(page, '/');
  await page.locator('#tile-review').waitFor();
  await page.locator('.kpi').first().waitFor();
  const kpis = await page.locator('.kpi-title').allInnerTexts();
  for (const k of ['Route built', 'Premises passed', 'White spots closed', 'Milestones late']) assert.ok(kpis.includes(k), `KPI ${k}`);
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const s = (await api(tok, 'GET', 'projects/1/summary')).json;
  const routeText = await page.locator('.kpi', { hasText: 'Route built' }).innerText();
  assert.ok(routeText.includes(`${new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(s.planned_length_m)} m`), routeText);
  const lateText = await page.locator('.kpi', { hasText: 'Milestones late' }).locator('.kpi-value').innerText();
  assert.equal(Number(lateText), s.milestones.late);
  assert.equal(await page.locator('#late-milestones tbody tr').count(), s.milestones.late + s.milestones.at_risk);
  await shot(page, 'overview-desktop');
  await go(page, '/projects');
  await page.locator('.project .kpi').first().waitFor();
  await shot(page, 'projects-desktop');
  await page.close();
});

test('map: every segment and premise drawn from its geometry, coloured by status, with a legend', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  await page.goto(`${BASE}/#/projects/1/map`);
  await waitMap(page);
  const mgr = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  let segs = 0;
  let cursor = null;
  do {
    const r = (await api(mgr, 'GET', `segments?project_id=1&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json;
    segs += r.items.length;
    cursor = r.next_cursor;
  } while (cursor);
  assert.equal(Number(await page.locator('#map').getAttribute('data-segments')), segs);
  assert.ok(Number(await page.locator('#map').getAttribute('data-premises')) > 0);
  assert.equal(await page.locator('#legend-segments li').count(), 8);
  assert.equal(await page.locator('#legend-premises li').count(), 5);
  // the canvas holds pixels of several status colours
  const colours = await page.evaluate(() => {
    const c = document.getElementById('map-canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return seen.size;
  });
  assert.ok(colours > 8, `only ${colours} colours on the map`);
  // pick a segment with the keyboard: zoom in on the centre and press Enter
  await page.locator('#map-canvas').focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('+');
  await page.keyboard.press('Enter');
  await page.locator('#map-details dt', { hasText: /Segment|Premise/ }).first().waitFor();
  if (await page.locator('#map-details dt', { hasText: 'Segment' }).count()) {
    // a segment's details end with the photos of its progress reports
    await page.locator('#map-photos').getByText(/No photos|\d+ photos?/).waitFor();
  }
  await page.keyboard.press('0');
  // hiding a status from the legend redraws without it
  await page.locator('#lg-seg-accepted').uncheck();
  await page.locator('#lg-seg-accepted').check();
  await shot(page, 'map-desktop');
  await page.close();
});

test('milestones: a manager edits a row in place (PATCH with If-Match)', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  await go(page, '/projects/1/milestones');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const list = (await api(tok, 'GET', 'milestones?project_id=1&limit=1000')).json.items;
  const m = list.find((x) => !x.actual_date && x.state === 'on_track') || list[list.length - 1];
  state.milestone = m;
  const patches = [];
  page.on('request', (r) => { if (r.method() === 'PATCH') patches.push(r.headers()['if-match']); });
  await page.getByRole('button', { name: `Edit ${m.name}` }).click();
  await page.getByLabel(`Forecast date of ${m.name}`).fill('2027-11-30');
  await page.getByLabel(`Notes of ${m.name}`).fill('moved after steering meeting');
  await shot(page, 'milestones-editing-desktop');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: `Edit ${m.name}` }).waitFor();
  const row = page.locator(`tr[data-id="${m.id}"]`);
  assert.match(await row.innerText(), /Nov 30, 2027/);
  assert.match(await row.innerText(), /moved after steering meeting/);
  assert.deepEqual(patches, [`"${m.version}"`]);
  const now = (await api(tok, 'GET', `milestones/${m.id}`)).json;
  assert.equal(now.forecast_date, '2027-11-30');
  assert.equal(now.notes, 'moved after steering meeting');
  assert.equal(now.version, m.version + 1);
  await page.close();
});

test('milestones: a 412 shows what someone else changed and the user can apply theirs again', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  await go(page, '/projects/1/milestones');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const m = (await api(tok, 'GET', `milestones/${state.milestone.id}`)).json;
  await page.getByRole('button', { name: `Edit ${m.name}` }).click();
  await page.getByLabel(`Notes of ${m.name}`).fill('my note from the web');
  // meanwhile, someone else changes the forecast
  const other = await api(tok, 'PATCH', `milestones/${m.id}`, { forecast_date: '2027-12-15' }, { 'If-Match': `"${m.version}"` });
  assert.equal(other.status, 200);
  await page.getByRole('button', { name: 'Save' }).click();
  const conflict = page.locator('#conflict');
  await conflict.waitFor();
  const text = await conflict.innerText();
  assert.match(text, /Someone else changed this milestone/);
  assert.match(text, /Forecast: Nov 30, 2027 → Dec 15, 2027/);
  await shot(page, 'milestones-412-desktop');
  await page.getByRole('button', { name: 'Apply my changes again' }).click();
  await page.getByRole('button', { name: `Edit ${m.name}` }).waitFor();
  const now = (await api(tok, 'GET', `milestones/${m.id}`)).json;
  assert.equal(now.notes, 'my note from the web');
  assert.equal(now.forecast_date, '2027-12-15', 'their change is kept');
  assert.equal(now.version, m.version + 2);
  assert.equal(await page.locator('#conflict').count(), 0);
  await page.close();
});

test('milestones: finance reads them but has no Edit button', async () => {
  const page = await newPage();
  await signIn(page, 'finance');
  await go(page, '/projects/1/milestones');
  await page.locator('#milestones tbody tr').first().waitFor();
  assert.equal(await page.getByRole('button', { name: /^Edit / }).count(), 0);
  await page.close();
});

test('contractor: the form starts at the segment\'s current status, so a length alone never moves it forward', async () => {
  const page = await newPage();
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const segs = (await api(tok, 'GET', 'segments?limit=1000&lot_id=1&status=in_construction')).json.items;
  assert.ok(segs.length > 0, 'a segment in construction on lot 1');
  const seg = segs[segs.length - 1];
  const dlg = await openProgressDialog(page, seg);
  assert.equal(await dlg.getByLabel('Status reached').inputValue(), 'in_construction');
  await dlg.getByLabel('Built length so far (m)').fill(String(Math.min(seg.planned_length_m, seg.built_length_m + 10)));
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.waitFor({ state: 'hidden' });
  const mine = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items;
  assert.equal(mine[mine.length - 1].status, 'in_construction');
  await page.close();
});

test('contractor: reports progress once, even on a double click and a retry after a lost answer', async () => {
  const page = await newPage();
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const segs = (await api(tok, 'GET', 'segments?limit=1000&lot_id=1&status=permitted')).json.items;
  assert.ok(segs.length > 0, 'a permitted segment on lot 1');
  const seg = segs[0];
  state.segment = seg;
  const dlg = await openProgressDialog(page, seg);
  await dlg.getByLabel('Built length so far (m)').fill(String(Math.round(seg.planned_length_m * 0.4)));
  await dlg.getByLabel('Status reached').selectOption('in_construction');
  await dlg.getByLabel('Note').fill('Trench open on 40 %');
  await shot(page, 'progress-form-desktop');

  // the first answer is lost on the way back (the server did create the report)
  const keys = [];
  let lose = true;
  await page.route('**/api/v1/progress-reports', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    const res = await route.fetch();
    if (lose) { lose = false; await route.abort('connectionreset'); } else await route.fulfill({ response: res });
  });
  await dlg.getByRole('button', { name: 'Send report' }).dblclick();
  await dlg.getByRole('alert').filter({ hasText: /cannot be reached/ }).waitFor();
  assert.match(await dlg.getByRole('alert').innerText(), /will not be recorded twice/);
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#work-status').getByText(/sent \(report #\d+\)/).waitFor();
  await page.unroute('**/api/v1/progress-reports');
  assert.equal(keys.length, 2, `${keys.length} POSTs (the double click must send one)`);
  assert.equal(keys[0], keys[1], 'the retry reuses the Idempotency-Key');
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const reps = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items;
  assert.equal(reps.length, 1, 'exactly one report');
  assert.equal(reps[0].state, 'submitted');
  state.report = reps[0];
  await go(page, '/my-reports');
  await page.locator(`tr[data-report="${reps[0].id}"][data-state="submitted"]`).waitFor();
  await page.close();
});

test('contractor: a 422 is shown next to the field it is about', async () => {
  const page = await newPage();
  await signIn(page, 'contractor');
  await go(page, '/work');
  const seg = state.segment;
  await page.getByLabel('Segment code').fill(seg.code);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('button', { name: `Report progress on ${seg.code}` }).click();
  const dlg = page.locator('#progress-dialog');
  await dlg.getByLabel('Built length so far (m)').fill(String(Math.ceil(seg.planned_length_m * 2)));
  await dlg.getByRole('button', { name: 'Send report' }).click();
  const err = dlg.locator('#pr-note-error');
  await err.waitFor();
  assert.match(await err.innerText(), /1\.5 times/);
  assert.equal(await dlg.getByLabel('Note').getAttribute('aria-invalid'), 'true');
  await shot(page, 'progress-422-desktop');
  await dlg.getByRole('button', { name: 'Cancel' }).click();
  await page.close();
});

test('manager: approves the report in the review queue and sees the segment status change', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  await go(page, '/review');
  const card = page.locator(`article[data-report="${state.report.id}"]`);
  await card.waitFor();
  assert.match(await page.locator('#nav a', { hasText: 'Review queue' }).innerText(), /\d/);
  await shot(page, 'review-desktop');
  // rejecting needs a comment
  await card.getByRole('button', { name: 'Reject' }).click();
  await card.locator('.field-error').waitFor();
  await card.getByLabel(/Comment/).fill('Looks right, thanks');
  await card.getByRole('button', { name: 'Approve' }).click();
  const done = page.locator(`#decided li[data-report="${state.report.id}"]`);
  await done.waitFor();
  assert.match(await done.innerText(), new RegExp(`${state.segment.code} is now In construction`));
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = (await api(tok, 'GET', `segments/${state.segment.id}`)).json;
  assert.equal(seg.status, 'in_construction');
  assert.equal((await api(tok, 'GET', `progress-reports/${state.report.id}`)).json.state, 'approved');
  await page.close();
  // the contractor sees the new status on the segment
  const cp = await newPage();
  await signIn(cp, 'contractor');
  await go(cp, '/work');
  await cp.getByLabel('Segment code').fill(state.segment.code);
  await cp.getByRole('button', { name: 'Filter' }).click();
  await cp.locator(`tr[data-segment="${state.segment.code}"]`, { hasText: 'In construction' }).waitFor();
  await go(cp, '/my-reports');
  await cp.locator(`tr[data-report="${state.report.id}"][data-state="approved"]`).waitFor();
  await cp.close();
});

test('manager: rejects a report with a comment, which the contractor then reads', async () => {
  const ct = (await apiLogin(USERS.contractor)).token;
  const seg = (await api(ct, 'GET', 'segments?limit=1&lot_id=3&status=civil_done')).json.items[0];
  const rep = await api(ct, 'POST', 'progress-reports',
    { segment_id: seg.id, report_date: '2026-01-10', built_length_m: seg.planned_length_m, status: 'cable_installed' },
    { 'Idempotency-Key': crypto.randomUUID() });
  assert.equal(rep.status, 201);
  const page = await newPage();
  await signIn(page, 'manager');
  await go(page, '/review');
  const card = page.locator(`article[data-report="${rep.json.id}"]`);
  await card.getByLabel(/Comment/).fill('Cable photos missing');
  await card.getByRole('button', { name: 'Reject' }).click();
  await page.locator(`#decided li[data-report="${rep.json.id}"][data-decision="reject"]`).waitFor();
  await page.close();
  const cp = await newPage(390, 844);
  await signIn(cp, 'contractor');
  await go(cp, '/my-reports');
  const row = cp.locator(`tr[data-report="${rep.json.id}"][data-state="rejected"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Cable photos missing/);
  await shot(cp, 'my-reports-phone');
  await cp.close();
});

test('contractor: attaches 2 photos (one far from the segment); a file over 25 MiB is refused in the form (1366 px)', async () => {
  const page = await newPage(1366, 900);
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = await freshSegment(tok, 1, 'planned', 0);
  const [lon, lat] = seg.geometry.coordinates[0];
  const files = makePhotos({
    'graben-weit.jpg': `photos.jpeg(taken=${JSON.stringify(exifDay(1))}, offset="+01:00", lat=${lat + 0.01}, lon=${lon}, salt=b"far")`,
    'messband.jpg': `photos.jpeg(taken=${JSON.stringify(exifDay(1))}, offset="+01:00", lat=${lat}, lon=${lon}, salt=b"near")`,
  });
  const dlg = await openProgressDialog(page, seg);
  await dlg.getByLabel('Status reached').selectOption('permitted');
  // the camera has its own input: with `capture` a phone offers nothing else
  assert.equal(await dlg.getByLabel('Take a photo').getAttribute('capture'), 'environment');
  assert.equal(await dlg.getByLabel('Choose photos or files').getAttribute('capture'), null);
  // a file over 25 MiB is refused in the form, with the reason
  await dlg.getByLabel('Choose photos or files').setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(25 * 1024 * 1024 + 1) });
  await dlg.locator('#pr-photos-error').getByText(/huge\.jpg is .*at most 25 MiB/).waitFor();
  assert.equal(await dlg.locator('.picked-item').count(), 0);
  // two photos with captions and previews
  await dlg.getByLabel('Choose photos or files').setInputFiles([files['graben-weit.jpg'], files['messband.jpg']]);
  await dlg.locator('.picked-item').nth(1).waitFor();
  await dlg.locator('.picked-item img').nth(1).waitFor();
  await dlg.getByLabel('Caption for graben-weit.jpg').fill('Offener Graben mit Leerrohr');
  await dlg.getByLabel('Caption for messband.jpg').fill('Messband am Schacht');
  assert.match(await dlg.locator('#pr-photos-count').innerText(), /2 files/);
  await shot(page, 'progress-photos-desktop');

  const uploads = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/attachments(\?|$)/.test(r.url())) uploads.push({ url: r.url(), headers: r.headers() });
  });
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#work-status').getByText(/sent \(report #\d+\) with 2 photos/).waitFor();
  const reps = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items;
  assert.equal(reps.length, 1, 'exactly one report');
  const atts = (await api(tok, 'GET', `progress-reports/${reps[0].id}/attachments`)).json.items;
  assert.equal(atts.length, 2, 'exactly two attachments');
  const far = atts.find((a) => a.file_name === 'graben-weit.jpg');
  const near = atts.find((a) => a.file_name === 'messband.jpg');
  assert.ok(far && near, JSON.stringify(atts.map((a) => a.file_name)));
  assert.equal(far.caption, 'Offener Graben mit Leerrohr');
  assert.equal(far.media_type, 'image/jpeg');
  assert.ok(far.flags.includes('far_from_segment'), `flags of the far photo: ${far.flags}`);
  assert.ok(far.distance_m > 200, `distance ${far.distance_m}`);
  assert.deepEqual(near.flags, [], `flags of the near photo: ${near.flags}`);
  assert.equal(uploads.length, 2);
  const keys = uploads.map((u) => u.headers['idempotency-key']);
  assert.ok(keys.every((k) => /^[0-9a-f-]{36}$/.test(k)) && keys[0] !== keys[1], `photo keys ${keys}`);
  assert.equal(uploads[0].headers['content-type'], 'image/jpeg');
  assert.match(uploads[0].headers['content-disposition'], /^attachment; filename\*=UTF-8''graben-weit\.jpg$/);
  state.photoReport = reps[0];
  state.photoSegment = seg;
  // the outbox is empty again, and "My reports" shows the photos
  assert.equal(await page.locator('#outbox').isHidden(), true);
  await go(page, '/my-reports');
  const row = page.locator(`tr[data-report="${reps[0].id}"]`);
  await row.locator('.thumb img').nth(1).waitFor();
  assert.match(await row.innerText(), /2 photos \(1 with warnings\)/);
  await shot(page, 'my-reports-photos-desktop');
  await page.close();
});

test('contractor offline: the report and its photo are kept across a reload and sent exactly once when back online (390 px)', async () => {
  const page = await newPage(390, 844);
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = await freshSegment(tok, 1, 'planned', 1);
  const files = makePhotos({ 'schacht.png': 'photos.png()' });
  const dlg = await openProgressDialog(page, seg);
  await dlg.getByLabel('Status reached').selectOption('permitted');
  await dlg.getByLabel('Choose photos or files').setInputFiles(files['schacht.png']);
  await dlg.getByLabel('Caption for schacht.png').fill('Schacht vor dem Einzug');

  const reportKeys = [];
  const photoKeys = [];
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    if (/\/api\/v1\/progress-reports$/.test(r.url())) reportKeys.push(r.headers()['idempotency-key']);
    if (/\/attachments(\?|$)/.test(r.url())) photoKeys.push(r.headers()['idempotency-key']);
  });
  await browser.setOffline(true);
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.getByRole('alert').filter({ hasText: /offline.*kept on this device/ }).waitFor();
  await dlg.getByRole('button', { name: 'Close' }).click();
  const box = page.locator('#outbox');
  await box.getByText('1 report is waiting to be sent.').waitFor();
  await box.locator('.outbox-photo', { hasText: 'schacht.png' }).getByText(/waiting/).waitFor();
  assert.equal((await api(tok, 'GET', `progress-reports?segment_id=${seg.id}`)).json.items.length, 0, 'nothing reached the server');

  // reload: the connection is back for the page, but the API still cannot be reached
  await browser.route('**/api/v1/progress-reports', (route) => route.abort('internetdisconnected'));
  await browser.setOffline(false);
  await page.reload();
  await page.locator('main h1').first().waitFor();
  await box.getByText('1 report is waiting to be sent.').waitFor();
  await box.locator('.outbox-photo', { hasText: 'schacht.png' }).getByText(/Schacht vor dem Einzug/).waitFor();
  await noHorizontalScroll(page);
  await shot(page, 'outbox-phone', false);
  assert.equal((await api(tok, 'GET', `progress-reports?segment_id=${seg.id}`)).json.items.length, 0, 'still nothing on the server');

  // back online: the report goes; the photo's first answer is lost on the way back
  let lose = true;
  await page.route('**/attachments*', async (route) => {
    const res = await route.fetch();
    if (lose) { lose = false; await route.abort('connectionreset'); } else await route.fulfill({ response: res });
  });
  await browser.unroute('**/api/v1/progress-reports');
  await browser.setOffline(true);
  await browser.setOffline(false); // the online event starts the sending
  const entry = box.locator('.outbox-entry[data-state="uploading"]');
  await entry.waitFor({ timeout: 15_000 });
  await entry.getByText(/photos waiting/).waitFor();
  await entry.locator('.outbox-photo', { hasText: 'schacht.png' }).getByText(/waiting/).waitFor();
  await box.getByRole('button', { name: 'Send now' }).click();
  await box.waitFor({ state: 'hidden', timeout: 15_000 });
  await page.unroute('**/attachments*');

  const reps = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=1000`)).json.items;
  assert.equal(reps.length, 1, 'exactly one report');
  const atts = (await api(tok, 'GET', `progress-reports/${reps[0].id}/attachments`)).json.items;
  assert.equal(atts.length, 1, 'exactly one attachment');
  assert.equal(atts[0].caption, 'Schacht vor dem Einzug');
  assert.ok(atts[0].flags.includes('no_position'), `flags ${atts[0].flags}`);
  assert.ok(reportKeys.length >= 2 && new Set(reportKeys).size === 1, `report keys ${reportKeys}`);
  assert.ok(photoKeys.length === 2 && new Set(photoKeys).size === 1, `photo keys ${photoKeys}`);
  state.offlineReport = reps[0];
  await page.close();
});

test('a photo the server refuses for good (415) is dropped with a message, not retried', async () => {
  const page = await newPage();
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = await freshSegment(tok, 1, 'planned', 2);
  const files = makePhotos({ 'fake.jpg': 'photos.not_an_image()', 'ok.jpg': 'photos.jpeg(salt=b"ok")' });
  const dlg = await openProgressDialog(page, seg);
  await dlg.getByLabel('Status reached').selectOption('permitted');
  await dlg.getByLabel('Choose photos or files').setInputFiles([files['fake.jpg'], files['ok.jpg']]);
  await dlg.locator('.picked-item').nth(1).waitFor();
  let fakePosts = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && /fake\.jpg/.test(r.headers()['content-disposition'] || '')) fakePosts++; });
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#work-status').getByText(/with 1 photo\b/).waitFor();
  await page.locator('#work-status').getByText(/fake\.jpg was not accepted by the server/).waitFor();
  assert.equal(fakePosts, 1);
  const rep = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}`)).json.items[0];
  const atts = (await api(tok, 'GET', `progress-reports/${rep.id}/attachments`)).json.items;
  assert.deepEqual(atts.map((a) => a.file_name), ['ok.jpg']);
  // the queue still tells why until the user dismisses it
  const entry = page.locator('#outbox .outbox-entry[data-state="done"]');
  await entry.getByText(/fake\.jpg was not accepted/).waitFor();
  await entry.getByRole('button', { name: /Dismiss/ }).click();
  await page.locator('#outbox').waitFor({ state: 'hidden' });
  await page.close();
});

test('contractor: the report goes but its photo cannot; the form says so and the photo is sent later with the same key', async () => {
  const page = await newPage();
  await signIn(page, 'contractor');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = await freshSegment(tok, 1, 'planned', 3);
  const files = makePhotos({ 'muffe.jpg': 'photos.jpeg(salt=b"muffe")' });
  const dlg = await openProgressDialog(page, seg);
  await dlg.getByLabel('Status reached').selectOption('permitted');
  await dlg.getByLabel('Choose photos or files').setInputFiles(files['muffe.jpg']);
  const keys = [];
  await page.route('**/attachments*', (route) => { keys.push(route.request().headers()['idempotency-key']); return route.abort('connectionreset'); });
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await dlg.getByRole('alert').filter({ hasText: /Report #\d+ was sent; 1 photo is still waiting/ }).waitFor();
  assert.equal(await dlg.getByLabel('Built length so far (m)').isDisabled(), true, 'the sent report cannot be changed any more');
  await dlg.getByRole('button', { name: 'Close' }).click();
  await page.locator('#work-status').getByText(/1 photo is still waiting/).waitFor();
  await page.locator('#outbox .outbox-entry[data-state="uploading"] .outbox-photo', { hasText: 'muffe.jpg' }).waitFor();
  await page.unroute('**/attachments*');
  page.on('request', (r) => { if (r.method() === 'POST' && /\/attachments/.test(r.url())) keys.push(r.headers()['idempotency-key']); });
  await page.locator('#outbox').getByRole('button', { name: 'Send now' }).click();
  await page.locator('#outbox').waitFor({ state: 'hidden' });
  const rep = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}`)).json.items;
  assert.equal(rep.length, 1);
  assert.equal((await api(tok, 'GET', `progress-reports/${rep[0].id}/attachments`)).json.items.length, 1);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the photo is sent again with its key');
  await page.close();
});

for (const [width, height, tag] of [[1366, 900, 'desktop'], [390, 844, 'phone']]) {
  test(`manager: sees the photos and their warnings in the review queue and browses them in the viewer with the keyboard (${width} px)`, async () => {
    assert.ok(state.photoReport, 'needs the report with 2 photos');
    const page = await newPage(width, height);
    await signIn(page, 'manager');
    await go(page, '/review');
    const card = page.locator(`article[data-report="${state.photoReport.id}"]`);
    await card.locator('.gallery .thumb img').nth(1).waitFor();
    assert.equal(await card.locator('.gallery li.photo').count(), 2);
    await card.getByText('More than 200 m from the segment').waitFor();
    assert.match(await card.locator('.report-photos h3').innerText(), /2 photos \(1 with warnings\)/);
    assert.match(await card.innerText(), /Offener Graben mit Leerrohr/);
    assert.match(await card.innerText(), /km from the segment|m from the segment/);
    if (state.offlineReport) {
      await page.locator(`article[data-report="${state.offlineReport.id}"]`).getByText('No position').waitFor();
    }
    await noHorizontalScroll(page);
    await card.scrollIntoViewIfNeeded();
    await shot(page, `review-photos-${tag}`);
    // open the far photo with the keyboard
    const first = card.locator('.gallery .thumb').first();
    const firstId = await first.getAttribute('data-attachment');
    await first.focus();
    await page.keyboard.press('Enter');
    const viewer = page.locator('#photo-viewer');
    await viewer.waitFor();
    await viewer.locator('img.viewer-img').waitFor();
    assert.equal(await viewer.getAttribute('data-attachment'), firstId);
    assert.match(await viewer.locator('img.viewer-img').getAttribute('src'), /^(blob:|data:image\/jpeg)/);
    assert.match(await viewer.innerText(), /Photo 1 of 2/);
    assert.ok(await page.evaluate(() => document.getElementById('photo-viewer').contains(document.activeElement)), 'focus is in the viewer');
    await shot(page, `photo-viewer-${tag}`, false);
    await page.keyboard.press('ArrowRight');
    await viewer.getByText('Photo 2 of 2').waitFor();
    assert.notEqual(await viewer.getAttribute('data-attachment'), firstId);
    await viewer.locator('img.viewer-img').waitFor();
    assert.match(await viewer.innerText(), /Messband am Schacht/);
    await page.keyboard.press('ArrowLeft');
    await viewer.getByText('Photo 1 of 2').waitFor();
    // the buttons work from the keyboard too
    await viewer.getByRole('button', { name: /Next/ }).focus();
    await page.keyboard.press('Enter');
    await viewer.getByText('Photo 2 of 2').waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.dataset.attachment), firstId, 'focus returns to the thumbnail');
    await page.close();
  });
}

test('a PDF shows as a document, and the viewer has its download link', async () => {
  assert.ok(state.offlineReport, 'needs the report sent after being offline');
  const ct = (await apiLogin(USERS.contractor)).token;
  const files = makePhotos({ 'abnahme.pdf': 'photos.pdf()' });
  const r = await fetch(`${BASE}/api/v1/progress-reports/${state.offlineReport.id}/attachments?caption=Protokoll`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ct}`, 'Idempotency-Key': crypto.randomUUID(), 'Content-Type': 'application/pdf',
      'Content-Disposition': "attachment; filename*=UTF-8''abnahme.pdf" },
    body: fs.readFileSync(files['abnahme.pdf']),
  });
  assert.equal(r.status, 201);
  const pdf = await r.json();
  assert.equal(pdf.media_type, 'application/pdf');
  const page = await newPage(1366, 900);
  await signIn(page, 'manager');
  await go(page, '/review');
  const card = page.locator(`article[data-report="${state.offlineReport.id}"]`);
  await card.locator('.gallery li.photo').nth(1).waitFor();
  const pdfThumb = card.locator(`.gallery .thumb[data-attachment="${pdf.id}"]`);
  await pdfThumb.locator('.doc-icon').waitFor();
  await pdfThumb.click();
  const viewer = page.locator('#photo-viewer');
  const link = viewer.getByRole('link', { name: 'Download abnahme.pdf' });
  await link.waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(dl.suggestedFilename(), 'abnahme.pdf');
  assert.equal(fs.readFileSync(await dl.path()).subarray(0, 5).toString('latin1'), '%PDF-');
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
  await page.close();
});

test('contractor on an auto-approve lot: the report is applied at once', async () => {
  const page = await newPage();
  await signIn(page, 'contractor2');
  await go(page, '/work');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const seg = (await api(tok, 'GET', 'segments?limit=1&status=planned')).json.items[0];
  await page.getByLabel('Segment code').fill(seg.code);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('button', { name: `Report progress on ${seg.code}` }).click();
  const dlg = page.locator('#progress-dialog');
  await dlg.getByLabel('Status reached').selectOption('permitted');
  await dlg.getByRole('button', { name: 'Send report' }).click();
  await page.locator('#work-status').getByText(/applied at once/).waitFor();
  await page.locator(`tr[data-segment="${seg.code}"]`, { hasText: 'Permitted' }).waitFor();
  assert.equal((await api(tok, 'GET', `segments/${seg.id}`)).json.status, 'permitted');
  await page.close();
});

test('finance: downloads a report (xlsx, or the GeoJSON export while xlsx answers 404)', async () => {
  const page = await newPage();
  await signIn(page, 'finance');
  await go(page, '/projects/1/reports');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  const probe = await api(tok, 'GET', 'projects/1/reports/progress.xlsx?lang=de');
  if (probe.status === 200) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#dl-progress').click()]);
    assert.match(dl.suggestedFilename(), /\.xlsx$/);
    const file = await dl.path();
    const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
    assert.equal(head, 'PK', 'an xlsx is a zip');
    await page.locator('#out-progress').getByText(/Downloaded .*\.xlsx/).waitFor();
  } else {
    assert.equal(probe.status, 404, `progress.xlsx answered ${probe.status}`);
    await page.locator('#dl-progress').click();
    await page.locator('#out-progress').getByText(/not available on this server yet/).waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#dl-geojson').click()]);
    assert.match(dl.suggestedFilename(), /\.geojson$/);
    const body = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
    assert.equal(body.type, 'FeatureCollection');
    assert.ok(body.features.some((f) => f.properties.layer === 'segment'));
    await page.locator('#out-geojson').getByText(/Downloaded .*\.geojson/).waitFor();
  }
  // the cost report: a workbook where the server has it, else the message
  const day = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const costs = await api(tok, 'GET', `projects/1/reports/costs.xlsx?from=${day(120)}&to=${day(1)}&lang=en`);
  await page.locator('#rc-from').fill(day(120));
  await page.locator('#rc-to').fill(day(1));
  await page.locator('#rc-lang').selectOption('en');
  if (costs.status === 200) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#dl-costs').click()]);
    assert.match(dl.suggestedFilename(), /\.xlsx$/);
    assert.equal(fs.readFileSync(await dl.path()).subarray(0, 2).toString('latin1'), 'PK');
  } else {
    assert.equal(costs.status, 404, `costs.xlsx answered ${costs.status}`);
    await page.locator('#dl-costs').click();
    await page.locator('#out-costs').getByText(/not available on this server yet/).waitFor();
  }
  await shot(page, 'reports-desktop');
  await page.close();
});

test('errors in words: 401 → sign in again; 503 → server busy; 429 → wait N seconds', async () => {
  const page = await newPage();
  await signIn(page, 'manager');
  // 503 and 429 (simulated answers from a busy server)
  await page.route('**/api/v1/projects?*', (route) => route.fulfill({
    status: 503, contentType: 'application/problem+json', headers: { 'Retry-After': '5' },
    body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'database unavailable', request_id: 'test-503' }),
  }));
  await page.goto(`${BASE}/#/projects/1/milestones`);
  await page.getByRole('alert').filter({ hasText: /server is busy right now\. Please retry in 5 seconds/ }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Reference: test-503/);
  await shot(page, 'error-503-desktop');
  await page.unroute('**/api/v1/projects?*');
  await page.getByRole('button', { name: 'Retry' }).click(); // the server is back
  await page.locator('#milestones tbody tr').first().waitFor();
  await page.route('**/api/v1/progress-reports?*', (route) => route.fulfill({
    status: 429, contentType: 'application/problem+json', headers: { 'Retry-After': '7' },
    body: JSON.stringify({ title: 'Too Many Requests', status: 429, detail: 'slow down', request_id: 'test-429' }),
  }));
  await page.goto(`${BASE}/#/review`);
  await page.getByRole('alert').filter({ hasText: /wait 7 seconds/ }).waitFor();
  await page.unroute('**/api/v1/progress-reports?*');
  // the token is revoked elsewhere: the next call answers 401 and the user is asked to sign in again
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  assert.equal((await api(tok, 'POST', 'auth/logout')).status < 300, true);
  await page.goto(`${BASE}/#/projects`);
  await page.getByText('Your session has ended. Please sign in again.').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fibertrack.token')), null);
  // signing in again returns to the page that was open
  await page.getByLabel('Email').fill(USERS.manager);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('main h1', { hasText: 'Projects' }).waitFor();
  await page.close();
});

test('sign-out revokes the token on the server and forgets it', async () => {
  const page = await newPage();
  await signIn(page, 'finance');
  const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out', { exact: false }).first().waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fibertrack.token')), null);
  assert.equal(await page.locator('#nav').isHidden(), true);
  assert.equal((await api(tok, 'GET', 'me')).status, 401);
  await page.close();
});

test('phone (390 px): every page fits the width and is usable', async () => {
  for (const role of ['manager', 'finance', 'contractor']) {
    const page = await newPage(390, 844);
    await signIn(page, role);
    for (const label of NAV[role]) {
      await page.locator('#nav a', { hasText: label }).first().click();
      await page.locator('main h1').first().waitFor();
      await page.locator('main .loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
      if (label === 'Map') await waitMap(page);
      if (label === 'Milestones' || label === 'My segments') await page.locator('main tbody tr').first().waitFor();
      await noHorizontalScroll(page);
      const slug = label.toLowerCase().replace(/\s+/g, '-');
      if (role !== 'finance' || label === 'Reports' || label === 'Overview') await shot(page, `${slug}-phone-${role}`);
    }
    await page.close();
  }
});

// ---- languages: German and English ------------------------------------------------------
//
// The tests above see the dashboard in English (the persistent context's
// locale). These run in contexts of their own browser, one per language
// (navigator.languages and Accept-Language as a German or an American
// browser sends them), so each starts without a stored choice.


test('i18n: German and English catalogues have the same keys, placeholders and plural forms; every key the code names exists', async () => {
  const { MESSAGES } = await import(I18N_URL);
  const { de, en } = MESSAGES;
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort(), 'the same keys in de and en');
  const holes = (v) => [...new Set(JSON.stringify(v).match(/\{\w+\}/g) || [])].sort();
  for (const k of Object.keys(en)) {
    assert.equal(typeof de[k], typeof en[k], `${k}: plural in one language only`);
    if (typeof en[k] === 'object') assert.deepEqual(Object.keys(de[k]).sort(), ['one', 'other'], `${k}: plural forms`);
    // a German text may leave out {n} where the number is in the word ("ihr Foto"), nothing else
    const missing = holes(en[k]).filter((x) => !holes(de[k]).includes(x) && x !== '{n}');
    assert.deepEqual(missing, [], `${k}: placeholders of en missing in de`);
    assert.deepEqual(holes(de[k]).filter((x) => !holes(en[k]).includes(x)), [], `${k}: placeholders only in de`);
  }
  // every literal key in the code ('nav.map', t('ms.saved', …), msg('sy.why404'), …) is in the catalogue
  const dir = path.join(ROOT, 'clients/web');
  const prefixes = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))].join('|');
  // (not the catalogue's own lines, which start with their key)
  const keyRe = new RegExp(`(?<!^[ \\t]*)['\`]((?:${prefixes})\\.[A-Za-z0-9_.]+)['\`]`, 'gm');
  const used = new Set();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(keyRe)) {
      if (/\.(js|css|svg|html)$/.test(m[1])) continue; // a file name
      used.add(m[1]);
      assert.ok(m[1] in en, `${f} names "${m[1]}", which is not in the catalogue`);
    }
  }
  // the keys made at run time (status.${s}, …) exist for every value of the domain
  for (const s of ['planned', 'permitted', 'in_construction', 'civil_done', 'cable_installed', 'spliced', 'tested', 'accepted']) assert.ok(`status.${s}` in en, s);
  for (const s of ['planned', 'passed', 'connected', 'activated', 'excluded']) assert.ok(`premise.${s}` in en, s);
  for (const s of ['done', 'late', 'at_risk', 'on_track']) assert.ok(`msstate.${s}` in en, s);
  for (const s of ['submitted', 'approved', 'rejected']) assert.ok(`repstate.${s}` in en, s);
  for (const s of ['far_from_segment', 'taken_after_report', 'no_position']) assert.ok(`ph.${s}` in en, s);
  const dynamic = /^(status|premise|msstate|repstate|enum|role|lang|ph\.(far_from_segment|taken_after_report|no_position)$|sy\.why)/;
  const unused = Object.keys(en).filter((k) => !used.has(k) && !dynamic.test(k));
  assert.deepEqual(unused, [], 'messages no code uses');
  // the domain's words as the brief names them
  assert.equal(de['status.in_construction'], 'Im Bau');
  assert.equal(de['status.civil_done'], 'Tiefbau fertig');
  assert.equal(de['status.accepted'], 'Abgenommen');
});

test('i18n: numbers and dates typed the German or the English way', async () => {
  const i18n = await import(I18N_URL);
  const before = i18n.lang();
  try {
    i18n.setLang('de');
    assert.equal(i18n.parseNumber('150,5'), 150.5);
    assert.equal(i18n.parseNumber(' 1.234,56 '), 1234.56);
    assert.equal(i18n.parseNumber('150.5'), 150.5, 'a dot with 1 or 2 digits after it is a decimal point');
    assert.equal(i18n.parseNumber('1.500'), 1500, 'a dot before 3 digits groups thousands in German');
    assert.equal(i18n.parseNumber(''), null);
    assert.ok(Number.isNaN(i18n.parseNumber('15,0,5')));
    assert.ok(Number.isNaN(i18n.parseNumber('zwölf')));
    assert.equal(i18n.parseDate('25.11.2026'), '2026-11-25');
    assert.equal(i18n.parseDate('2026-11-25'), '2026-11-25');
    assert.ok(Number.isNaN(i18n.parseDate('31.02.2026')));
    // euros, as every money field of the dashboard reads them
    assert.deepEqual(i18n.parseMoney('1.234,56 €'), { cents: 123456 });
    assert.deepEqual(i18n.parseMoney(''), { cents: null });
    assert.deepEqual(i18n.parseMoney('12,345'), { error: 'decimals' }, 'three decimals are not rounded away');
    assert.deepEqual(i18n.parseMoney('-5'), { error: 'negative' });
    assert.deepEqual(i18n.parseMoney('zwölf'), { error: 'bad' });
    assert.deepEqual(i18n.parseMoney('200.000.000.000,00'), { error: 'large' });
    assert.equal(i18n.serverText('180.00 m is more than 1.5 times the planned 100.50 m; add a note that explains it'),
      '180 m ist mehr als das 1,5-Fache der geplanten 100,5 m; bitte begründen Sie das in einer Bemerkung');
    assert.equal(i18n.serverText('something the dashboard does not know'), 'something the dashboard does not know');
    assert.equal(i18n.t('rv.count', { n: 1 }), '1 Fortschrittsmeldung wartet auf Prüfung, älteste zuerst.');
    assert.equal(i18n.t('rv.count', { n: 1234 }), '1.234 Fortschrittsmeldungen warten auf Prüfung, älteste zuerst.');
    i18n.setLang('en');
    assert.equal(i18n.parseNumber('150.5'), 150.5);
    assert.equal(i18n.parseNumber('1,234.5'), 1234.5);
    assert.equal(i18n.parseNumber('150,5'), 150.5);
    assert.equal(i18n.parseNumber('1,500'), 1500);
    assert.equal(i18n.parseDate('11/25/2026'), '2026-11-25');
    assert.equal(i18n.t('rv.count', { n: 1 }), '1 progress report waiting for review, oldest first.');
  } finally {
    i18n.setLang(before);
  }
});

test('i18n: a German browser gets German; the DE | EN switch works with the keyboard, keeps the page and its filter, and is remembered', async () => {
  const page = await localePage('de-DE');
  await page.goto(`${BASE}/#/signin`);
  await page.locator('main h1').waitFor();
  assert.equal(await page.locator('main h1').innerText(), 'Bei fibertrack anmelden');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal(await page.locator('#lang-de').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('group', { name: 'Sprache' }).count(), 1);
  await shot(page, 'i18n-de-signin-desktop');
  await signIn(page, 'manager');
  assert.deepEqual(await navTexts(page), ['Übersicht', 'Projekte', 'Karte', 'Abschnitte', 'Meilensteine', 'Freigaben', 'Berichte', 'Finanzen', 'Einrichtung', 'Protokoll']);
  await go(page, '/projects/1/milestones');
  await page.locator('#milestones tbody tr').first().waitFor();
  await page.locator('#ms-filter').selectOption('late');
  const hash = await page.evaluate(() => location.hash);
  // Tab from the last control of the header reaches the switch; Enter switches
  await page.locator('#signout').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang-de');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang-en');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'no visible focus on the switch');
  await page.keyboard.press('Enter');
  await page.locator('main h1', { hasText: 'Milestones: WF-MUSTER-2026' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.evaluate(() => location.hash), hash, 'the same page');
  assert.equal(await page.locator('#ms-filter').inputValue(), 'late', 'the filter is kept');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang-en', 'the focus stays on the switch');
  assert.equal(await page.locator('#lang-en').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await navTexts(page), NAV.manager);
  await shot(page, 'i18n-switched-to-en-desktop', false);
  assert.equal(await page.evaluate(() => localStorage.getItem('fibertrack.lang')), 'en');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fibertrack.token')) !== null, true, 'still signed in');
  // remembered across a reload, although the browser prefers German
  await page.reload();
  await page.locator('main h1', { hasText: 'Milestones' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // and back with Space
  await page.locator('#lang-de').focus();
  await page.keyboard.press('Space');
  await page.locator('main h1', { hasText: 'Meilensteine: WF-MUSTER-2026' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('fibertrack.lang')), 'de');
  await page.closeAll();
});

/**
 * The 150.5 m report: typed as "150,5" by a German contractor into the
 * progress form (the length the server gets is 150.5), on a segment no other
 * test uses.
 */
async function germanReport() {
  if (state.germanReport) return state.germanReport;
  const tok = (await apiLogin(USERS.contractor)).token;
  const items = (await api(tok, 'GET', 'segments?limit=50&lot_id=1&status=planned')).json.items;
  const fits = (x) => x.planned_length_m >= 101 && !x.built_length_m;
  const seg = items.slice(8).find(fits) || items.slice(5).find(fits);
  assert.ok(seg, 'a planned segment of at least 110 m on lot 1');
  const page = await localePage('de-DE', 390, 844);
  await signIn(page, 'contractor');
  await go(page, '/work');
  await page.locator('#f-q').fill(seg.code);
  await page.locator('form.filters button[type=submit]').click();
  await page.locator(`tr[data-segment="${seg.code}"]`).waitFor();
  await page.getByRole('button', { name: `Fortschritt zu ${seg.code} melden` }).click();
  const dlg = page.locator('#progress-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('Bisher gebaute Länge (m)').inputValue(), '0');
  // the file pickers' buttons are ours, in German (a file input's own button speaks the browser's language)
  assert.equal(await dlg.locator('label.file-btn[for="pr-photos"]').innerText(), 'Fotos oder Dateien auswählen');
  assert.equal(await dlg.getByLabel('Foto aufnehmen').getAttribute('capture'), 'environment');
  await dlg.getByLabel('Erreichter Status').selectOption('permitted');
  // what is not a number is refused in the form, with an example in German
  await dlg.getByLabel('Bisher gebaute Länge (m)').fill('abc');
  await dlg.getByRole('button', { name: 'Meldung senden' }).click();
  await dlg.locator('#pr-length-error').getByText(/Geben Sie die gebaute Länge in Metern ein .* z\. B\. 150,5/).waitFor();
  await dlg.getByLabel('Bisher gebaute Länge (m)').fill(String(Math.ceil(seg.planned_length_m * 2)));
  await dlg.getByRole('button', { name: 'Meldung senden' }).click();
  // the server's 422 about the missing note, in German
  await dlg.locator('#pr-note-error').getByText(/ist mehr als das 1,5-Fache der geplanten .* m; bitte begründen/).waitFor();
  await shot(page, 'i18n-de-progress-422-phone');
  await dlg.getByLabel('Bisher gebaute Länge (m)').fill('150,5');
  await dlg.getByRole('button', { name: 'Meldung senden' }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#work-status').getByText(/Meldung zu .* gesendet \(Meldung #\d+\)\. Die Projektleitung prüft sie\./).waitFor();
  const reps = (await api(tok, 'GET', `progress-reports?segment_id=${seg.id}&limit=10`)).json.items;
  assert.equal(reps.length, 1);
  assert.equal(reps[0].built_length_m, 150.5, 'the server got 150.5');
  await page.closeAll();
  state.germanReport = { report: reps[0], segment: seg };
  return state.germanReport;
}

for (const [width, height, tag] of [[1366, 900, 'desktop'], [390, 844, 'phone']]) {
  test(`i18n: German pages in German words, numbers and dates, with no English left (${width} px)`, async () => {
    const { report, segment } = await germanReport();
    const page = await localePage('de-DE', width, height);
    await signIn(page, 'manager');
    const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
    const english = [];
    const check = async (name) => {
      if (width <= 480) await noHorizontalScroll(page);
      for (const e of await englishOn(page)) english.push(`${name}: ${e}`);
      await shot(page, `i18n-de-${name}-${tag}`);
    };
    // overview: German KPIs, lengths with a decimal comma, the date of the figures
    await go(page, '/');
    await page.locator('.kpi').first().waitFor();
    const s = (await api(tok, 'GET', 'projects/1/summary')).json;
    const route = ws(await page.locator('.kpi', { hasText: 'Trasse gebaut' }).innerText());
    assert.ok(route.includes(ws(deLen(s.planned_length_m))), `${route} / ${deLen(s.planned_length_m)}`);
    assert.match(await page.locator('#kpi-h + p').innerText(), /^Stand: \d{2}\.\d{2}\.\d{4}$/);
    assert.match(await page.locator('.tiles').innerText(), /warte[nt] auf Prüfung/);
    await check('overview');
    // projects: money in the German way
    await go(page, '/projects');
    await page.locator('.project .kpi').first().waitFor();
    const proj = (await api(tok, 'GET', 'projects/1')).json;
    assert.ok(ws(await page.locator('.project').first().innerText()).includes(ws(money('de-DE', proj.budget_cents))));
    await check('projects');
    // map: the legend in German
    await page.goto(`${BASE}/#/projects/1/map`);
    await waitMap(page);
    const legend = await page.locator('#legend-segments').innerText();
    for (const w of ['Geplant', 'Genehmigt', 'Im Bau', 'Tiefbau fertig', 'Kabel eingezogen', 'Gespleißt', 'Gemessen', 'Abgenommen']) assert.ok(legend.includes(w), w);
    assert.match(await page.locator('#legend-premises').innerText(), /Versorgbar/);
    assert.match(await page.locator('#map-progress').innerText(), /^[\d.]+ Abschnitte und [\d.]+ Gebäude\.$/);
    // the details of what is picked in the middle (a segment or a premise), in German
    await page.locator('#map-canvas').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    await page.keyboard.press('Enter');
    await page.locator('#map-details dt', { hasText: /^(Abschnitt|Gebäude)$/ }).first().waitFor();
    const facts = await page.locator('#map-details dl').innerText();
    if (/^Abschnitt/.test(facts)) {
      assert.match(facts, /Gebaut\s+[\d.]+(,\d{1,2})? m von [\d.]+(,\d{1,2})? m \(\d+\s%\)/, facts);
      assert.match(facts, /Geplant\s+\d{2}\.\d{2}\.\d{4} – \d{2}\.\d{2}\.\d{4}/, facts);
      await page.locator('#map-photos').getByText(/Keine Fotos|\d+ Fotos?/).waitFor();
    } else {
      assert.match(facts, /Weißer Fleck\s+(ja|nein)/, facts);
    }
    await check('map');
    // milestones: dates as 15.12.2026, the tranche as 4.500.000 €
    await go(page, '/projects/1/milestones');
    const ms = (await api(tok, 'GET', 'milestones?project_id=1&limit=100')).json.items.find((m) => m.tranche_cents && m.planned_date);
    const row = ws(await page.locator(`#milestones tr[data-id="${ms.id}"]`).innerText());
    const [y, mo, d] = ms.planned_date.split('-');
    assert.ok(row.includes(`${d}.${mo}.${y}`), `${row} has ${d}.${mo}.${y}`);
    assert.ok(row.includes(ws(money('de-DE', ms.tranche_cents))), `${row} has ${money('de-DE', ms.tranche_cents)}`);
    assert.equal(await page.getByRole('button', { name: `${ms.name} bearbeiten` }).count(), 1);
    await check('milestones');
    // review queue: the 150.5 m report is 150,5 m
    await go(page, '/review');
    const card = page.locator(`article[data-report="${report.id}"]`);
    await card.waitFor();
    assert.match(await card.locator('dd.built strong').innerText(), /^150,5 m$/);
    assert.ok((await card.locator('dd.built').innerText()).includes(`von ${deLen(segment.planned_length_m)} geplant`));
    assert.match(await card.locator('h2').innerText(), new RegExp(`Abschnitt ${segment.code} · Meldung #${report.id} vom \\d{2}\\.\\d{2}\\.\\d{4}`));
    await card.getByRole('button', { name: 'Ablehnen' }).click();
    await card.locator('.field-error', { hasText: 'Begründen Sie die Ablehnung' }).waitFor();
    await check('review');
    // reports
    await go(page, '/projects/1/reports');
    assert.equal(await page.locator('#rp-lang').inputValue(), 'de', 'the workbook language follows the dashboard');
    await check('reports');
    await page.closeAll();
    // the contractor's pages
    const cp = await localePage('de-DE', width, height);
    await signIn(cp, 'contractor');
    assert.deepEqual(await navTexts(cp), ['Meine Abschnitte', 'Meine Meldungen']);
    await go(cp, '/work');
    await cp.locator('#segments tbody tr').first().waitFor();
    assert.match(await cp.locator('#segments tbody tr').first().innerText(), /m von [\d.,]+ m/);
    assert.ok(await cp.getByRole('button', { name: /^Fortschritt zu .* melden$/ }).count() > 0);
    for (const e of await englishOn(cp)) english.push(`work: ${e}`);
    if (width <= 480) await noHorizontalScroll(cp);
    await shot(cp, `i18n-de-work-${tag}`);
    await go(cp, '/my-reports');
    const mine = cp.locator(`tr[data-report="${report.id}"]`);
    await mine.waitFor();
    assert.match(await mine.locator('td.built').innerText(), /^150,5 m$/);
    assert.match(await mine.innerText(), /Wartet auf Prüfung/);
    for (const e of await englishOn(cp)) english.push(`my reports: ${e}`);
    if (width <= 480) await noHorizontalScroll(cp);
    await shot(cp, `i18n-de-my-reports-${tag}`);
    await cp.closeAll();
    assert.deepEqual(english, [], 'English on German pages');
  });

  test(`i18n: an English browser gets English words, numbers and dates (${width} px)`, async () => {
    const { report, segment } = await germanReport();
    const page = await localePage('en-US', width, height);
    await page.goto(`${BASE}/#/signin`);
    await page.locator('main h1', { hasText: 'Sign in to fibertrack' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await shot(page, `i18n-en-signin-${tag}`);
    await signIn(page, 'manager');
    const tok = await page.evaluate(() => sessionStorage.getItem('fibertrack.token'));
    assert.deepEqual(await navTexts(page), NAV.manager);
    const fit = async () => { if (width <= 480) await noHorizontalScroll(page); };
    await go(page, '/');
    await page.locator('.kpi').first().waitFor();
    const s = (await api(tok, 'GET', 'projects/1/summary')).json;
    assert.ok(ws(await page.locator('.kpi', { hasText: 'Route built' }).innerText()).includes(ws(enLen(s.planned_length_m))));
    assert.match(await page.locator('#kpi-h + p').innerText(), /^As of [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    await fit();
    await shot(page, `i18n-en-overview-${tag}`);
    await go(page, '/projects');
    await page.locator('.project .kpi').first().waitFor();
    const proj = (await api(tok, 'GET', 'projects/1')).json;
    assert.ok(ws(await page.locator('.project').first().innerText()).includes(ws(money('en-US', proj.budget_cents))));
    await fit();
    await shot(page, `i18n-en-projects-${tag}`);
    await page.goto(`${BASE}/#/projects/1/map`);
    await waitMap(page);
    assert.match(await page.locator('#legend-segments').innerText(), /Civil works done/);
    assert.match(await page.locator('#map-progress').innerText(), /^[\d,]+ segments and [\d,]+ premises\.$/);
    await fit();
    await shot(page, `i18n-en-map-${tag}`);
    await go(page, '/projects/1/milestones');
    const ms = (await api(tok, 'GET', 'milestones?project_id=1&limit=100')).json.items.find((m) => m.tranche_cents && m.planned_date);
    const row = ws(await page.locator(`#milestones tr[data-id="${ms.id}"]`).innerText());
    const pd = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${ms.planned_date}T00:00:00Z`));
    assert.ok(row.includes(pd), `${row} has ${pd}`);
    assert.ok(row.includes(ws(money('en-US', ms.tranche_cents))), `${row} has ${money('en-US', ms.tranche_cents)}`);
    await fit();
    await shot(page, `i18n-en-milestones-${tag}`);
    await go(page, '/review');
    const card = page.locator(`article[data-report="${report.id}"]`);
    await card.waitFor();
    assert.match(await card.locator('dd.built strong').innerText(), /^150\.5 m$/);
    assert.ok((await card.locator('dd.built').innerText()).includes(`of ${enLen(segment.planned_length_m)} planned`));
    await fit();
    await shot(page, `i18n-en-review-${tag}`);
    await go(page, '/projects/1/reports');
    assert.equal(await page.locator('#rp-lang').inputValue(), 'en');
    await fit();
    await shot(page, `i18n-en-reports-${tag}`);
    await page.closeAll();
    const cp = await localePage('en-US', width, height);
    await signIn(cp, 'contractor');
    await go(cp, '/work');
    await cp.locator('#segments tbody tr').first().waitFor();
    assert.match(await cp.locator('#segments tbody tr').first().innerText(), /m of [\d.,]+ m/);
    if (width <= 480) await noHorizontalScroll(cp);
    await shot(cp, `i18n-en-work-${tag}`);
    await go(cp, '/my-reports');
    const mine = cp.locator(`tr[data-report="${report.id}"]`);
    await mine.waitFor();
    assert.match(await mine.locator('td.built').innerText(), /^150\.5 m$/);
    if (width <= 480) await noHorizontalScroll(cp);
    await shot(cp, `i18n-en-my-reports-${tag}`);
    await cp.closeAll();
  });
}

if (BIG) {
  test(`map of 20,000 segments renders in under ${MAP_BUDGET_MS / 1000} s${process.env.FT_WEB_SANITIZED ? ' (sanitizer build: budget raised)' : ''}`, async () => {
    const login = await apiLogin(USERS.manager, BIG);
    const proj = (await api(login.token, 'GET', 'projects?limit=1', null, {}, BIG)).json.items[0];
    const page = await newPage();
    await page.addInitScript(([t, u, p]) => {
      if (!location.protocol.startsWith('http')) return; // about:blank has no sessionStorage
      sessionStorage.setItem('fibertrack.token', t);
      sessionStorage.setItem('fibertrack.user', u);
      sessionStorage.setItem('fibertrack.project', p);
    }, [login.token, JSON.stringify(login.user), String(proj.id)]);
    // One warm-up navigation (a fresh browser profile and a server that has
    // just been started), then batches of RUNS measured ones; the median of a
    // batch must be in budget. The machine may be shared with other work: when
    // a batch misses while the load average is above the core count, the batch
    // is repeated (up to 3 batches), and every batch is reported.
    const measure = async () => {
      const t0 = Date.now();
      await page.goto(`${BIG}/#/projects/${proj.id}/map`);
      await page.locator('#map[data-state="rendered"], #map[data-state="error"]').waitFor({ timeout: 60_000 });
      const wall = Date.now() - t0;
      const m = await page.evaluate(() => ({
        state: document.getElementById('map').dataset.state,
        ms: Number(document.getElementById('map').dataset.renderMs),
        segs: Number(document.getElementById('map').dataset.segments),
        prems: Number(document.getElementById('map').dataset.premises),
      }));
      assert.equal(m.state, 'rendered');
      return { ...m, wall };
    };
    const warmup = await measure();
    await shot(page, 'map-20000-desktop');
    await page.goto('about:blank');
    const batches = [];
    for (let b = 0; b < 3; b++) {
      const load = os.loadavg()[0];
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await measure());
        await page.goto('about:blank');
      }
      const median = runs.map((r) => r.ms).sort((x, y) => x - y)[Math.floor(RUNS / 2)];
      batches.push({ load_average: Number(load.toFixed(2)), runs, median });
      console.log(`      map 20k${b ? ` (batch ${b + 1})` : ''}: ${b ? '' : `warm-up ${warmup.ms} ms; `}` +
        `${runs.map((r) => `${r.ms} ms (wall ${r.wall} ms)`).join(', ')}; median ${median} ms; ` +
        `${runs[0].segs} segments, ${runs[0].prems} premises; load average ${load.toFixed(1)} on ${os.cpus().length} cores`);
      assert.equal(runs[0].segs, 20000);
      if (median < MAP_BUDGET_MS || load <= os.cpus().length) break;
    }
    const best = Math.min(...batches.map((x) => x.median));
    fs.writeFileSync(path.join(ART, 'map-20000.json'), JSON.stringify({ warmup, batches, budget_ms: MAP_BUDGET_MS }, null, 2));
    assert.ok(best < MAP_BUDGET_MS, `median ${batches.map((x) => x.median).join(' / ')} ms ≥ ${MAP_BUDGET_MS} ms`);
    await page.close();
  });
}

// ---- the later areas' tests (*.spec.mjs), then the check over all of them ----------------

const here = path.dirname(new URL(import.meta.url).pathname);
for (const f of fs.readdirSync(here).filter((x) => x.endsWith('.spec.mjs')).sort()) {
  await import(pathToFileURL(path.join(here, f)).href);
}

test('no console errors, CSP violations or uncaught exceptions on any page', async () => {
  assert.deepEqual(problems, []);
});

await runAll();
