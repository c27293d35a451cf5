// finance.spec.mjs — the finance pages (page-finance.js and its sections:
// invoices, CSV import, budget plan, drawdowns, Sachbericht) in German and
// English, at 1366 and 390 px. The tests make their own project with two
// lots and their own invoices, so that the demo's figures that other tests
// count stay as they are; invoice numbers carry a tag of the run, since a
// contractor's invoice numbers are unique across projects.
//
// One test needs GET /api/v1/drawdowns/{id}/workbook.xlsx, which comes with
// the Mittelabruf workbook: run it alone with FT_WEB_GREP=workbook.

import assert from 'node:assert/strict';
import {
  BASE, test, api, apiLogin, newPage, signIn, go, shot, localePage, englishOn, noHorizontalScroll, navTexts, ws,
} from './harness.mjs';

// ---- money and dates as the finance pages write them ------------------------------------

/** Cents as the finance pages show them: always with the cents. */
const eur = (loc, cents) => new Intl.NumberFormat(loc, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(cents / 100);
/** Cents as a money input holds them: "1234,56" / "1234.56". */
const input = (loc, cents) => new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false }).format(cents / 100);
const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
/** The quarter of a date, shifted by `by` quarters: {from, to, q, year}. */
function quarter(day, by = 0) {
  const y = Number(day.slice(0, 4));
  const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + by;
  const yy = y + Math.floor(q / 4);
  const qq = ((q % 4) + 4) % 4;
  const last = new Date(Date.UTC(yy, qq * 3 + 3, 0)).getUTCDate();
  return { from: `${yy}-${String(qq * 3 + 1).padStart(2, '0')}-01`, to: `${yy}-${String(qq * 3 + 3).padStart(2, '0')}-${last}`, q: qq + 1, year: yy };
}
const sum = (xs, f) => xs.reduce((a, x) => a + (f(x) || 0), 0);

/** Waits (briefly) until the element with this id has the focus: a dialog gives it back on its close event. */
async function focusIs(page, id, what) {
  await page.waitForFunction((x) => document.activeElement && document.activeElement.id === x, id, { timeout: 3000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement.id), id, what);
}

// ---- the test project -------------------------------------------------------------------

let made = null;
/** A project of our own with two lots (one per demo contractor), made once. */
async function fin() {
  if (made) return made;
  const admin = (await apiLogin('admin@musterstadt.example')).token;
  const finance = (await apiLogin('finance@musterstadt.example')).token;
  const manager = (await apiLogin('manager@musterstadt.example')).token;
  const tag = `FI${Date.now().toString(36).toUpperCase()}`;
  const cs = (await api(admin, 'GET', 'contractors?limit=1000')).json.items;
  const c1 = cs.find((c) => c.name === 'Tiefbau Nord GmbH');
  const c2 = cs.find((c) => c.name === 'Glasfaser Montage Süd GmbH');
  assert.ok(c1 && c2, 'the demo contractors');
  const p = await api(admin, 'POST', 'projects', {
    code: tag, name: 'Glasfaser Ortsteil Süd', municipality: 'Stadt Musterstadt', grant_reference: 'FKZ 01-BB-2026-0099',
    budget_cents: 250000000, federal_rate: 0.5, state_rate: 0.4, start_date: '2026-01-01', planned_end_date: '2027-12-31',
  });
  assert.equal(p.status, 201, JSON.stringify(p.json));
  const pid = p.json.id;
  const lot = async (code, name, c) => {
    const r = await api(admin, 'POST', 'lots', { project_id: pid, code, name, contractor_id: c.id });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };
  const lotA = await lot('LOS-A', 'Los A Tiefbau', c1);
  const lotB = await lot('LOS-B', 'Los B Montage', c2);
  made = { admin, finance, manager, tag, c1, c2, pid, code: tag, lotA, lotB };
  return made;
}

/** An invoice of the test project, made through the API. */
async function invoice(f, body) {
  const r = await api(f.finance, 'POST', 'invoices', {
    project_id: f.pid, lot_id: f.lotA.id, contractor_id: f.c1.id, invoice_date: '2026-10-01', category: 'civil_works',
    net_cents: 100000, vat_cents: 19000, eligible_cents: 100000, status: 'received', ...body,
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

async function invoices(f) {
  return (await api(f.finance, 'GET', `invoices?project_id=${f.pid}&limit=1000`)).json.items;
}

/** Opens a finance section and waits until it is drawn. */
async function section(page, f, name, query = '') {
  await go(page, `/projects/${f.pid}/finance/${name}${query}`);
  await page.locator(`#fi-sec-${name} #fi-h2`).waitFor();
  await page.locator('#fi-body .loading, main .loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
}

// ---- invoices ----------------------------------------------------------------------------

test('finance: an invoice typed with German decimal commas is stored in cents; a rule the server checks shows at its field (de-DE, 1366 px)', async () => {
  const f = await fin();
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'invoices');
  assert.equal(await page.locator('main h1').innerText(), `Finanzen: ${f.code}`);
  await page.locator('#fi-new').click();
  const dlg = page.locator('#fi-inv-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.locator('h2').innerText(), 'Neue Rechnung');
  const number = `${f.tag}-D1`;
  await page.locator('#fi-i-number').fill(number);
  await page.locator('#fi-i-date').fill('2026-10-15');
  await page.locator('#fi-i-lot').selectOption(String(f.lotA.id));
  assert.equal(await page.locator('#fi-i-contractor').inputValue(), String(f.c1.id), 'the lot chose its contractor');
  await page.locator('#fi-i-category').selectOption('civil_works');
  await page.locator('#fi-i-net').fill('12.345,67');
  await page.locator('#fi-i-vat19').click();
  assert.equal(await page.locator('#fi-i-vat').inputValue(), '2345,68', '19 % of 12.345,67, rounded to the cent');
  // more eligible than net: said at the field before anything is sent
  await page.locator('#fi-i-eligible').fill('20.000');
  await page.locator('#fi-i-save').click();
  assert.match(await page.locator('#fi-i-eligible-error').innerText(), /darf nicht höher sein als der Nettobetrag/);
  await page.locator('#fi-i-eligible').fill('12000,5');
  await shot(page, 'finance-invoice-new-de-desktop', false);
  await page.locator('#fi-i-save').click();
  await dlg.waitFor({ state: 'hidden' });
  const row = page.locator(`#fi-invoices tr[data-number="${number}"]`);
  await row.waitFor();
  const text = ws(await row.innerText());
  for (const c of [1234567, 234568, 1200050]) assert.ok(text.includes(ws(eur('de-DE', c))), `${eur('de-DE', c)} in: ${text}`);
  assert.ok(text.includes('15.10.2026'), text);
  await focusIs(page, 'fi-new', 'the focus is back on the button');
  let inv = (await invoices(f)).find((i) => i.number === number);
  assert.deepEqual(
    [inv.net_cents, inv.vat_cents, inv.eligible_cents, inv.lot_id, inv.contractor_id, inv.status, inv.paid_date],
    [1234567, 234568, 1200050, f.lotA.id, f.c1.id, 'received', null]);

  // edit: the lot of another contractor is refused by the server, in German, at the lot
  await page.locator(`#fi-edit-${inv.id}`).click();
  await dlg.waitFor();
  assert.equal(await page.locator('#fi-i-net').inputValue(), '12345,67');
  await page.locator('#fi-i-contractor').selectOption(String(f.c2.id));
  await page.locator('#fi-i-save').click();
  await page.locator('#fi-i-lot-error').waitFor();
  assert.equal(await page.locator('#fi-i-lot-error').innerText(), 'ist das Los eines anderen Auftragnehmers');
  assert.equal(await page.locator('#fi-i-lot').getAttribute('aria-invalid'), 'true');
  await shot(page, 'finance-invoice-422-de-desktop', false);
  // back to the lot's contractor; paid, with a grouped amount
  await page.locator('#fi-i-contractor').selectOption(String(f.c1.id));
  await page.locator('#fi-i-net').fill('15.000');
  await page.locator('#fi-i-eligible').fill('15.000,00');
  await page.locator('#fi-i-status').selectOption('paid');
  assert.equal(await page.locator('#fi-i-paid').inputValue(), todayIso(), 'a paid invoice starts paid today');
  await page.locator('#fi-i-paid').fill('2026-11-02');
  await page.locator('#fi-i-save').click();
  await dlg.waitFor({ state: 'hidden' });
  await page.getByText(`Rechnung ${number} ist gespeichert.`).first().waitFor();
  inv = (await api(f.finance, 'GET', `invoices/${inv.id}`)).json;
  assert.deepEqual([inv.net_cents, inv.eligible_cents, inv.status, inv.paid_date, inv.version], [1500000, 1500000, 'paid', '2026-11-02', 2]);
  assert.match(ws(await row.innerText()), /Bezahlt bezahlt am 02\.11\.2026/);
  assert.deepEqual(await englishOn(page), []);
  await page.closeAll();
});

test('finance: an invoice changed by someone else meanwhile (412) shows their change, and mine applies on top', async () => {
  const f = await fin();
  const inv = await invoice(f, { number: `${f.tag}-C1`, net_cents: 100000, eligible_cents: 100000 });
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'invoices', `?q=${f.tag}-C1`);
  await page.locator(`#fi-edit-${inv.id}`).click();
  await page.locator('#fi-inv-dialog').waitFor();
  // meanwhile an admin moves it to another cost category
  const r = await api(f.admin, 'PATCH', `invoices/${inv.id}`, { category: 'materials' }, { 'If-Match': `"${inv.version}"` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  await page.locator('#fi-i-net').fill('1,500.25');
  await page.locator('#fi-i-eligible').fill('1500.25');
  await page.locator('#fi-i-save').click();
  const box = page.locator('#fi-conflict');
  await box.waitFor();
  assert.match(await box.innerText(), /Someone else changed this meanwhile/);
  assert.equal(ws(await box.locator('li[data-field="category"]').innerText()), 'Cost category: Civil works → Materials');
  assert.equal(await page.locator('#fi-i-category').inputValue(), 'materials', 'their change is in the form');
  assert.equal(await page.locator('#fi-i-net').inputValue(), '1500.25', 'mine is kept');
  await focusIs(page, 'fi-apply-again');
  await shot(page, 'finance-invoice-412-en-desktop', false);
  await page.locator('#fi-apply-again').click();
  await page.locator('#fi-inv-dialog').waitFor({ state: 'hidden' });
  const now = (await api(f.finance, 'GET', `invoices/${inv.id}`)).json;
  assert.deepEqual([now.category, now.net_cents, now.eligible_cents, now.version], ['materials', 150025, 150025, 3]);
  assert.ok(ws(await page.locator(`tr[data-id="${inv.id}"]`).innerText()).includes('Materials'));
  await page.close();
});

test('finance: invoice filters in the URL, the sums of the view, and delete after asking (1366 and 390 px)', async () => {
  const f = await fin();
  const q = `${f.tag}-F`;
  const made = [
    await invoice(f, { number: `${q}1`, category: 'cabling', invoice_date: '2026-04-10', net_cents: 1000050, vat_cents: 190010, eligible_cents: 900000, lot_id: f.lotB.id, contractor_id: f.c2.id }),
    await invoice(f, { number: `${q}2`, category: 'cabling', invoice_date: '2026-08-20', net_cents: 250000, vat_cents: 47500, eligible_cents: 250000, lot_id: f.lotB.id, contractor_id: f.c2.id, status: 'paid', paid_date: '2026-09-01' }),
    await invoice(f, { number: `${q}3`, category: 'planning', invoice_date: '2026-05-05', net_cents: 333333, vat_cents: 63333, eligible_cents: 300000 }),
    await invoice(f, { number: `${q}4`, category: 'cabling', invoice_date: '2026-12-01', net_cents: 77777, vat_cents: 14778, eligible_cents: 0, lot_id: f.lotB.id, contractor_id: f.c2.id }),
  ];
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'invoices');
  await page.locator('#fi-q').fill(q);
  await page.locator('#fi-q').press('Enter');
  await page.locator('#fi-category').selectOption('cabling');
  await page.locator('#fi-from').fill('2026-04-01');
  await page.locator('#fi-from').dispatchEvent('change');
  await page.locator('#fi-to').fill('2026-09-30');
  await page.locator('#fi-to').dispatchEvent('change');
  const want = made.filter((i) => i.category === 'cabling' && i.invoice_date >= '2026-04-01' && i.invoice_date <= '2026-09-30');
  assert.equal(want.length, 2);
  await page.waitForFunction((n) => document.querySelectorAll('#fi-invoices tbody tr').length === n, want.length);
  assert.deepEqual(await page.locator('#fi-invoices tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.number)), [`${q}2`, `${q}1`], 'newest first');
  const hash = await page.evaluate(() => location.hash);
  for (const p of [`q=${q}`, 'category=cabling', 'from=2026-04-01', 'to=2026-09-30']) assert.ok(hash.includes(p), hash);
  const sums = async () => Object.fromEntries(await page.locator('#fi-sums > div').evaluateAll((ds) => ds.map((d) => [d.dataset.sum, d.querySelector('dd').textContent])));
  let s = await sums();
  assert.equal(ws(s.net), ws(eur('en-US', sum(want, (i) => i.net_cents))));
  assert.equal(ws(s.vat), ws(eur('en-US', sum(want, (i) => i.vat_cents))));
  assert.equal(ws(s.eligible), ws(eur('en-US', sum(want, (i) => i.eligible_cents))));
  assert.equal(ws(s.paid), ws(eur('en-US', 250000 + 47500)));
  assert.equal(await page.locator('#fi-count').innerText(), '2 of ' + (await invoices(f)).length + ' invoices match');
  // the table's foot sums the same
  assert.equal(ws(await page.locator('#fi-invoices tfoot td.net').innerText()), ws(eur('en-US', sum(want, (i) => i.net_cents))));
  await shot(page, 'finance-invoices-filtered-en-desktop');
  // a reload shows the same view
  await page.reload();
  await page.locator('#fi-invoices tbody tr').first().waitFor();
  assert.equal(await page.locator('#fi-category').inputValue(), 'cabling');
  assert.equal(await page.locator('#fi-invoices tbody tr').count(), 2);

  // delete, after asking; Cancel first leaves it
  const gone = made[1];
  const askDelete = async () => {
    await page.locator(`#fi-edit-${gone.id}`).click();
    await page.locator('#fi-inv-dialog').waitFor();
    await page.locator('#fi-i-delete').click();
  };
  await askDelete();
  const ask = page.locator('#fi-del-dialog');
  await ask.waitFor();
  assert.match(await ask.innerText(), new RegExp(`Invoice ${gone.number} of Glasfaser Montage Süd GmbH`));
  await focusIs(page, 'fi-del-dialog-no', 'the safe choice has the focus');
  await page.keyboard.press('Enter');
  await ask.waitFor({ state: 'detached' });
  assert.equal((await api(f.finance, 'GET', `invoices/${gone.id}`)).status, 200, 'Cancel deletes nothing');
  await focusIs(page, `fi-edit-${gone.id}`, 'back on the invoice');
  await askDelete();
  await page.locator('#fi-del-dialog-yes').click();
  await page.locator(`tr[data-id="${gone.id}"]`).waitFor({ state: 'detached' });
  await ask.waitFor({ state: 'detached' });
  await focusIs(page, 'fi-new', 'the focus goes to the list\'s first control');
  assert.equal((await api(f.finance, 'GET', `invoices/${gone.id}`)).status, 404);
  s = await sums();
  assert.equal(ws(s.net), ws(eur('en-US', made[0].net_cents)));
  await page.close();

  // on a phone: the same view as cards, nothing sideways
  const phone = await newPage(390, 844);
  await signIn(phone, 'finance');
  await section(phone, f, 'invoices', `?q=${q}&category=cabling`);
  await phone.locator('#fi-invoices tbody tr').first().waitFor();
  assert.equal(await phone.locator('#fi-invoices tbody tr').count(), 2);
  await noHorizontalScroll(phone);
  await shot(phone, 'finance-invoices-filtered-en-phone');
  await phone.close();
});

// ---- the CSV import ----------------------------------------------------------------------

test('finance: CSV import — the dry run lists every bad line by number, column and reason in German; a clean file imports and the list shows it (de-DE)', async () => {
  const f = await fin();
  const n = (k) => `${f.tag}-I${k}`;
  const head = 'Rechnungsnummer;Rechnungsdatum;Kostenart;Netto;USt;Förderfähig;Status;bezahlt am;Los';
  const bad = [head,
    `${n(1)};01.10.2026;Tiefbau;1.234,56;234,57;1.000,00;bezahlt;15.10.2026;LOS-A`,
    `${n(2)};32.10.2026;Zauberei;12,345;;;;;LOS-A`,
    `${n(3)};05.10.2026;Planung;100,00;19,00;200,00;eingegangen;;LOS-B`,
    `${n(4)};06.10.2026;Material;50,00;;;;;LOS-Z`,
  ].join('\r\n');
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'import');
  assert.equal(await page.locator('#fi-imp-check').isDisabled(), true, 'nothing to check before a file is chosen');
  await page.locator('#fi-imp-file').setInputFiles({ name: 'rechnungen.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') });
  await page.locator('#fi-imp-check').click();
  await page.locator('#fi-imp-failed').waitFor();
  assert.match(await page.locator('#fi-imp-failed').innerText(), /Die Datei lässt sich so nicht importieren\. Es wurde nichts importiert\./);
  assert.match(await page.locator('#fi-imp-failed').innerText(), /5 Fehler in 4 Rechnungen\./);
  const problems = await page.locator('#fi-imp-problems tbody tr').evaluateAll((rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  const has = (line, column, reason) => assert.ok(problems.some(([l, c, p]) => l === line && c === column && p.includes(reason)),
    `line ${line}, ${column}: ${reason} — in ${JSON.stringify(problems)}`);
  has('3', 'Rechnungsdatum', 'ist kein Datum wie 25.11.2026 oder 2026-11-25');
  has('3', 'Kostenart', 'ist keine Kostenart; möglich sind: Tiefbau, Verkabelung, Spleißarbeiten, Planung, Material, Sonstiges');
  has('3', 'Netto', 'hat mehr als zwei Nachkommastellen');
  has('4', 'Förderfähig', 'darf nicht höher sein als der Nettobetrag');
  has('5', 'Los', 'ist kein Los dieses Projekts');
  assert.equal(problems.length, 5);
  assert.equal(await page.locator('#fi-imp-go').count(), 0, 'no import while the check finds problems');
  assert.equal((await invoices(f)).filter((i) => i.number.startsWith(`${f.tag}-I`)).length, 0, 'the dry run wrote nothing');
  assert.deepEqual(await englishOn(page), []);
  await shot(page, 'finance-import-problems-de-desktop');

  // the corrected file: checked, previewed, then imported
  const good = [head,
    `${n(1)};01.10.2026;Tiefbau;1.234,56;234,57;1.000,00;bezahlt;15.10.2026;LOS-A`,
    `${n(2)};02.10.2026;Verkabelung;12.345,00;;;;;LOS-B`,
    `${n(3)};05.10.2026;Planung;100,00;19,00;80,00;eingegangen;;LOS-B`,
    `${n(4)};06.10.2026;Material;50,00;;;geprüft;;LOS-A`,
  ].join('\r\n');
  await page.locator('#fi-imp-file').setInputFiles({ name: 'rechnungen.csv', mimeType: 'text/csv', buffer: Buffer.from(good, 'utf8') });
  assert.equal(await page.locator('#fi-imp-out').innerText(), '', 'a new file clears the old result');
  await page.locator('#fi-imp-check').click();
  await page.locator('#fi-imp-clean').waitFor();
  assert.match(await page.locator('#fi-imp-clean').innerText(), /4 Rechnungen: 4 neu, 0 zu aktualisieren, 0 unverändert\./);
  assert.deepEqual(await page.locator('#fi-imp-results tbody tr').evaluateAll((rs) => rs.map((r) => `${r.dataset.line}:${r.dataset.outcome}`)),
    ['2:created', '3:created', '4:created', '5:created']);
  assert.equal((await invoices(f)).filter((i) => i.number.startsWith(`${f.tag}-I`)).length, 0, 'still nothing imported');
  await focusIs(page, 'fi-imp-go');
  assert.equal(await page.locator('#fi-imp-go').innerText(), '4 Rechnungen importieren');
  await shot(page, 'finance-import-preview-de-desktop');
  await page.locator('#fi-imp-go').click();
  await page.locator('#fi-imp-done').waitFor();
  assert.match(await page.locator('#fi-imp-done').innerText(), /Importiert: 4 angelegt, 0 aktualisiert, 0 unverändert\./);
  const imported = (await invoices(f)).filter((i) => i.number.startsWith(`${f.tag}-I`));
  assert.equal(imported.length, 4);
  const first = imported.find((i) => i.number === n(1));
  assert.deepEqual([first.net_cents, first.vat_cents, first.eligible_cents, first.status, first.paid_date, first.lot_id, first.contractor_id],
    [123456, 23457, 100000, 'paid', '2026-10-15', f.lotA.id, f.c1.id]);
  assert.deepEqual([imported.find((i) => i.number === n(2)).net_cents, imported.find((i) => i.number === n(2)).eligible_cents], [1234500, 0], 'no eligible amount: not eligible');
  await page.locator('#fi-imp-list').click();
  await page.locator('#fi-invoices tbody tr').first().waitFor();
  for (let k = 1; k <= 4; k++) await page.locator(`#fi-invoices tr[data-number="${n(k)}"]`).waitFor();

  // Excel's own CSV (Windows-1252): read as such, and the same list is unchanged
  await section(page, f, 'import');
  await page.locator('#fi-imp-file').setInputFiles({ name: 'rechnungen-excel.csv', mimeType: 'text/csv', buffer: Buffer.from(good, 'latin1') });
  await page.locator('#fi-imp-check').click();
  await page.locator('#fi-imp-clean').waitFor();
  assert.match(await page.locator('#fi-imp-out').innerText(), /als Windows-1252 gelesen/);
  assert.match(await page.locator('#fi-imp-clean').innerText(), /4 Rechnungen: 0 neu, 0 zu aktualisieren, 4 unverändert\./);
  // a whole-file reason, in words
  await page.locator('#fi-imp-file').setInputFiles({ name: 'falsch.csv', mimeType: 'text/csv', buffer: Buffer.from('Rechnungsnummer;Betrag\r\nX;1\r\n', 'utf8') });
  await page.locator('#fi-imp-check').click();
  await page.locator('#fi-imp-failed').waitFor();
  assert.match(await page.locator('#fi-imp-failed').innerText(), /Die Spalte „Betrag“ ist unbekannt\./);
  assert.deepEqual(await englishOn(page), []);
  await page.closeAll();
});

// ---- the budget plan ----------------------------------------------------------------------

test('finance: budget plan — a cell planned with a German amount, and every sum of the grid matches the API (de-DE, 1366 and 390 px)', async () => {
  const f = await fin();
  await invoice(f, { number: `${f.tag}-B1`, category: 'civil_works', invoice_date: '2027-02-01', net_cents: 5000000, vat_cents: 950000, eligible_cents: 4800000 });
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'budget');
  await page.locator('#fi-budget').waitFor();
  assert.deepEqual(await page.locator('#fi-budget thead th').allInnerTexts(), ['Kostenart', '2026', '2027', 'Summe'], 'the project\'s years');
  const plan = async (cat, year, amount, cents) => {
    await page.locator(`#fi-plan-${cat}-${year}`).click();
    await page.locator('#fi-bud-dialog').waitFor();
    await page.locator('#fi-bud-amount').fill(amount);
    await page.locator('#fi-bud-save').click();
    await page.locator('#fi-bud-dialog').waitFor({ state: 'hidden' });
    await page.locator(`td.fi-bud-cell[data-category="${cat}"][data-year="${year}"][data-plan="${cents}"]`).waitFor();
  };
  await plan('civil_works', 2026, '250.000', 25000000);
  await plan('cabling', 2027, '80.000,50', 8000050);
  await plan('civil_works', 2027, '1.200.000,00', 120000000);
  // changed again: the line is updated, not doubled
  await plan('civil_works', 2027, '1.150.000', 115000000);
  await focusIs(page, 'fi-plan-civil_works-2027', 'the focus is back on the cell');

  const lines = (await api(f.finance, 'GET', `budget-lines?project_id=${f.pid}`)).json.items;
  assert.deepEqual(lines.map((l) => `${l.category}/${l.year}/${l.planned_cents}`).sort(),
    ['cabling/2027/8000050', 'civil_works/2026/25000000', 'civil_works/2027/115000000']);
  const all = await invoices(f);
  const actual = (cat, year) => sum(all.filter((i) => (!cat || i.category === cat) && (!year || i.invoice_date.startsWith(String(year)))), (i) => i.eligible_cents);
  const planned = (cat, year) => sum(lines.filter((l) => (!cat || l.category === cat) && (!year || l.year === year)), (l) => l.planned_cents);
  // every cell, every row total, every year total and the grand total
  const cells = await page.locator('td.fi-bud-cell').evaluateAll((ts) => ts.map((td) => ({ c: td.dataset.category, y: Number(td.dataset.year), plan: Number(td.dataset.plan), actual: Number(td.dataset.actual) })));
  assert.equal(cells.length, 6 * 2);
  for (const x of cells) assert.deepEqual([x.plan, x.actual], [planned(x.c, x.y), actual(x.c, x.y)], `${x.c} ${x.y}`);
  const rows = await page.locator('#fi-budget tbody tr').evaluateAll((rs) => rs.map((r) => ({ c: r.dataset.category, plan: Number(r.querySelector('.fi-bud-total').dataset.plan), actual: Number(r.querySelector('.fi-bud-total').dataset.actual) })));
  for (const x of rows) assert.deepEqual([x.plan, x.actual], [planned(x.c), actual(x.c)], x.c);
  const years = await page.locator('#fi-budget tfoot td[data-year]').evaluateAll((ts) => ts.map((td) => ({ y: Number(td.dataset.year), plan: Number(td.dataset.plan), actual: Number(td.dataset.actual) })));
  for (const x of years) assert.deepEqual([x.plan, x.actual], [planned(null, x.y), actual(null, x.y)], String(x.y));
  const grand = page.locator('#fi-bud-grand');
  assert.deepEqual([Number(await grand.getAttribute('data-plan')), Number(await grand.getAttribute('data-actual'))], [planned(), actual()]);
  const grandText = ws(await grand.innerText());
  assert.ok(grandText.includes(ws(eur('de-DE', planned()))) && grandText.includes(ws(eur('de-DE', actual()))), grandText);
  // the facts beside the grid
  const facts = Object.fromEntries(await page.locator('#fi-bud-facts > div').evaluateAll((ds) => ds.map((d) => [d.dataset.fact, d.querySelector('dd').firstChild.textContent])));
  assert.equal(ws(facts.plan), ws(eur('de-DE', planned())));
  assert.equal(ws(facts.approved), ws(eur('de-DE', 250000000)));
  assert.equal(ws(facts.unplanned), ws(eur('de-DE', 250000000 - planned())));
  assert.equal(ws(facts.invoiced), ws(eur('de-DE', actual())));
  // a year of its own
  await page.locator('#fi-bud-year').fill('2028');
  await page.locator('#fi-bud-year').press('Enter');
  await page.locator('#fi-plan-civil_works-2028').waitFor();
  await focusIs(page, 'fi-plan-civil_works-2028');
  assert.deepEqual(await englishOn(page), []);
  await shot(page, 'finance-budget-de-desktop');
  await page.closeAll();

  const phone = await localePage('de-DE', 390, 844);
  await signIn(phone, 'finance');
  await section(phone, f, 'budget');
  await phone.locator('#fi-budget').waitFor();
  await noHorizontalScroll(phone);
  assert.deepEqual(await englishOn(phone), []);
  await shot(phone, 'finance-budget-de-phone');
  await phone.closeAll();
});

// ---- drawdowns -----------------------------------------------------------------------------

test('finance: drawdown — drafted from the period\'s invoices, an overlap refused in words, submitted after asking (then frozen), payment recorded', async () => {
  const f = await fin();
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'drawdowns');
  await page.locator('#fi-dd-new').click();
  await page.locator('#fi-dd-dialog').waitFor();
  assert.equal(await page.locator('#fi-dd-from').inputValue(), '2026-01-01', 'the first starts with the project');
  assert.equal(await page.locator('#fi-dd-to').inputValue(), '2026-03-31', 'and ends with that quarter');
  await page.locator('#fi-dd-from').fill('2026-10-01');
  await page.locator('#fi-dd-to').fill('2026-12-31');
  await page.locator('#fi-dd-to').dispatchEvent('change');
  const inPeriod = (await invoices(f)).filter((i) => i.invoice_date >= '2026-10-01' && i.invoice_date <= '2026-12-31');
  const eligible = sum(inPeriod, (i) => i.eligible_cents);
  assert.ok(eligible > 0);
  assert.match(ws(await page.locator('#fi-dd-suggest').innerText()), new RegExp(`${inPeriod.length} invoices in this period, ${ws(eur('en-US', eligible)).replace(/[.$]/g, '\\$&')} eligible`));
  await page.locator('#fi-dd-use').click();
  const federal = Math.round(eligible * 0.5);
  const state = Math.round(eligible * 0.4);
  assert.equal(await page.locator('#fi-dd-federal').inputValue(), input('en-US', federal));
  assert.equal(await page.locator('#fi-dd-state').inputValue(), input('en-US', state));
  await page.locator('#fi-dd-note').fill('Viertes Quartal, Lose A und B');
  await page.locator('#fi-dd-save').click();
  await page.locator('#fi-dd-dialog').waitFor({ state: 'hidden' });
  let dd = (await api(f.finance, 'GET', `drawdowns?project_id=${f.pid}`)).json.items[0];
  assert.deepEqual([dd.number, dd.state, dd.federal_requested_cents, dd.state_requested_cents, dd.period_from, dd.period_to],
    [1, 'draft', federal, state, '2026-10-01', '2026-12-31']);
  const row = page.locator(`#fi-drawdowns tr[data-id="${dd.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-state'), 'draft');

  // a second one that overlaps: refused at the field, in words
  await page.locator('#fi-dd-new').click();
  assert.equal(await page.locator('#fi-dd-from').inputValue(), '2027-01-01', 'the next one starts after the last');
  await page.locator('#fi-dd-from').fill('2026-12-01');
  await page.locator('#fi-dd-to').fill('2027-03-31');
  await page.locator('#fi-dd-federal').fill('1000');
  await page.locator('#fi-dd-save').click();
  await page.locator('#fi-dd-from-error').waitFor();
  assert.match(await page.locator('#fi-dd-from-error').innerText(), /overlaps drawdown no\. 1 \(Oct 1, 2026 to Dec 31, 2026\)/);
  await page.keyboard.press('Escape');
  await page.locator('#fi-dd-dialog').waitFor({ state: 'hidden' });

  // submit: asked first, then frozen
  await page.locator(`#fi-dd-submit-${dd.id}`).click();
  const ask = page.locator('#fi-dd-submit-dialog');
  await ask.waitFor();
  assert.match(await ask.innerText(), /frozen: it can no longer be changed or deleted/);
  await shot(page, 'finance-drawdown-submit-en-desktop', false);
  await page.locator('#fi-dd-submit-dialog-yes').click();
  await ask.waitFor({ state: 'detached' });
  await page.locator(`#fi-drawdowns tr[data-id="${dd.id}"][data-state="submitted"]`).waitFor();
  for (const b of ['edit', 'submit', 'delete']) assert.equal(await page.locator(`#fi-dd-${b}-${dd.id}`).count(), 0, `a submitted drawdown has no ${b}`);
  dd = (await api(f.finance, 'GET', `drawdowns/${dd.id}`)).json;
  assert.equal(dd.state, 'submitted');
  assert.ok(dd.requested_at);
  assert.equal((await api(f.finance, 'PATCH', `drawdowns/${dd.id}`, { note: 'x' }, { 'If-Match': `"${dd.version}"` })).status, 409, 'the API agrees: frozen');

  // the payment arrives
  await page.locator(`#fi-dd-receive-${dd.id}`).click();
  await page.locator('#fi-dd-receive-dialog').waitFor();
  assert.equal(await page.locator('#fi-dd-received-at').inputValue(), todayIso());
  assert.equal(await page.locator('#fi-dd-federal-received').inputValue(), input('en-US', federal), 'what was requested, to start with');
  await page.locator('#fi-dd-state-received').fill('1,000.99');
  await page.locator('#fi-dd-receive-save').click();
  await page.locator('#fi-dd-receive-dialog').waitFor({ state: 'hidden' });
  await page.locator(`#fi-drawdowns tr[data-id="${dd.id}"][data-state="received"]`).waitFor();
  dd = (await api(f.finance, 'GET', `drawdowns/${dd.id}`)).json;
  assert.deepEqual([dd.state, dd.received_at, dd.federal_received_cents, dd.state_received_cents], ['received', todayIso(), federal, 100099]);
  assert.equal(await page.locator(`#fi-dd-receive-${dd.id}`).count(), 0);
  const facts = Object.fromEntries(await page.locator('.fi-dd-facts > div').evaluateAll((ds) => ds.map((d) => [d.dataset.fact, [Number(d.dataset.federal), Number(d.dataset.state)]])));
  assert.deepEqual(facts.grant, [125000000, 100000000]);
  assert.deepEqual(facts.requested, [federal, state]);
  assert.deepEqual(facts.received, [federal, 100099]);
  assert.deepEqual(facts.remaining, [125000000 - federal, 100000000 - state]);
  await shot(page, 'finance-drawdowns-en-desktop');
  await page.close();
});

test('finance: the drawdown\'s Mittelabruf workbook downloads as an xlsx (needs GET /drawdowns/{id}/workbook.xlsx)', async () => {
  const f = await fin();
  let dd = (await api(f.finance, 'GET', `drawdowns?project_id=${f.pid}&limit=1000`)).json.items.sort((a, b) => a.number - b.number)[0];
  if (!dd) {
    const r = await api(f.finance, 'POST', 'drawdowns', { project_id: f.pid, period_from: '2026-01-01', period_to: '2026-03-31', federal_requested_cents: 100000, state_requested_cents: 80000 });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    dd = r.json;
  }
  const res = await fetch(`${BASE}/api/v1/drawdowns/${dd.id}/workbook.xlsx`, { headers: { Authorization: `Bearer ${f.finance}` } });
  assert.equal(res.status, 200, `GET /drawdowns/${dd.id}/workbook.xlsx answers ${res.status}: the workbook route is not on this server yet`);
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'drawdowns');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#fi-dd-wb-${dd.id}`).click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx is a zip file');
  assert.ok(bytes.includes(Buffer.from('xl/workbook.xml')), 'with a workbook in it');
  await page.locator('#fi-dd-msg .msg-ok').waitFor();
  await page.close();
});

// ---- the Sachbericht ---------------------------------------------------------------------------

test('finance: Sachbericht — a manager writes and edits a period\'s text (412: theirs beside mine), a period is written once; finance reads (de-DE)', async () => {
  const f = await fin();
  const page = await localePage('de-DE', 1366, 900);
  await signIn(page, 'manager');
  await section(page, f, 'notes');
  const last = quarter(todayIso(), -1);
  await page.locator('#fi-nt-last').click();
  assert.equal(await page.locator('#fi-nt-from').inputValue(), last.from);
  assert.equal(await page.locator('#fi-nt-to').inputValue(), last.to);
  await page.locator('#fi-nt-save').click();
  assert.match(await page.locator('#fi-nt-text-error').innerText(), /Bitte den Text für den Zeitraum schreiben/);
  const text = 'Tiefbau in Los A abgeschlossen.\nIn Los B hat der Kabelzug begonnen; zwei Querungen verzögern sich.';
  await page.locator('#fi-nt-text').fill(text);
  await page.locator('#fi-nt-save').click();
  const art = page.locator(`article.fi-note[data-from="${last.from}"]`);
  await art.waitFor();
  assert.match(await art.locator('h4').innerText(), new RegExp(`^${last.q}\\. Quartal ${last.year}`));
  assert.equal(await art.locator('.fi-note-text').innerText(), text);
  let note = (await api(f.manager, 'GET', `report-notes?project_id=${f.pid}`)).json.items.find((n) => n.period_from === last.from);
  assert.equal(note.text, text);
  // the same period again: there is a text for it already
  await page.locator('#fi-nt-last').click();
  await page.locator('#fi-nt-text').fill('Noch einmal');
  await page.locator('#fi-nt-save').click();
  await page.getByText(`Für ${last.q}. Quartal ${last.year} gibt es schon einen Text.`).waitFor();

  // edit in place; meanwhile an admin changes it: theirs is shown, mine is kept and saved on request
  await page.locator(`#fi-nt-edit-${note.id}`).click();
  await page.locator(`#fi-nt-e-text-${note.id}`).waitFor();
  const r = await api(f.admin, 'PATCH', `report-notes/${note.id}`, { text: `${text}\nErgänzt von der Administration.` }, { 'If-Match': `"${note.version}"` });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const mine = `${text}\nDie Querungen sind inzwischen genehmigt.`;
  await page.locator(`#fi-nt-e-text-${note.id}`).fill(mine);
  await page.locator(`#fi-nt-e-save-${note.id}`).click();
  await page.locator('#fi-conflict').waitFor();
  assert.match(await page.locator('#fi-conflict .fi-theirs').innerText(), /Ergänzt von der Administration\./);
  assert.equal(await page.locator(`#fi-nt-e-text-${note.id}`).inputValue(), mine);
  await shot(page, 'finance-notes-412-de-desktop');
  await page.locator(`#fi-nt-mine-${note.id}`).click();
  await page.locator(`#fi-nt-edit-${note.id}`).waitFor();
  note = (await api(f.manager, 'GET', `report-notes/${note.id}`)).json;
  assert.deepEqual([note.text, note.version], [mine, 3]);
  assert.deepEqual(await englishOn(page), []);
  await page.closeAll();

  // finance reads it, without the writing controls
  const fp = await localePage('de-DE', 1366, 900);
  await signIn(fp, 'finance');
  await section(fp, f, 'notes');
  await fp.locator(`article.fi-note[data-id="${note.id}"]`).waitFor();
  assert.equal(await fp.locator(`article.fi-note[data-id="${note.id}"] .fi-note-text`).innerText(), mine);
  assert.equal(await fp.locator('#fi-nt-new').count(), 0);
  assert.equal(await fp.locator(`#fi-nt-edit-${note.id}`).count(), 0);
  assert.match(await fp.locator('#fi-readonly').innerText(), /geschrieben wird er von der Projektleitung/);
  await fp.closeAll();
});

// ---- roles ------------------------------------------------------------------------------------

test('finance: a manager reads every section without writing controls and has no import; a contractor cannot open the finance pages', async () => {
  const f = await fin();
  const page = await newPage(1366, 900);
  await signIn(page, 'manager');
  assert.ok((await navTexts(page)).includes('Finance'));
  await section(page, f, 'invoices');
  await page.locator('#fi-invoices tbody tr').first().waitFor();
  assert.deepEqual(await page.locator('.fi-sections a').allInnerTexts(), ['Invoices', 'Budget plan', 'Drawdowns', 'Narrative report']);
  assert.equal(await page.locator('#fi-new').count(), 0);
  assert.equal(await page.locator('#fi-invoices button[id^="fi-edit-"], #fi-invoices button[id^="fi-del-"]').count(), 0);
  assert.match(await page.locator('#fi-readonly').innerText(), /You can read the invoices/);
  await go(page, `/projects/${f.pid}/finance/import`);
  await page.getByText('Only finance staff and admins import invoices.').waitFor();
  await section(page, f, 'budget');
  await page.locator('#fi-budget').waitFor();
  assert.equal(await page.locator('.fi-plan-btn, #fi-bud-add').count(), 0);
  await section(page, f, 'drawdowns');
  await page.locator('#fi-drawdowns tbody tr').first().waitFor();
  assert.equal(await page.locator('#fi-dd-new').count(), 0);
  const buttons = await page.locator('#fi-drawdowns tbody button').evaluateAll((bs) => bs.map((b) => b.id.replace(/-\d+$/, '')));
  assert.ok(buttons.length && buttons.every((b) => b === 'fi-dd-wb'), `only the workbook: ${buttons}`);
  await section(page, f, 'notes');
  assert.equal(await page.locator('#fi-nt-new').count(), 1, 'the Sachbericht is the manager\'s to write');
  await page.close();

  const cp = await newPage(1366, 900);
  await signIn(cp, 'contractor');
  assert.ok(!(await navTexts(cp)).includes('Finance'));
  for (const s of ['', '/budget', '/drawdowns']) {
    await go(cp, `/projects/${f.pid}/finance${s}`);
    assert.match(await cp.locator('main h1').innerText(), /not available/i);
  }
  await cp.close();
});

// ---- keyboard ---------------------------------------------------------------------------------

/** Tab until the element with this id has the focus (a date input's parts are stops of their own). */
async function tabTo(page, id, most = 8) {
  for (let i = 0; i < most && (await page.evaluate(() => document.activeElement.id)) !== id; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), id, `Tab reaches #${id}`);
}

test('finance: keyboard alone — from the section links to a recorded invoice, and the focus comes back', async () => {
  const f = await fin();
  const page = await newPage(1366, 900);
  await signIn(page, 'finance');
  await section(page, f, 'budget');
  // the section links work from the keyboard, and the focus stays on them
  await page.locator('#fi-section-budget').focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await focusIs(page, 'fi-section-invoices');
  await page.keyboard.press('Enter');
  await page.locator('#fi-sec-invoices #fi-h2').waitFor();
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'fi-section-invoices');
  await tabTo(page, 'fi-new', 40);
  await page.keyboard.press('Enter');
  await page.locator('#fi-inv-dialog').waitFor();
  await focusIs(page, 'fi-i-number', 'the dialog starts at the number');
  const number = `${f.tag}-K1`;
  await page.keyboard.type(number);
  await tabTo(page, 'fi-i-contractor'); // past the date (today already), whose parts are stops of their own
  await tabTo(page, 'fi-i-lot'); // the lot: its contractor follows
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#fi-i-lot').inputValue(), String(f.lotA.id));
  assert.equal(await page.locator('#fi-i-contractor').inputValue(), String(f.c1.id));
  await tabTo(page, 'fi-i-category');
  await page.keyboard.press('ArrowDown');
  await tabTo(page, 'fi-i-net');
  await page.keyboard.type('250.50');
  await tabTo(page, 'fi-i-vat');
  await tabTo(page, 'fi-i-vat19');
  await page.keyboard.press('Enter');
  await focusIs(page, 'fi-i-vat');
  assert.equal(await page.locator('#fi-i-vat').inputValue(), '47.60');
  await page.keyboard.press('Enter'); // submits the form
  await page.locator('#fi-inv-dialog').waitFor({ state: 'hidden' });
  await focusIs(page, 'fi-new', 'back on the button that opened it');
  const inv = (await invoices(f)).find((i) => i.number === number);
  assert.deepEqual([inv.category, inv.net_cents, inv.vat_cents, inv.eligible_cents, inv.invoice_date], ['civil_works', 25050, 4760, 25050, todayIso()]);
  // Escape closes a dialog without saving
  await page.keyboard.press('Enter');
  await page.locator('#fi-inv-dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#fi-inv-dialog').waitFor({ state: 'hidden' });
  await focusIs(page, 'fi-new');
  await page.close();
});

// ---- every section, both languages, both widths --------------------------------------------------

for (const [locale, lang] of [['de-DE', 'de'], ['en-US', 'en']]) {
  for (const [width, height, tag] of [[1366, 900, 'desktop'], [390, 844, 'phone']]) {
    test(`finance: every section in ${lang === 'de' ? 'German, without English words' : 'English'}, ${width} px, nothing sideways (screenshots)`, async () => {
      const f = await fin();
      const page = await localePage(locale, width, height);
      await signIn(page, 'finance');
      for (const s of ['invoices', 'import', 'budget', 'drawdowns', 'notes']) {
        await section(page, f, s);
        if (s === 'import') await page.locator('#fi-imp-format summary').click();
        await noHorizontalScroll(page);
        if (lang === 'de') assert.deepEqual(await englishOn(page), [], s);
        await shot(page, `finance-${s}-${lang}-${tag}`);
      }
      await page.closeAll();
    });
  }
}
