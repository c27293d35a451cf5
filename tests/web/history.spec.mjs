// history.spec.mjs — the milestone timeline (page-milestones.js, timeline.js)
// and the audit viewer (page-audit.js, #/audit), in German and English, at
// 1366 and 390 px. The tests make their own project with milestones of known
// dates (relative to today, so that their states are known), and their own
// changes, so that they neither depend on nor disturb the other tests' data.

import assert from 'node:assert/strict';
import {
  BASE, test, api, apiLogin, newPage, signIn, go, shot, localePage, englishOn, noHorizontalScroll, navTexts, ws,
} from './harness.mjs';

// ---- dates --------------------------------------------------------------------------------

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
/** Today as the dashboard's timeline and the server's milestone states see it (UTC date). */
const todayIso = () => iso(Date.now());
const plus = (n) => iso(Date.parse(`${todayIso()}T00:00:00Z`) + n * DAY);
const deDate = (d) => new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
const enDate = (d) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
const money = (loc, cents) => new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(cents / 100);

/** Months (with fraction) of a date from the first of the axis' first month "YYYY-MM". */
function monthsFrom(first, d) {
  const [fy, fm] = first.split('-').map(Number);
  const [y, m, dd] = d.split('-').map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return (y * 12 + m) - (fy * 12 + fm) + (dd - 1) / days;
}

/** The UTC instant of 00:00 in Europe/Berlin on a day, found by trying the two offsets Germany has. */
function berlinMidnight(day) {
  for (const off of [1, 2]) {
    const at = new Date(Date.parse(`${day}T00:00:00Z`) - off * 3_600_000);
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(at);
    if (wall === '00:00') return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  throw new Error(`no Berlin midnight on ${day}`);
}
const berlinToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
const berlinPlus = (n) => iso(Date.parse(`${berlinToday()}T00:00:00Z`) + n * DAY);

// ---- the test project ------------------------------------------------------------------

let made = null;
/** A project of our own with five milestones of known dates and states (made once). */
async function history() {
  if (made) return made;
  const admin = (await apiLogin('admin@musterstadt.example')).token;
  const manager = (await apiLogin('manager@musterstadt.example')).token;
  const code = `ZP-${Date.now().toString(36).toUpperCase()}`;
  const p = await api(admin, 'POST', 'projects', {
    code, name: 'Zeitplan Ortsteil Nord', municipality: 'Stadt Musterstadt', start_date: plus(-150), planned_end_date: plus(200),
  });
  assert.equal(p.status, 201, JSON.stringify(p.json));
  const pid = p.json.id;
  const specs = [
    { key: 'done', name: 'Förderbescheid Nord', kind: 'funding_approval', planned_date: plus(-120), actual_date: plus(-110), funding_relevant: true },
    { key: 'late', name: 'Tiefbau Los Nord', kind: 'civil_works_complete', planned_date: plus(-30), forecast_date: plus(20) },
    { key: 'risk', name: 'Netz Nord betriebsbereit', kind: 'network_ready', planned_date: plus(40), forecast_date: plus(75) },
    { key: 'track', name: 'Mittelabruf Nord', kind: 'payment_request', planned_date: plus(100), funding_relevant: true, tranche_cents: 125000000 },
    { key: 'first', name: 'Baubeginn Nord', kind: 'construction_start', planned_date: plus(-60), actual_date: plus(-60) },
  ];
  const ms = {};
  for (const s of specs) {
    const { key, ...body } = s;
    const r = await api(admin, 'POST', 'milestones', { project_id: pid, ...body });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    ms[key] = r.json;
  }
  assert.equal(ms.done.state, 'done');
  assert.equal(ms.late.state, 'late');
  assert.equal(ms.risk.state, 'at_risk');
  assert.equal(ms.track.state, 'on_track');
  made = { admin, manager, pid, code, ms };
  return made;
}

/** Opens the audit viewer with a query and waits until the page of that query is drawn (not the one before). */
async function goAudit(page, query) {
  await page.evaluate(() => document.querySelector('#au-count')?.setAttribute('data-stale', '1'));
  await page.goto(`${BASE}/#/audit${query ? `?${query}` : ''}`);
  await page.waitForFunction(() => !document.querySelector('main .loading') && !document.querySelector('[data-stale]') &&
    !!(document.querySelector('#au-count') || document.querySelector('main [role=alert]')));
}

/** Waits for the timeline to be drawn. */
async function timelineReady(page) {
  await page.locator('#ms-panel-timeline .tl-svg .tl-row').first().waitFor({ timeout: 15_000 });
}

// ---- the timeline ---------------------------------------------------------------------------

test('timeline: one row per milestone, planned/forecast/actual at the right x, late and at-risk colours, German months (de-DE, 1366 px)', async () => {
  const { pid, ms } = await history();
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'manager');
  await go(page, `/projects/${pid}/milestones?view=timeline`);
  await timelineReady(page);
  assert.equal(await page.locator('#ms-tab-timeline').getAttribute('aria-selected'), 'true');
  assert.ok(await page.locator('#ms-panel-table').isHidden(), 'the table is hidden in the timeline view');
  const svg = page.locator('.tl-svg');
  assert.equal(await svg.locator('.tl-row').count(), 5, 'one row per milestone');
  assert.equal(await page.locator('.tl-names .tl-name').count(), 5);
  // rows in the table's order: by planned date
  const order = Object.values(ms).sort((a, b) => a.planned_date.localeCompare(b.planned_date)).map((m) => String(m.id));
  assert.deepEqual(await svg.locator('.tl-row').evaluateAll((gs) => gs.map((g) => g.dataset.id)), order);

  // the axis starts at the month of the earliest date
  const first = await svg.getAttribute('data-first-month');
  assert.equal(first, ms.done.planned_date.slice(0, 7));
  const mw = Number(await svg.getAttribute('data-month-width'));
  const pad = Number(await svg.getAttribute('data-pad'));
  const expectX = (d) => pad + monthsFrom(first, d) * mw;
  // where each mark is drawn (the centre of its box, in the SVG's coordinates)
  const centre = (loc) => loc.evaluate((el) => {
    const b = el.getBBox();
    return b.x + b.width / 2;
  });
  const near = (a, b, what) => assert.ok(Math.abs(a - b) < 0.75, `${what}: x ${a.toFixed(2)}, want ${b.toFixed(2)}`);
  for (const m of Object.values(ms)) {
    const row = svg.locator(`.tl-row[data-id="${m.id}"]`);
    near(await centre(row.locator('.tl-planned')), expectX(m.planned_date), `${m.name} planned`);
    if (m.actual_date) near(await centre(row.locator('.tl-actual')), expectX(m.actual_date), `${m.name} actual`);
    else assert.equal(await row.locator('.tl-actual').count(), 0, `${m.name}: no actual mark`);
    if (m.forecast_date && !m.actual_date) near(await centre(row.locator('.tl-forecast')), expectX(m.forecast_date), `${m.name} forecast`);
    else assert.equal(await row.locator('.tl-forecast').count(), 0, `${m.name}: no forecast mark`);
    assert.equal(await row.getAttribute('data-state'), m.state);
  }
  // a month's grid line is at the first of that month
  const month = ms.risk.forecast_date.slice(0, 7);
  near(Number(await svg.locator(`line[data-month="${month}"]`).getAttribute('x1')), expectX(`${month}-01`), `grid line ${month}`);
  // the late one: a red bar from its planned date to its forecast; the at-risk one: amber
  const fill = (loc) => loc.evaluate((el) => getComputedStyle(el).fill);
  const late = svg.locator(`.tl-row[data-id="${ms.late.id}"] .tl-bar`);
  assert.equal(await fill(late), 'rgb(179, 38, 30)');
  const lb = await late.evaluate((el) => { const b = el.getBBox(); return { x: b.x, width: b.width }; });
  near(lb.x, expectX(ms.late.planned_date), 'late bar start');
  near(lb.x + lb.width, expectX(ms.late.forecast_date), 'late bar end');
  const risk = svg.locator(`.tl-row[data-id="${ms.risk.id}"] .tl-bar`);
  assert.equal(await fill(risk), 'rgb(217, 154, 0)');
  assert.equal(await fill(svg.locator(`.tl-row[data-id="${ms.risk.id}"] .tl-forecast`)), 'rgb(217, 154, 0)');
  assert.equal(await svg.locator(`.tl-row[data-id="${ms.track.id}"] .tl-bar`).count(), 0, 'no bar where nothing slips');
  // today
  // today as the browser has it (its local date)
  const browserToday = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  near(await centre(svg.locator('.tl-today')), expectX(browserToday), 'today line');
  assert.equal(await svg.locator('.tl-today-label').textContent(), 'Heute');
  // German month names, in the locale's short form
  const deMonths = new Set(Array.from({ length: 12 }, (_, i) => new Intl.DateTimeFormat('de-DE', { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, i, 1)))));
  const labels = await svg.locator('.tl-month').allTextContents();
  assert.ok(labels.length >= 4, `month labels: ${labels}`);
  for (const l of labels) assert.ok(deMonths.has(l), `"${l}" is not a German month`);
  assert.match(await page.locator('.tl figcaption').innerText(), /^Zeitplan mit 5 Meilensteinen, [A-ZÄÖÜ][a-zäöü]+ \d{4} bis [A-ZÄÖÜ][a-zäöü]+ \d{4}\.$/);
  // the accessible names carry the dates, in German
  const nameOf = (m) => svg.locator(`.tl-row[data-id="${m.id}"]`).getAttribute('aria-label');
  assert.equal(await nameOf(ms.late), `${ms.late.name}: geplant ${deDate(ms.late.planned_date)}, Prognose ${deDate(ms.late.forecast_date)}, Verspätet`);
  assert.equal(await nameOf(ms.done), `${ms.done.name}: geplant ${deDate(ms.done.planned_date)}, erledigt am ${deDate(ms.done.actual_date)}, Erledigt, förderrelevant`);
  assert.equal(await nameOf(ms.track), `${ms.track.name}: geplant ${deDate(ms.track.planned_date)}, Im Plan, förderrelevant, Tranche ${money('de-DE', 125000000)}`);
  assert.equal(await page.getByRole('img', { name: new RegExp(`^${ms.risk.name}: geplant`) }).count(), 1);
  // funding-relevant rows are marked
  assert.equal(await page.locator(`.tl-name[data-id="${ms.track.id}"] .tl-fund`).count(), 1);
  assert.equal(await page.locator(`.tl-name[data-id="${ms.late.id}"] .tl-fund`).count(), 0);
  const legend = await page.locator('.tl-legend').innerText();
  for (const w of ['Geplanter Termin', 'Prognose', 'Erledigt', 'Gefährdet', 'Verspätet', 'Heute', 'Förderrelevant']) assert.ok(legend.includes(w), w);
  // a tooltip on hover, in German
  await svg.locator(`.tl-row[data-id="${ms.risk.id}"] .tl-forecast`).hover();
  const tip = page.locator('.tl-tip');
  await tip.waitFor();
  assert.match(ws(await tip.innerText()), new RegExp(`Prognose ${deDate(ms.risk.forecast_date).replace(/\./g, '\\.')}`));
  assert.match(await tip.innerText(), /Gefährdet/);
  assert.deepEqual(await englishOn(page), [], 'English on the German timeline');
  await noHorizontalScroll(page);
  await shot(page, 'timeline-de-desktop');
  await page.closeAll();
});

test('timeline: keyboard — the Table | Timeline switch with arrow keys (kept in the URL), the rows with Tab and arrows, tooltips on focus (en-US, 390 px)', async () => {
  const { pid, code, ms } = await history();
  const page = await localePage('en-US', 390, 844);
  await signIn(page, 'manager');
  await go(page, `/projects/${pid}/milestones`);
  await page.locator('#milestones tbody tr').first().waitFor();
  assert.equal(await page.locator('#ms-tab-table').getAttribute('aria-selected'), 'true');
  await page.locator('#ms-tab-table').focus();
  await page.keyboard.press('ArrowRight');
  await timelineReady(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ms-tab-timeline');
  assert.equal(await page.locator('#ms-tab-timeline').getAttribute('aria-selected'), 'true');
  assert.match(await page.evaluate(() => location.hash), new RegExp(`^#/projects/${pid}/milestones\\?view=timeline$`));
  // Tab goes from the switch to the first milestone; its tooltip shows its dates
  await page.keyboard.press('Tab');
  const rowIds = await page.locator('.tl-row').evaluateAll((gs) => gs.map((g) => g.dataset.id));
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), rowIds[0]);
  const tip = page.locator('.tl-tip');
  await tip.waitFor();
  assert.ok((await tip.innerText()).includes(ms.done.name));
  assert.ok((await tip.innerText()).includes(enDate(ms.done.actual_date)), await tip.innerText());
  assert.equal(await page.locator(`.tl-name[data-id="${rowIds[0]}"]`).getAttribute('class'), 'tl-name ms-done tl-active');
  // arrows move down and up; End goes to the last
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), rowIds[1]);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), String(ms.late.id));
  const t = await tip.innerText();
  assert.ok(t.includes(`Forecast ${enDate(ms.late.forecast_date)}`) && /Late/.test(t), t);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
    `${ms.late.name}: planned ${enDate(ms.late.planned_date)}, forecast ${enDate(ms.late.forecast_date)}, Late`);
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector('.tl-row-bg')).stroke);
  assert.notEqual(ring, 'none', 'the focused row shows it');
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), rowIds[4]);
  await page.keyboard.press('Escape');
  await tip.waitFor({ state: 'hidden' });
  // English month names; the chart scrolls in its own box, the page does not
  const enMonths = new Set(Array.from({ length: 12 }, (_, i) => new Intl.DateTimeFormat('en-US', { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, i, 1)))));
  for (const l of await page.locator('.tl-month').allTextContents()) assert.ok(enMonths.has(l), `"${l}" is not an English month`);
  await noHorizontalScroll(page);
  const box = await page.locator('.tl-scroll').evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
  assert.ok(box.cw > 100, `the chart has room: ${box.cw}`);
  // the view is kept on reload, and Arrow Left goes back to the table
  await page.reload();
  await timelineReady(page);
  assert.equal(await page.locator('main h1').innerText(), `Milestones: ${code}`);
  await shot(page, 'timeline-en-phone');
  await page.locator('#ms-tab-timeline').focus();
  await page.keyboard.press('ArrowLeft');
  await page.locator('#milestones tbody tr').first().waitFor();
  assert.ok(await page.locator('#ms-panel-timeline').isHidden());
  assert.equal(await page.evaluate(() => location.hash), `#/projects/${pid}/milestones`);
  // Enter on a milestone of the timeline shows it in the table, with the focus on its row
  await page.keyboard.press('ArrowRight');
  await timelineReady(page);
  await page.locator(`.tl-row[data-id="${ms.late.id}"]`).focus();
  await page.keyboard.press('Enter');
  await page.locator('#milestones').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), `Edit ${ms.late.name}`);
  assert.equal(await page.locator('#ms-tab-table').getAttribute('aria-selected'), 'true');
  await page.closeAll();
});

test('timeline: the filter and an edit in the table show in the timeline; 390 px German and 1366 px English fit', async () => {
  const { pid, ms, manager } = await history();
  for (const [loc, width, tag] of [['de-DE', 390, 'timeline-de-phone'], ['en-US', 1366, 'timeline-en-desktop']]) {
    const page = await localePage(loc, width, width > 500 ? 900 : 844);
    await signIn(page, 'manager');
    await go(page, `/projects/${pid}/milestones?view=timeline`);
    await timelineReady(page);
    if (loc === 'de-DE') assert.deepEqual(await englishOn(page), [], 'English on the German timeline (390 px)');
    await noHorizontalScroll(page);
    await shot(page, tag);
    // only the late ones
    await page.locator('#ms-filter').selectOption('late');
    await page.locator('.tl-svg[data-first-month]').first().waitFor();
    assert.deepEqual(await page.locator('.tl-row').evaluateAll((gs) => gs.map((g) => g.dataset.id)), [String(ms.late.id)]);
    await page.locator('#ms-filter').selectOption('');
    await page.locator('.tl-row').nth(4).waitFor();
    await page.closeAll();
  }
  // an edit in the table moves the forecast in the timeline
  const page = await newPage(1366, 900);
  await signIn(page, 'manager');
  await go(page, `/projects/${pid}/milestones`);
  const m = (await api(manager, 'GET', `milestones/${ms.risk.id}`)).json;
  const newForecast = plus(90);
  await page.getByRole('button', { name: `Edit ${m.name}` }).click();
  await page.getByLabel(`Forecast date of ${m.name}`).fill(newForecast);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: `Edit ${m.name}` }).waitFor();
  await page.locator('#ms-tab-timeline').click();
  await timelineReady(page);
  assert.equal(await page.locator(`.tl-row[data-id="${m.id}"] .tl-forecast`).getAttribute('data-date'), newForecast);
  ms.risk = (await api(manager, 'GET', `milestones/${m.id}`)).json;
  await page.close();
});

// ---- the audit viewer ------------------------------------------------------------------------

/** The manager changes the on-track milestone through the API; returns the audit entry. */
let edit = null;
async function milestoneEdit() {
  if (edit) return edit;
  const { manager, ms } = await history();
  const m = (await api(manager, 'GET', `milestones/${ms.track.id}`)).json;
  const r = await api(manager, 'PATCH', `milestones/${m.id}`,
    { forecast_date: plus(130), notes: 'Verschoben nach Beschluss des Bauausschusses', tranche_cents: 130000000 },
    { 'If-Match': `"${m.version}"` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const rid = r.headers.get('x-request-id');
  const entries = (await api(manager, 'GET', `audit?request_id=${encodeURIComponent(rid)}`)).json.items;
  assert.equal(entries.length, 1);
  edit = { before: m, after: r.json, entry: entries[0] };
  return edit;
}

for (const [loc, width, height, tag] of [['de-DE', 1366, 900, 'de-desktop'], ['de-DE', 390, 844, 'de-phone'], ['en-US', 1366, 900, 'en-desktop'], ['en-US', 390, 844, 'en-phone']]) {
  test(`audit: an edit made through the API is listed with before → after in words, linked to the milestones page (${loc}, ${width} px)`, async () => {
    const { pid, code } = await history();
    const { before, after, entry } = await milestoneEdit();
    const de = loc === 'de-DE';
    const page = await localePage(loc, width, height);
    await signIn(page, 'manager');
    assert.equal((await navTexts(page)).at(-1), de ? 'Protokoll' : 'Audit');
    await go(page, `/audit?entity=milestone&entity_id=${before.id}`);
    const li = page.locator(`#audit-list li[data-id="${entry.id}"]`);
    await li.waitFor();
    assert.equal(await page.locator('main h1').innerText(), de ? 'Änderungsprotokoll' : 'Audit log');
    // the filters show what the URL asks for
    assert.equal(await page.locator('#au-entity').inputValue(), 'milestone');
    assert.equal(await page.locator('#au-entity-id').inputValue(), String(before.id));
    // every entry of the milestone, newest first: the edit, then the creation
    const ids = await page.locator('#audit-list > li').evaluateAll((ls) => ls.map((l) => Number(l.dataset.id)));
    assert.equal(ids[0], entry.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const head = ws(await li.locator('.au-head').innerText());
    assert.ok(head.includes('Max Projektleiter'), head);
    assert.ok(head.includes(de ? 'Geändert' : 'Changed'), head);
    assert.ok(head.includes(de ? `Meilenstein „${after.name}“ #${after.id}` : `Milestone “${after.name}” #${after.id}`), head);
    // the time, in the locale, in German time
    const at = new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(entry.at));
    assert.equal(await li.locator('.au-when').innerText(), at);
    const cell = async (f, c) => ws(await li.locator(`tr[data-field="${f}"] td.${c}`).innerText()).replace(/^(Vorher|Nachher|Before|After) /, '');
    const fmtDate = de ? deDate : enDate;
    assert.equal(await cell('forecast_date', 'au-before'), de ? '(leer)' : '(empty)');
    assert.equal(await cell('forecast_date', 'au-after'), fmtDate(after.forecast_date));
    assert.equal(await cell('tranche_cents', 'au-before'), ws(money(loc, 125000000)));
    assert.equal(await cell('tranche_cents', 'au-after'), ws(money(loc, 130000000)));
    assert.equal(await cell('notes', 'au-after'), 'Verschoben nach Beschluss des Bauausschusses');
    assert.equal(await cell('state', 'au-before'), de ? 'Im Plan' : 'On track');
    assert.equal(await cell('state', 'au-after'), de ? 'Gefährdet' : 'At risk');
    assert.equal(ws(await li.locator('tr[data-field="forecast_date"] th').innerText()), de ? 'Prognose' : 'Forecast');
    // nothing that did not change, and no bookkeeping
    const fields = await li.locator('tr[data-field]').evaluateAll((trs) => trs.map((x) => x.dataset.field));
    assert.deepEqual(fields.sort(), ['forecast_date', 'notes', 'state', 'tranche_cents', 'variance_days'].sort());
    // the full record on request
    assert.ok(await li.locator('details.au-json pre').first().isHidden());
    await li.locator('details.au-json summary').click();
    assert.match(await li.locator('details.au-json pre').last().innerText(), /"forecast_date": "\d{4}-\d\d-\d\d"/);
    // the creation lists the values it set
    const created = page.locator('#audit-list li[data-action="create"]');
    assert.equal(await created.count(), 1);
    assert.match(ws(await created.locator('dl.au-values').innerText()), de ? /Geplant \d\d\.\d\d\.\d{4}/ : /Planned [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    if (de) assert.deepEqual(await englishOn(page), [], 'English on the German audit viewer');
    if (width <= 480) await noHorizontalScroll(page);
    await shot(page, `audit-${tag}`);
    // the link leads to the milestones page of the project
    const link = li.locator('a.au-entity');
    assert.equal(await link.getAttribute('href'), `#/projects/${pid}/milestones`);
    await link.click();
    await page.locator('main h1', { hasText: code }).waitFor();
    await page.locator(`#milestones tr[data-id="${after.id}"]`).waitFor();
    await page.closeAll();
  });
}

test('audit: filters by object, user, action and days narrow the list exactly as the API does (keyboard); days are German days', async () => {
  const { manager, admin, ms } = await history();
  const { entry } = await milestoneEdit();
  const page = await newPage(1366, 900);
  await signIn(page, 'manager');
  await go(page, '/audit');
  await page.locator('#audit-list > li').first().waitFor();
  const me = (await api(manager, 'GET', 'me')).json;
  // the user choice lists everyone with entries, by name
  const facets = (await api(manager, 'GET', 'audit/facets')).json;
  const options = await page.locator('#au-user option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options.sort(), facets.users.map((u) => String(u.id)).sort());
  // keys only: choose, type, and Enter
  await page.locator('#au-entity').focus();
  await page.keyboard.press('Tab'); // object ID: left empty
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'au-user');
  await page.locator('#au-entity').selectOption('milestone');
  await page.locator('#au-user').selectOption(String(me.id));
  await page.locator('#au-action').selectOption('update');
  const today = berlinToday();
  const mdY = (d) => { const [y, m, dd] = d.split('-'); return `${m}/${dd}/${y}`; };
  await page.locator('#au-from-en').fill(mdY(today));
  await page.locator('#au-to-en').fill(mdY(today));
  await page.evaluate(() => document.querySelector('#au-count').setAttribute('data-stale', '1'));
  await page.locator('#au-to-en').press('Enter');
  await page.waitForFunction(() => !document.querySelector('main .loading') && !document.querySelector('[data-stale]') && !!document.querySelector('#au-count'));
  const hash = await page.evaluate(() => location.hash);
  assert.equal(hash, `#/audit?entity=milestone&user_id=${me.id}&action=update&from=${today}&to=${today}`);
  const shown = await page.locator('#audit-list > li').evaluateAll((ls) => ls.map((l) => Number(l.dataset.id)));
  const q = `entity=milestone&user_id=${me.id}&action=update&updated_since=${encodeURIComponent(berlinMidnight(today))}&updated_before=${encodeURIComponent(berlinMidnight(berlinPlus(1)))}&sort=-id&limit=50`;
  const want = (await api(admin, 'GET', `audit?${q}`)).json.items.map((e) => e.id);
  assert.deepEqual(shown, want);
  assert.ok(shown.includes(entry.id), 'the edit of today is in the list');
  for (const li of await page.locator('#audit-list > li').all()) {
    assert.equal(await li.getAttribute('data-action'), 'update');
    assert.equal(await li.getAttribute('data-entity'), 'milestone');
  }
  // the days as typed stay in the form, the English way
  assert.equal(await page.locator('#au-from-en').inputValue(), mdY(today));
  // days before today: the edit is not there
  await goAudit(page, `entity=milestone&entity_id=${entry.entity_id}&to=${berlinPlus(-1)}`);
  assert.equal(await page.locator(`#audit-list li[data-id="${entry.id}"]`).count(), 0);
  assert.equal(await page.locator('#au-count').innerText(), 'No entry matches these filters.');
  // another user's changes only
  await goAudit(page, `entity=milestone&entity_id=${ms.done.id}&user_id=${me.id}`);
  assert.equal(await page.locator('#audit-list > li').count(), 0, 'the admin created it, not the manager');
  // a request: everything it wrote
  await goAudit(page, `request_id=${entry.request_id}`);
  await page.locator(`#audit-list li[data-id="${entry.id}"]`).waitFor();
  assert.equal(await page.locator('#audit-list > li').count(), 1);
  // the form checks what it can before asking
  await page.locator('#au-entity-id').fill('zwölf');
  await page.locator('#au-from-en').fill('31.02.2026');
  await page.locator('#au-filters button[type=submit]').click();
  await page.locator('#au-entity-id-error').waitFor();
  assert.match(await page.locator('#au-from-en-error').innerText(), /Enter the day as 11\/25\/2026/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'au-entity-id');
  assert.equal(await page.evaluate(() => location.hash), `#/audit?request_id=${entry.request_id}`, 'nothing applied');
  // a filter the server refuses (by a hand-made URL) is an error in words
  await goAudit(page, 'action=rename');
  assert.match(await page.locator('main [role=alert]').innerText(), /The server did not accept the request/);
  await page.close();
});

test('audit: "Show more" pages through 57 entries, newest first, none twice (keyboard)', async () => {
  const { manager, admin, pid } = await history();
  // a milestone of our own with 56 changes: 57 entries, more than a page of 50
  const m = (await api(admin, 'POST', 'milestones', { project_id: pid, name: 'Zwischenbericht Nord', kind: 'interim_report', planned_date: plus(60) })).json;
  let version = m.version;
  for (let i = 1; i <= 56; i++) {
    const r = await api(manager, 'PATCH', `milestones/${m.id}`, { notes: `Stand ${i}` }, { 'If-Match': `"${version}"` });
    assert.equal(r.status, 200);
    version = r.json.version;
  }
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await go(page, `/audit?entity=milestone&entity_id=${m.id}`);
  await page.locator('#audit-list > li').first().waitFor();
  assert.equal(await page.locator('#audit-list > li').count(), 50);
  assert.equal(await page.locator('#au-count').innerText(), '50 entries shown, newest first; there are more.');
  const more = page.locator('#au-more');
  await more.focus();
  await page.keyboard.press('Enter');
  await page.locator('#audit-list > li').nth(56).waitFor();
  assert.ok(await more.isHidden(), 'no more to show');
  assert.equal(await page.locator('#au-count').innerText(), '57 entries, newest first.');
  // the focus goes to the first entry that came in
  assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.dataset.id),
    await page.locator('#audit-list > li').nth(50).getAttribute('data-id'));
  const shown = await page.locator('#audit-list > li').evaluateAll((ls) => ls.map((l) => Number(l.dataset.id)));
  const all = [];
  let cursor = null;
  do {
    const r = (await api(admin, 'GET', `audit?entity=milestone&entity_id=${m.id}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json;
    all.push(...r.items.map((e) => e.id));
    cursor = r.next_cursor;
  } while (cursor);
  assert.deepEqual(shown, all.sort((a, b) => b - a));
  assert.equal(ws(await page.locator('#audit-list > li').first().locator('tr[data-field="notes"]').innerText()), 'Notes Stand 55 Stand 56');
  await page.close();
});

test('audit: a segment entry links to the segment page; a contractor cannot open the audit viewer, finance can', async () => {
  const { admin, manager, pid } = await history();
  const lot = (await api(admin, 'POST', 'lots', { project_id: pid, code: `ZP-LOS-${Date.now() % 100000}`, name: 'Los Nord' })).json;
  const node = async (c, lat) => (await api(admin, 'POST', 'nodes', { project_id: pid, code: `${c}-${Date.now() % 100000}`, kind: 'handhole', name: c, lat, lon: 9.9 })).json;
  const a = await node('ZP-N1', 52.1);
  const b = await node('ZP-N2', 52.101);
  const seg = await api(admin, 'POST', 'segments', {
    project_id: pid, lot_id: lot.id, code: `ZP-S-${Date.now() % 100000}`, from_node_id: a.id, to_node_id: b.id, kind: 'trench',
    method: 'open_trench', surface: 'sealed', planned_length_m: 111.5,
    geometry: { type: 'LineString', coordinates: [[9.9, 52.1], [9.9, 52.101]] },
  });
  assert.equal(seg.status, 201, JSON.stringify(seg.json));
  const r = await api(manager, 'PATCH', `segments/${seg.json.id}`, { planned_length_m: 120.25, status: 'permitted', street: 'Am Nordfeld' }, { 'If-Match': `"${seg.json.version}"` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'finance');
  assert.deepEqual(await navTexts(page), ['Übersicht', 'Projekte', 'Karte', 'Abschnitte', 'Meilensteine', 'Berichte', 'Finanzen', 'Protokoll']);
  await page.locator('#nav a', { hasText: 'Protokoll' }).click();
  await page.locator('#audit-list > li').first().waitFor();
  await goAudit(page, `entity=segment&entity_id=${seg.json.id}&action=update`);
  const li = page.locator('#audit-list > li').first();
  await li.waitFor();
  assert.equal(await li.locator('a.au-entity').getAttribute('href'), `#/segments/${seg.json.id}`);
  assert.equal(ws(await li.locator('tr[data-field="planned_length_m"]').innerText()), 'Geplante Länge 111,5 m 120,25 m');
  assert.equal(ws(await li.locator('tr[data-field="status"]').innerText()), 'Status Geplant Genehmigt');
  assert.equal(ws(await li.locator('tr[data-field="street"] td.au-after').innerText()), 'Am Nordfeld');
  assert.deepEqual(await englishOn(page), [], 'English on the German audit viewer');
  // the link opens the segment's page
  await li.locator('a.au-entity').click();
  await page.locator('main h1', { hasText: seg.json.code }).waitFor();
  await page.closeAll();
  // the contractor: not in the navigation, and the page says so in words
  const cp = await newPage(1366, 900);
  await signIn(cp, 'contractor');
  assert.ok(!(await navTexts(cp)).includes('Audit'));
  await cp.goto(`${BASE}/#/audit`);
  await cp.locator('main h1', { hasText: 'This page is not available to you' }).waitFor();
  assert.equal(await cp.locator('#audit-list').count(), 0);
  await cp.close();
});
