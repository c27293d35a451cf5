// segments.spec.mjs — the segments table (#/projects/:id/segments) and the
// segment page (#/segments/:id): search, filters, sort, paging, the view in
// the URL, the CSV export, the page's data, map, reports, photos and
// history, and the manager's actions (status with a reason, acceptance,
// edit with If-Match). The tests make their own segments (a short street
// west of the demo town, "Am Prüfgraben"), so no other test's data moves.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  BASE, USERS, test, api, apiLogin, newPage, signIn, go, shot, localePage, englishOn, noHorizontalScroll, makePhotos, exifDay, waitMap, ws,
} from './harness.mjs';

const STREET = 'Am Prüfgraben';
const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Every item of a list, following the cursors. */
async function apiAll(tok, path) {
  const out = [];
  let cursor = null;
  do {
    const r = await api(tok, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.json)}`);
    out.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

let fx = null;
/**
 * Six segments of this spec's own, on lot 3 (Tiefbau Nord, reviewed): a street
 * of handholes going west from the town's west-most node. One has a
 * progress report with a photo (approved) and one rejected report.
 */
async function fixture() {
  if (fx) return fx;
  const mgr = await apiLogin(USERS.manager);
  const tok = mgr.token;
  const ct = (await apiLogin(USERS.contractor)).token;
  const tag = Date.now().toString(36).slice(-4).toUpperCase();
  const nodes = (await apiAll(tok, 'nodes?project_id=1')).filter((n) => typeof n.lat === 'number');
  const west = nodes.reduce((a, b) => (b.lon < a.lon ? b : a));
  const chain = [west];
  for (let k = 1; k <= 6; k++) {
    const r = await api(tok, 'POST', 'nodes', {
      project_id: 1, code: `NPG-${tag}-${k}`, kind: 'handhole', name: `Handloch Prüfgraben ${k}`,
      lat: Number((west.lat + (k % 2 ? 0.0002 : -0.0001)).toFixed(6)), lon: Number((west.lon - 0.0015 * k).toFixed(6)),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    chain.push(r.json);
  }
  const plan = [
    { status: 'tested', planned: 150.5, built: 150.5, method: 'hdd' }, // accepted by a test
    { status: 'spliced', planned: 98.75, built: 98.75, method: 'micro_trench' }, // moved back with a reason
    { status: 'in_construction', planned: 150.5, built: 0, method: 'open_trench' }, // reports and photos
    { status: 'planned', planned: 120, built: 0, method: 'plough' }, // edited with a 412
    { status: 'permitted', planned: 87.25, built: 0, method: 'hdd' },
    { status: 'cable_installed', planned: 101.1, built: 101.1, method: 'open_trench' },
  ];
  const segs = [];
  for (const [i, p] of plan.entries()) {
    const a = chain[i];
    const b = chain[i + 1];
    const r = await api(tok, 'POST', 'segments', {
      project_id: 1, lot_id: 3, code: `SG-${tag}-${i + 1}`, street: STREET, kind: 'trench', method: p.method, surface: 'sealed',
      from_node_id: a.id, to_node_id: b.id, planned_length_m: p.planned, built_length_m: p.built, status: p.status,
      planned_start: '2026-06-01', planned_end: '2026-09-30',
      geometry: { type: 'LineString', coordinates: [[a.lon, a.lat], [(a.lon + b.lon) / 2, (a.lat + b.lat) / 2 + 0.00005], [b.lon, b.lat]] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    segs.push(r.json);
  }
  // The report history of the third: one approved report with a photo, one rejected.
  const s3 = segs[2];
  const submit = async (body) => {
    const r = await api(ct, 'POST', 'progress-reports', body, { 'Idempotency-Key': crypto.randomUUID() });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };
  const day = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const rep1 = await submit({ segment_id: s3.id, report_date: day(2), built_length_m: 80.25, status: 'in_construction', note: 'Graben bis Handloch 3 offen' });
  const files = makePhotos({ 'pruefgraben.jpg': `photos.jpeg(taken="${exifDay(3)}", lat=${chain[3].lat}, lon=${chain[3].lon}, salt=b"sg")` });
  const up = await fetch(`${BASE}/api/v1/progress-reports/${rep1.id}/attachments?caption=${encodeURIComponent('Graben mit Leerrohr')}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ct}`, 'Idempotency-Key': crypto.randomUUID(), 'Content-Type': 'image/jpeg',
      'Content-Disposition': "attachment; filename*=UTF-8''pruefgraben.jpg" },
    body: fs.readFileSync(files['pruefgraben.jpg']),
  });
  assert.equal(up.status, 201, await up.text());
  let r = await api(tok, 'POST', `progress-reports/${rep1.id}/approve`, { comment: 'Passt' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const rep2 = await submit({ segment_id: s3.id, report_date: day(1), built_length_m: 140, status: 'civil_done', note: 'Tiefbau fertig' });
  r = await api(tok, 'POST', `progress-reports/${rep2.id}/reject`, { comment: 'Fotos vom Tiefbau fehlen' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  fx = { tag, tok, mgr, segs, chain, reports: [rep1, rep2] };
  return fx;
}

/** Waits until the table shows what it loaded last. */
async function settled(page) {
  await page.locator('.sg-table-box[aria-busy="false"]').waitFor();
  await page.waitForFunction(() => !/^(Loading…|Wird geladen…)$/.test(document.getElementById('sg-count')?.textContent || ''));
}

const codes = (page) => page.locator('#sg-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.segment));

/** A CSV as rows of cells (RFC 4180: quotes, doubled quotes, CRLF). */
function parseCsv(text, sep) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// ---- the table ----------------------------------------------------------------------------

test('segments: search by code and street, filter by status and lot, sort with aria-sort, page, and keep the view on reload and Back (keyboard, 1366 px)', async () => {
  const { segs, tok } = await fixture();
  const page = await localePage('en-US', 1366, 900);
  await signIn(page, 'manager');
  await page.locator('#nav a', { hasText: /^Segments$/ }).click();
  await page.locator('main h1', { hasText: 'Segments: WF-MUSTER-2026' }).waitFor();
  await settled(page);
  assert.equal(await page.locator('#nav a[aria-current="page"]').innerText(), 'Segments');
  assert.match(await page.locator('#sg-count').innerText(), /^Rows 1–50; more follow\.$/);

  // search by code, with the keyboard only
  await page.locator('#sg-q').focus();
  await page.keyboard.type(segs[2].code);
  await page.keyboard.press('Enter');
  await page.waitForFunction((c) => location.hash.includes(`q=${c}`), segs[2].code);
  await settled(page);
  assert.deepEqual(await codes(page), [segs[2].code]);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-q', 'the focus stays in the search field');
  const row = ws(await page.locator(`#sg-table tr[data-segment="${segs[2].code}"]`).innerText());
  for (const x of [STREET, 'LOS-3', 'Tiefbau Nord GmbH', 'In construction', 'Open trench', '150.5 m', '80.25 m', 'Jun 1, 2026 – Sep 30, 2026']) assert.ok(row.includes(x), `${row} has ${x}`);
  assert.match(await page.locator('#sg-count').innerText(), /^Rows 1–1 of 1\.$/);

  // by street: the server's answer for q, row for row
  await page.locator('#sg-q').fill('Prüfgraben');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes('q=Prüfgraben'));
  await settled(page);
  const byStreet = (await apiAll(tok, `segments?project_id=1&q=${encodeURIComponent('Prüfgraben')}`)).map((s) => s.code);
  assert.ok(byStreet.length >= 6);
  assert.deepEqual(await codes(page), byStreet.slice(0, 50));
  for (const s of segs) assert.ok(byStreet.includes(s.code), s.code);

  // filters: status and lot, each a new view in the URL
  await page.locator('#sg-q').fill('');
  await page.keyboard.press('Enter');
  await settled(page);
  await page.locator('#sg-status').selectOption('tested');
  await settled(page);
  await page.locator('#sg-lot').selectOption('3');
  await settled(page);
  assert.match(await page.evaluate(() => location.hash), /status=tested/);
  assert.match(await page.evaluate(() => location.hash), /lot_id=3/);
  const tested3 = (await apiAll(tok, 'segments?project_id=1&lot_id=3&status=tested')).map((s) => s.code);
  assert.deepEqual(await codes(page), tested3);
  assert.ok(tested3.includes(segs[0].code));
  for (const b of await page.locator('#sg-table tbody .badge').allInnerTexts()) assert.equal(b, 'Tested');

  // nothing matches: said, with a way out
  await page.locator('#sg-q').fill('no-such-segment-anywhere');
  await page.keyboard.press('Enter');
  await page.locator('#sg-empty').getByText('No segment matches the search and filters.').waitFor();
  await page.locator('#sg-empty-clear').click();
  await page.waitForFunction(() => !location.hash.includes('?'));
  await settled(page);
  assert.equal(await page.locator('#sg-status').inputValue(), '');
  assert.equal(await page.locator('#sg-table tbody tr').count(), 50);

  // sort: a header button toggles, aria-sort tells which way
  const codeTh = page.locator('#sg-table thead th', { has: page.locator('button[data-sort="code"]') });
  assert.equal(await codeTh.getAttribute('aria-sort'), null);
  await page.locator('button[data-sort="code"]').click();
  await settled(page);
  assert.equal(await codeTh.getAttribute('aria-sort'), 'ascending');
  const asc = (await api(tok, 'GET', 'segments?project_id=1&sort=code&limit=50')).json.items.map((s) => s.code);
  assert.deepEqual(await codes(page), asc);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.sort), 'code', 'the focus stays on the header');
  await page.keyboard.press('Enter'); // the same button, by keyboard
  await page.waitForFunction(() => location.hash.includes('sort=-code'));
  await settled(page);
  assert.equal(await codeTh.getAttribute('aria-sort'), 'descending');
  const desc = (await api(tok, 'GET', 'segments?project_id=1&sort=-code&limit=25')).json;
  assert.equal((await codes(page))[0], desc.items[0].code);
  // sorting by another column moves aria-sort there
  await page.locator('button[data-sort="planned_length_m"]').click();
  await settled(page);
  assert.equal(await codeTh.getAttribute('aria-sort'), null);
  assert.equal(await page.locator('#sg-table thead th[aria-sort]').count(), 1);
  await page.locator('button[data-sort="code"]').click();
  await settled(page);
  await page.locator('button[data-sort="code"]').click();
  await settled(page);

  // pages of 25: next, previous
  await page.locator('#sg-size').selectOption('25');
  await settled(page);
  assert.deepEqual(await codes(page), desc.items.map((s) => s.code));
  assert.equal(await page.locator('#sg-prev').isDisabled(), true);
  await page.locator('#sg-next').click();
  await settled(page);
  const p2 = (await api(tok, 'GET', `segments?project_id=1&sort=-code&limit=25&cursor=${encodeURIComponent(desc.next_cursor)}`)).json;
  assert.deepEqual(await codes(page), p2.items.map((s) => s.code));
  assert.match(await page.locator('#sg-count').innerText(), /^Rows 26–50; more follow\.$/);
  assert.match(await page.evaluate(() => location.hash), /cursor=/);
  await shot(page, 'segments-table-en-desktop');

  // a reload shows the same page, and Previous still works
  await page.reload();
  await page.locator('main h1', { hasText: 'Segments: WF-MUSTER-2026' }).waitFor();
  await settled(page);
  assert.deepEqual(await codes(page), p2.items.map((s) => s.code));
  assert.equal(await page.locator('#sg-size').inputValue(), '25');
  assert.equal(await page.locator('#sg-table thead th[aria-sort="descending"] button').getAttribute('data-sort'), 'code');
  await page.locator('#sg-prev').click();
  await settled(page);
  assert.deepEqual(await codes(page), desc.items.map((s) => s.code));
  assert.match(await page.locator('#sg-count').innerText(), /^Rows 1–25; more follow\.$/);
  // Back returns to page 2, Forward to page 1
  await page.goBack();
  await page.waitForFunction(() => location.hash.includes('cursor='));
  await settled(page);
  assert.deepEqual(await codes(page), p2.items.map((s) => s.code));
  await page.goForward();
  await page.waitForFunction(() => !location.hash.includes('cursor='));
  await settled(page);
  assert.deepEqual(await codes(page), desc.items.map((s) => s.code));

  // a row's code opens the segment page; Back comes to the same view
  await page.locator('#sg-table tbody a.sg-code').first().click();
  await page.locator('main h1', { hasText: `Segment ${desc.items[0].code}` }).waitFor();
  assert.equal(await page.locator('#sg-back').getAttribute('href'), '#/projects/1/segments?sort=-code&limit=25');
  await page.goBack();
  await settled(page);
  assert.deepEqual(await codes(page), desc.items.map((s) => s.code));
  await page.closeAll();
});

test('segments: the table in German at 390 px: cards, sort by select, German numbers and dates, no English, no sideways scroll', async () => {
  const { segs, tok } = await fixture();
  const page = await localePage('de-DE', 390, 844);
  await signIn(page, 'manager');
  await go(page, `/projects/1/segments?q=${encodeURIComponent('Prüfgraben')}`);
  await settled(page);
  assert.equal(await page.locator('main h1').innerText(), 'Abschnitte: WF-MUSTER-2026');
  assert.equal(await page.locator('#sg-q').inputValue(), 'Prüfgraben');
  assert.ok((await page.locator('#sg-table thead').boundingBox()) === null, 'no header row on a phone');
  await page.locator('#sg-sort').selectOption('-planned_length_m');
  await settled(page);
  const api1 = (await apiAll(tok, `segments?project_id=1&q=${encodeURIComponent('Prüfgraben')}&sort=-planned_length_m`)).map((s) => s.code);
  assert.deepEqual(await codes(page), api1.slice(0, 50));
  const card = ws(await page.locator(`#sg-table tr[data-segment="${segs[2].code}"]`).innerText());
  for (const x of ['Im Bau', 'Offene Bauweise', '150,5 m', '80,25 m', '01.06.2026 – 30.09.2026']) assert.ok(card.includes(x), `${card} has ${x}`);
  assert.equal(await page.locator(`#sg-table tr[data-segment="${segs[2].code}"] td.planned`).getAttribute('data-label'), 'Länge geplant');
  await noHorizontalScroll(page);
  assert.deepEqual(await englishOn(page), []);
  await shot(page, 'segments-table-de-phone');
  // paging words in German
  await go(page, '/projects/1/segments?limit=25');
  await settled(page);
  assert.match(await page.locator('#sg-count').innerText(), /^Zeilen 1–25; weitere folgen\.$/);
  await page.locator('#sg-next').click();
  await settled(page);
  assert.match(await page.locator('#sg-count').innerText(), /^Zeilen 26–50; weitere folgen\.$/);
  await noHorizontalScroll(page);
  assert.deepEqual(await englishOn(page), []);
  await page.closeAll();
  // the same list at 1366 px in German, and in English at 390 px
  const wide = await localePage('de-DE', 1366, 900);
  await signIn(wide, 'manager');
  await go(wide, '/projects/1/segments');
  await settled(wide);
  assert.deepEqual(await englishOn(wide), []);
  await shot(wide, 'segments-table-de-desktop');
  await wide.closeAll();
  const phone = await localePage('en-US', 390, 844);
  await signIn(phone, 'manager');
  await go(phone, '/projects/1/segments');
  await settled(phone);
  await noHorizontalScroll(phone);
  await shot(phone, 'segments-table-en-phone');
  await phone.closeAll();
});

for (const [locale, sep, statusWord, prefix] of [['en-US', ',', 'Tested', 'segments'], ['de-DE', ';', 'Gemessen', 'Abschnitte']]) {
  test(`segments: the CSV export (${locale}) has every row the filter matches, as the API lists them`, async () => {
    const { tok } = await fixture();
    const page = await localePage(locale, 1366, 900);
    await signIn(page, 'manager');
    // lot 3, tested, by planned length descending, 25 a page: the export has all, not just the page
    await go(page, '/projects/1/segments?lot_id=3&status=tested&sort=-planned_length_m&limit=25');
    await settled(page);
    const rows = await apiAll(tok, 'segments?project_id=1&lot_id=3&status=tested&sort=-planned_length_m');
    assert.ok(rows.length > 1, 'some rows');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#sg-export').click()]);
    assert.match(dl.suggestedFilename(), new RegExp(`^${prefix}_WF-MUSTER-2026_\\d{4}-\\d\\d-\\d\\d\\.csv$`));
    const bytes = fs.readFileSync(await dl.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const csv = parseCsv(bytes.subarray(3).toString('utf8'), sep);
    const [head, ...body] = csv;
    assert.equal(head[0], locale === 'de-DE' ? 'Kennung' : 'Code');
    assert.equal(head.length, 16);
    assert.equal(body.length, rows.length, 'one line per matching segment');
    const num = (v) => (locale === 'de-DE' ? String(v).replace('.', ',') : String(v));
    const lots = { 3: 'LOS-3' };
    body.forEach((line, i) => {
      const s = rows[i];
      assert.equal(line.length, 16, line.join('|'));
      assert.equal(line[0], s.code);
      assert.equal(line[1], s.street || '');
      assert.equal(line[2], lots[s.lot_id]);
      assert.equal(line[4], statusWord);
      assert.equal(line[8], num(s.planned_length_m), `planned length of ${s.code}`);
      assert.equal(line[9], num(s.built_length_m), `built length of ${s.code}`);
      assert.equal(line[11], s.planned_start || '');
      assert.equal(line[12], s.planned_end || '');
    });
    const mine = body.find((l) => l[8] === num(150.5));
    assert.ok(mine, `150.5 m written as ${num(150.5)}`);
    await page.locator('#sg-export-status').getByText(locale === 'de-DE' ? /Zeilen als .* exportiert/ : /^Exported \d+ rows as /).waitFor();
    await page.closeAll();
  });
}

// ---- the segment page ------------------------------------------------------------------------

test('segments: the segment page shows its data, map, reports with reviewer and photos, and history (en 1366 px, by id and by code)', async () => {
  const { segs, reports } = await fixture();
  const s3 = segs[2];
  const page = await localePage('en-US', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/segments/${s3.code}`);
  await page.locator('main h1', { hasText: `Segment ${s3.code}` }).waitFor();
  const facts = ws(await page.locator('#sg-facts-list').innerText());
  for (const x of [s3.code, STREET, 'LOS-3', 'Tiefbau Nord GmbH', 'In construction', 'Trench · Open trench · Sealed', '150.5 m',
    '80.25 m of 150.5 m (53%)', 'Jun 1, 2026 – Sep 30, 2026', 'Handloch Prüfgraben 2', 'Handloch Prüfgraben 3']) assert.ok(facts.includes(x), `${facts} has ${x}`);
  // the map: this line and those that meet it
  await page.locator('#sg-map[data-state="rendered"]').waitFor();
  assert.ok(Number(await page.locator('#sg-map').getAttribute('data-segments')) >= 3);
  assert.ok(await page.locator('#sg-neighbours a', { hasText: segs[1].code }).count() === 1);
  assert.ok(await page.locator('#sg-neighbours a', { hasText: segs[3].code }).count() === 1);
  const drawn = await page.locator('#sg-map-canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 37) colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return colours.size;
  });
  assert.ok(drawn > 3, 'the map has lines on it');
  // the reports, newest first, with who reviewed them
  const rows = page.locator('#sg-report-table tbody tr[data-report]');
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.nth(0).getAttribute('data-report'), String(reports[1].id));
  const rejected = ws(await rows.nth(0).innerText());
  for (const x of ['Rejected', 'Fotos vom Tiefbau fehlen', '140 m', 'Civil works done', 'Tiefbau Nord GmbH']) assert.ok(rejected.includes(x), `${rejected} has ${x}`);
  await page.locator(`#sg-report-table tr[data-report="${reports[0].id}"] td.reviewer`, { hasText: 'Max Projektleiter' }).waitFor();
  const approved = ws(await rows.nth(1).innerText());
  for (const x of ['Approved', '80.25 m', '1 photo']) assert.ok(approved.includes(x), `${approved} has ${x}`);
  // its photo opens in the viewer
  await rows.nth(1).locator('td.photos button').click();
  const viewer = page.locator('#photo-viewer');
  await viewer.waitFor();
  await viewer.getByText('Graben mit Leerrohr').first().waitFor();
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
  await page.locator('#sg-photos .gallery li.photo img').first().waitFor();
  // the history: the report applied by the manager, in words
  const hist = page.locator('#sg-history-list li.sg-event');
  await hist.first().waitFor();
  const applied = page.locator('#sg-history-list li.sg-event', { hasText: `applied progress report #${reports[0].id}` });
  await applied.waitFor();
  assert.match(ws(await applied.innerText()), /Max Projektleiter/);
  assert.match(ws(await applied.locator('li[data-field="built_length_m"]').innerText()), /^Built length: 0 m → 80\.25 m$/);
  assert.equal(await page.locator('#sg-readonly').count(), 0);
  await shot(page, 'segment-page-en-desktop');
  // by id too; an unknown code says so
  await go(page, `/segments/${s3.id}`);
  await page.locator('main h1', { hasText: `Segment ${s3.code}` }).waitFor();
  await go(page, '/segments/NO-SUCH-CODE');
  await page.locator('main h1', { hasText: 'Segment not found' }).waitFor();
  await page.closeAll();
});

test('segments: the segment page in German (390 and 1366 px): German words, numbers and dates, no English, no sideways scroll', async () => {
  const { segs, reports } = await fixture();
  const s3 = segs[2];
  for (const [w, hgt, tag] of [[390, 844, 'phone'], [1366, 900, 'desktop']]) {
    const page = await localePage('de-DE', w, hgt);
    await signIn(page, 'manager');
    await go(page, `/segments/${s3.id}`);
    await page.locator('main h1', { hasText: `Abschnitt ${s3.code}` }).waitFor();
    await page.locator('#sg-map[data-state="rendered"]').waitFor();
    await page.locator(`#sg-report-table tr[data-report="${reports[0].id}"] td.reviewer`, { hasText: 'Max Projektleiter' }).waitFor();
    await page.locator('#sg-history-list li.sg-event').first().waitFor();
    const facts = ws(await page.locator('#sg-facts-list').innerText());
    for (const x of ['Im Bau', 'Offene Bauweise', '150,5 m', '80,25 m von 150,5 m (53 %)', '01.06.2026 – 30.09.2026']) assert.ok(facts.includes(x), `${facts} has ${x}`);
    assert.match(ws(await page.locator(`#sg-report-table tr[data-report="${reports[0].id}"]`).innerText()), /80,25 m.*Freigegeben/);
    assert.match(ws(await page.locator('#sg-history-list').innerText()), /Länge gebaut: 0 m → 80,25 m/);
    if (w <= 480) await noHorizontalScroll(page);
    assert.deepEqual(await englishOn(page), []);
    await shot(page, `segment-page-de-${tag}`);
    await page.closeAll();
  }
  const phone = await localePage('en-US', 390, 844);
  await signIn(phone, 'manager');
  await go(phone, `/segments/${s3.id}`);
  await phone.locator('#sg-map[data-state="rendered"]').waitFor();
  await phone.locator('#sg-history-list li.sg-event').first().waitFor();
  await noHorizontalScroll(phone);
  await shot(phone, 'segment-page-en-phone');
  await phone.closeAll();
});

test('segments: a manager accepts a tested segment with the keyboard; the page and the API show it accepted', async () => {
  const { segs, tok, mgr } = await fixture();
  const s1 = segs[0];
  const page = await localePage('en-US', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/segments/${s1.id}`);
  await page.locator('#sg-act-accept').waitFor();
  // Tab from the heading to the Accept button
  await page.locator('main h1').evaluate((e) => { e.setAttribute('tabindex', '-1'); e.focus(); });
  for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement.id)) !== 'sg-act-accept'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-act-accept');
  await page.keyboard.press('Enter');
  const dlg = page.locator('#sg-accept-dialog');
  await dlg.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-accepted-on');
  assert.equal(await dlg.locator('#sg-accepted-on').inputValue(), today(), 'the date is today unless said');
  // Tab goes through the parts of the date (month, day, year), then to the note
  for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement.id)) !== 'sg-accept-note'; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-accept-note');
  await page.keyboard.type('Abnahme ohne Mängel, Protokoll Nr. 7');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-accept-save');
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  const acc = page.locator('#sg-acceptance');
  await acc.waitFor();
  const d = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${today()}T00:00:00Z`));
  await acc.locator('[data-field="accepted_by"] dd', { hasText: 'Max Projektleiter' }).waitFor();
  const text = ws(await acc.innerText());
  for (const x of [d, 'Max Projektleiter', 'Abnahme ohne Mängel, Protokoll Nr. 7']) assert.ok(text.includes(x), `${text} has ${x}`);
  assert.match(await page.locator('.sg-lead .badge').innerText(), /^Accepted$/);
  assert.equal(await page.locator('#sg-act-accept').count(), 0, 'no second acceptance');
  await page.locator('#sg-history-list li.sg-event[data-action="accept"]').waitFor();
  const now = (await api(tok, 'GET', `segments/${s1.id}`)).json;
  assert.equal(now.status, 'accepted');
  assert.equal(now.accepted_on, today());
  assert.equal(now.accepted_by, mgr.user.id);
  assert.equal(now.acceptance_note, 'Abnahme ohne Mängel, Protokoll Nr. 7');
  await shot(page, 'segment-accepted-en-desktop');
  // only a tested segment offers it
  await go(page, `/segments/${segs[4].id}`);
  await page.locator('#sg-act-edit').waitFor();
  assert.equal(await page.locator('#sg-act-accept').count(), 0);
  await page.closeAll();
  // the acceptance in German
  const de = await localePage('de-DE', 390, 844);
  await signIn(de, 'manager');
  await go(de, `/segments/${s1.id}`);
  await de.locator('#sg-acceptance [data-field="accepted_by"] dd', { hasText: 'Max Projektleiter' }).waitFor();
  assert.match(ws(await de.locator('#sg-acceptance').innerText()), /^Abnahme Abgenommen am \d{2}\.\d{2}\.\d{4} Abgenommen von Max Projektleiter Protokollnotiz Abnahme ohne Mängel/);
  await de.locator('#sg-history-list li.sg-event[data-action="accept"]', { hasText: 'abgenommen' }).waitFor();
  assert.deepEqual(await englishOn(de), []);
  await noHorizontalScroll(de);
  await de.closeAll();
});

test('segments: moving the status back needs a reason, which the history keeps (de)', async () => {
  const { segs, tok } = await fixture();
  const s2 = segs[1];
  // the server refuses it without a reason, too
  const cur = await api(tok, 'GET', `segments/${s2.id}`);
  const no = await api(tok, 'PATCH', `segments/${s2.id}`, { status: 'civil_done' }, { 'If-Match': cur.headers.get('etag') });
  assert.equal(no.status, 422);
  assert.equal(no.json.errors[0].pointer, '/status_reason');
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/segments/${s2.id}`);
  await page.locator('#sg-act-status').click();
  const dlg = page.locator('#sg-status-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.locator('#sg-new-status').inputValue(), 'spliced', 'it starts at the current status');
  assert.equal(await dlg.locator('#sg-new-status option[value="accepted"]').count(), 0, 'accepted is reached by the acceptance');
  await dlg.locator('#sg-new-status').selectOption('civil_done');
  assert.equal(await dlg.locator('label[for="sg-reason"]').innerText(), 'Begründung (erforderlich)');
  await dlg.locator('#sg-status-save').click();
  await dlg.locator('#sg-reason-error', { hasText: 'Begründen Sie, warum der Abschnitt von „Gespleißt“ auf „Tiefbau fertig“ zurückgesetzt wird.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sg-reason');
  assert.deepEqual(await englishOn(page), []);
  await shot(page, 'segment-status-reason-de-desktop', false);
  await dlg.locator('#sg-reason').fill('Nachmessung: Spleißmuffe undicht');
  await dlg.locator('#sg-status-save').click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#sg-page-msg', { hasText: `${s2.code}: Status von Gespleißt auf Tiefbau fertig geändert.` }).waitFor();
  assert.equal(await page.locator('.sg-lead .badge').innerText(), 'Tiefbau fertig');
  const ev = page.locator('#sg-history-list li.sg-event', { hasText: 'Nachmessung: Spleißmuffe undicht' });
  await ev.waitFor();
  assert.match(ws(await ev.innerText()), /Status: Gespleißt → Tiefbau fertig/);
  assert.match(ws(await ev.locator('li.sg-reason').innerText()), /^Begründung: Nachmessung: Spleißmuffe undicht$/);
  assert.equal((await api(tok, 'GET', `segments/${s2.id}`)).json.status, 'civil_done');
  const audit = (await api(tok, 'GET', `audit?entity=segment&entity_id=${s2.id}&sort=-id&limit=1`)).json.items[0];
  assert.equal(audit.after.status_reason, 'Nachmessung: Spleißmuffe undicht');
  assert.equal(audit.before.status, 'spliced');
  // forward needs no reason
  await page.locator('#sg-act-status').click();
  await dlg.locator('#sg-new-status').selectOption('cable_installed');
  assert.equal(await dlg.locator('label[for="sg-reason"]').innerText(), 'Begründung (optional)');
  await dlg.locator('#sg-status-save').click();
  await dlg.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.sg-lead .badge').innerText(), 'Kabel eingezogen');
  await page.closeAll();
});

test('segments: editing planned data: a 422 is shown at its field; a concurrent change gives 412 and "apply again" keeps both', async () => {
  const { segs, tok } = await fixture();
  const s4 = segs[3];
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/segments/${s4.id}`);
  await page.locator('#sg-act-edit').click();
  const dlg = page.locator('#sg-edit-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.locator('#sg-e-planned_length_m').inputValue(), '120');
  // the server's 422: the end before the start, next to the end
  await dlg.locator('#sg-e-planned_start').fill('2027-05-01');
  await dlg.locator('#sg-e-planned_end').fill('2027-04-01');
  await dlg.locator('#sg-edit-save').click();
  await dlg.locator('#sg-e-planned_end-error').waitFor();
  assert.equal(await dlg.locator('#sg-e-planned_end').getAttribute('aria-invalid'), 'true');
  // a length that is not a number is refused in the form, with a German example
  await dlg.locator('#sg-e-planned_end').fill('2027-09-30');
  await dlg.locator('#sg-e-planned_length_m').fill('hundert');
  await dlg.locator('#sg-edit-save').click();
  await dlg.locator('#sg-e-planned_length_m-error', { hasText: 'z. B. 150,5' }).waitFor();
  await dlg.locator('#sg-e-planned_length_m').fill('160,25');
  // meanwhile someone else changes the street
  const cur = await api(tok, 'GET', `segments/${s4.id}`);
  const other = await api(tok, 'PATCH', `segments/${s4.id}`, { street: 'Am Prüfgraben (Nordseite)' }, { 'If-Match': cur.headers.get('etag') });
  assert.equal(other.status, 200);
  await dlg.locator('#sg-edit-save').click();
  const conflict = dlg.locator('#sg-conflict');
  await conflict.waitFor();
  assert.match(ws(await conflict.locator('li[data-field="street"]').innerText()), /^Straße: Am Prüfgraben → Am Prüfgraben \(Nordseite\)$/);
  assert.deepEqual(await englishOn(page), []);
  await shot(page, 'segment-edit-412-de-desktop', false);
  assert.equal((await api(tok, 'GET', `segments/${s4.id}`)).json.planned_length_m, 120, 'nothing of mine was saved');
  // the form now shows their street and my length
  assert.equal(await dlg.locator('#sg-e-street').inputValue(), 'Am Prüfgraben (Nordseite)');
  assert.equal(await dlg.locator('#sg-e-planned_length_m').inputValue(), '160,25');
  await dlg.locator('#sg-apply-again').click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#sg-page-msg', { hasText: `${s4.code} gespeichert.` }).waitFor();
  const now = (await api(tok, 'GET', `segments/${s4.id}`)).json;
  assert.equal(now.planned_length_m, 160.25);
  assert.equal(now.planned_start, '2027-05-01');
  assert.equal(now.planned_end, '2027-09-30');
  assert.equal(now.street, 'Am Prüfgraben (Nordseite)', 'their change is kept');
  assert.match(ws(await page.locator('#sg-facts-list').innerText()), /160,25 m/);
  await page.locator('#sg-history-list li.sg-event li[data-field="planned_length_m"]', { hasText: '120 m → 160,25 m' }).waitFor();
  await page.closeAll();
});

test('segments: the GIS-NBest fields (laying depth, duct type code, co-laying) are shown and edited (de)', async () => {
  const tok = (await apiLogin(USERS.manager)).token;
  const code = `NB-${Date.now().toString(36).slice(-5).toUpperCase()}`;
  const r = await api(tok, 'POST', 'segments', {
    project_id: 1, code, kind: 'duct', planned_length_m: 50, duct_type_code: 12, laying_depth_m: 0.6, co_laying: 'third_party',
  });
  assert.equal(r.status, 201);
  const seg = r.json;
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/segments/${seg.id}`);
  const facts = page.locator('#sg-facts-list');
  await facts.waitFor();
  assert.match(ws(await facts.locator('[data-field="duct_type_code"]').innerText()), /12 – 12\/8 \(Rohrverband\)/);
  assert.match(ws(await facts.locator('[data-field="laying_depth_m"]').innerText()), /0,6 m/);
  assert.match(ws(await facts.locator('[data-field="co_laying"]').innerText()), /Durch Dritte/);
  await page.locator('#sg-act-edit').click();
  const dlg = page.locator('#sg-edit-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.locator('#sg-e-laying_depth_m').inputValue(), '0,6');
  await dlg.locator('#sg-e-laying_depth_m').fill('tief');
  await dlg.locator('#sg-edit-save').click();
  await dlg.locator('#sg-e-laying_depth_m-error', { hasText: 'z. B. 0,8' }).waitFor();
  await dlg.locator('#sg-e-laying_depth_m').fill('1,2');
  await dlg.locator('#sg-e-duct_type_code').selectOption('99');
  await dlg.locator('#sg-e-co_laying').selectOption('own');
  await dlg.locator('#sg-edit-save').click();
  await dlg.waitFor({ state: 'hidden' });
  const now = (await api(tok, 'GET', `segments/${seg.id}`)).json;
  assert.deepEqual([now.duct_type_code, now.laying_depth_m, now.co_laying], [99, 1.2, 'own']);
  await facts.locator('[data-field="co_laying"]', { hasText: 'Eigenmitverlegung' }).waitFor();
  assert.match(ws(await facts.locator('[data-field="duct_type_code"]').innerText()), /99 – Sonstige/);
  assert.deepEqual(await englishOn(page), []);
  await page.closeAll();
});

test('segments: finance reads the segment page without actions; a contractor cannot open it', async () => {
  const { segs } = await fixture();
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await go(page, `/segments/${segs[2].id}`);
  await page.locator('main h1', { hasText: `Segment ${segs[2].code}` }).waitFor();
  await page.locator('#sg-readonly').waitFor();
  assert.equal(await page.locator('#sg-actions').count(), 0);
  for (const id of ['sg-act-status', 'sg-act-accept', 'sg-act-edit']) assert.equal(await page.locator(`#${id}`).count(), 0, id);
  await page.locator('#sg-history-list li.sg-event').first().waitFor();
  await page.close();
  const cp = await newPage(1366, 900);
  await signIn(cp, 'contractor');
  await go(cp, `/segments/${segs[2].id}`);
  assert.match(await cp.locator('main h1').innerText(), /not available/i);
  await go(cp, '/projects/1/segments');
  assert.match(await cp.locator('main h1').innerText(), /not available/i);
  await cp.close();
});

test('segments: a segment selected on the map links to its page', async () => {
  const page = await newPage(1366, 900);
  await signIn(page, 'manager');
  await page.goto(`${BASE}/#/projects/1/map`);
  await waitMap(page);
  await page.locator('#map-canvas').focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('+');
  // Enter picks what is in the middle: a premise or a segment; move until it is a segment
  const link = page.locator('#map-open-segment');
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !/^(Loading|Select a segment)/.test(document.getElementById('map-details').textContent.trim()));
    if (await link.count()) break;
    await page.keyboard.press(i % 2 ? 'ArrowDown' : 'ArrowRight');
  }
  await link.waitFor();
  assert.equal(await link.innerText(), 'Open segment page');
  const code = await page.locator('#map-details dd strong').first().innerText();
  await link.click();
  await page.locator('main h1', { hasText: `Segment ${code}` }).waitFor();
  await page.locator('#sg-map[data-state="rendered"]').waitFor();
  await page.close();
});
