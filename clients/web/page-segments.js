// page-segments.js — the segments of a project as a table: search (code,
// street, the codes of the end nodes), filters (lot, status, contractor,
// method), sort by a column, pages of the server's cursor, and a CSV export
// of everything the filters match.
//
// The view lives in the hash's query (#/projects/1/segments?status=tested&sort=-code),
// so a reload, Back and Forward and a shared link show the same rows. The
// page changes the query with pushState (which fires no hashchange) and loads
// in place, so the focus stays where the user is; Back and Forward fire
// hashchange, and the router draws the page again from the query.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, statusBadge, statusLabel, SEGMENT_STATUSES, field, announce, retryPage, today } from './ui.js';
import { t, lang } from './i18n.js';
import { resolveProjectParties, projectPicker } from './page-home.js';

export const METHODS = ['open_trench', 'micro_trench', 'hdd', 'plough', 'aerial', 'existing_duct'];
const PAGE_SIZES = [25, 50, 100, 200];
const DEFAULT_LIMIT = 50;
const FILTERS = ['q', 'lot_id', 'status', 'contractor_id', 'method'];
// What the table and the export read: everything but the geometry, which is most of a segment's bytes.
const LIST_FIELDS = 'id,code,street,lot_id,contractor_id,kind,method,surface,status,planned_length_m,built_length_m,progress,' +
  'planned_start,planned_end,actual_start,actual_end,accepted_on';
// The previous pages' cursors (the server pages forwards only), kept for a reload.
const PAGES_KEY = 'fibertrack.segments.pages';
// The list as last shown, for the segment page's way back to it.
export const LIST_KEY = 'fibertrack.segments.list';

/** The table's columns; `sort` names the field the server sorts by (none: not sortable). */
const COLUMNS = [
  { key: 'code', label: 'sg.col.code', sort: 'code' },
  { key: 'street', label: 'sg.col.street', sort: 'street' },
  { key: 'lot', label: 'c.lot', sort: 'lot_id' },
  { key: 'contractor', label: 'c.contractor' },
  { key: 'status', label: 'c.status', sort: 'status' },
  { key: 'method', label: 'sg.col.method', sort: 'method' },
  { key: 'planned', label: 'sg.col.plannedLength', sort: 'planned_length_m', num: true },
  { key: 'built', label: 'sg.col.builtLength', sort: 'built_length_m', num: true },
  { key: 'dates', label: 'sg.col.plannedDates', sort: 'planned_start' },
];

/** The view in a query: only what differs from the defaults, values checked. */
function readState(query, ok) {
  const s = { limit: DEFAULT_LIMIT, sort: '', cursor: '' };
  for (const f of FILTERS) s[f] = '';
  const q = (query.get('q') || '').trim();
  if (q) s.q = q.slice(0, 100);
  for (const f of ['lot_id', 'contractor_id']) {
    const v = query.get(f);
    if (v && ok[f].has(v)) s[f] = v;
  }
  const st = query.get('status');
  if (st && SEGMENT_STATUSES.includes(st)) s.status = st;
  const m = query.get('method');
  if (m && METHODS.includes(m)) s.method = m;
  const sort = query.get('sort') || '';
  if (COLUMNS.some((c) => c.sort && (sort === c.sort || sort === `-${c.sort}`))) s.sort = sort;
  const limit = Number(query.get('limit'));
  if (PAGE_SIZES.includes(limit)) s.limit = limit;
  s.cursor = query.get('cursor') || '';
  return s;
}

function toQuery(s) {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (s[f]) q.set(f, s[f]);
  if (s.sort) q.set('sort', s.sort);
  if (s.limit !== DEFAULT_LIMIT) q.set('limit', String(s.limit));
  if (s.cursor) q.set('cursor', s.cursor);
  return q.toString();
}

/** The same rows whatever the page: filters, sort and page size. */
const signature = (pid, s) => JSON.stringify([pid, ...FILTERS.map((f) => s[f]), s.sort, s.limit]);

function savedPages(sig, cursor) {
  try {
    const v = JSON.parse(sessionStorage.getItem(PAGES_KEY) || 'null');
    if (v && v.sig === sig && v.cursor === cursor && Array.isArray(v.stack)) return v.stack;
  } catch { /* a broken entry is no entry */ }
  return cursor ? null : [];
}

export async function render(el, ctx) {
  el.append(h('h1', t('sg.title')), h('p.loading', t('sg.loading')));
  let projects, project, lots, contractors;
  try {
    ({ projects, project, lots, contractors } = await resolveProjectParties(ctx));
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'sg.what', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project || project.id !== Number(ctx.params.id)) {
    el.append(messageBox('info', project ? t('sg.noSuchProject') : t('c.noProject')));
    return;
  }
  el.querySelector('h1').textContent = t('sg.titleOf', { code: project.code });
  document.title = `${t('sg.titleOf', { code: project.code })} · fibertrack`;

  lots.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
  const lotById = new Map(lots.map((l) => [l.id, l]));
  const cName = new Map(contractors.map((c) => [c.id, c.name]));
  // The contractors of this project's lots (others have no segment here).
  const ours = contractors.filter((c) => lots.some((l) => l.contractor_id === c.id))
    .sort((a, b) => a.name.localeCompare(b.name));
  const ok = { lot_id: new Set(lots.map((l) => String(l.id))), contractor_id: new Set(ours.map((c) => String(c.id))) };

  let state = readState(ctx.query, ok);
  const base = `/projects/${project.id}/segments`;
  let stack = savedPages(signature(project.id, state), state.cursor);

  // ---- the controls ----
  const q = h('input#sg-q', { type: 'search', name: 'q', maxlength: '100', autocomplete: 'off', value: state.q, placeholder: t('sg.searchPlaceholder') });
  const option = (value, text, sel) => h('option', { value, selected: value === sel }, text);
  const lotSel = h('select#sg-lot', { name: 'lot_id' }, option('', t('sg.anyLot'), state.lot_id),
    lots.map((l) => option(String(l.id), `${l.code} ${l.name}`, state.lot_id)));
  const stSel = h('select#sg-status', { name: 'status' }, option('', t('sg.anyStatus'), state.status),
    SEGMENT_STATUSES.map((s) => option(s, statusLabel(s), state.status)));
  const cSel = h('select#sg-contractor', { name: 'contractor_id' }, option('', t('sg.anyContractor'), state.contractor_id),
    ours.map((c) => option(String(c.id), c.name, state.contractor_id)));
  const mSel = h('select#sg-method', { name: 'method' }, option('', t('sg.anyMethod'), state.method),
    METHODS.map((m) => option(m, fmt.enum('method', m), state.method)));
  // On a phone the header row is hidden (each row is a card): the order is chosen here.
  const sortSel = h('select#sg-sort', { name: 'sort' }, option('', t('sg.sortDefault'), state.sort),
    COLUMNS.filter((c) => c.sort).flatMap((c) => [
      option(c.sort, t('sg.sortAsc', { col: t(c.label) }), state.sort),
      option(`-${c.sort}`, t('sg.sortDesc', { col: t(c.label) }), state.sort)]));
  const clearBtn = h('button.btn#sg-clear', { type: 'button', onclick: () => clearFilters() }, t('sg.clear'));
  const form = h('form.filters.sg-filters#sg-filters', { role: 'search', 'aria-label': t('sg.filtersLabel'), novalidate: true },
    h('div.field.sg-search', h('label', { for: 'sg-q' }, t('sg.search')),
      h('div.sg-search-row', q, h('button.btn.btn-primary', { type: 'submit' }, t('sg.searchBtn'))),
      h('p.hint#sg-q-hint', t('sg.searchHint'))),
    field(t('c.lot'), lotSel), field(t('c.status'), stSel), field(t('c.contractor'), cSel), field(t('sg.col.method'), mSel),
    h('div.sg-sort-phone', field(t('sg.sortBy'), sortSel)),
    h('div.sg-filter-actions', clearBtn));
  q.setAttribute('aria-describedby', 'sg-q-hint');

  const counter = h('p#sg-count.sg-count', { 'aria-live': 'polite' });
  const exportBtn = h('button.btn#sg-export', { type: 'button', onclick: () => exportCsv() }, t('sg.export'));
  const exportOut = h('span#sg-export-status.small', { 'aria-live': 'polite' });
  const headRow = h('tr');
  const tbody = h('tbody');
  const table = h('table.table.table-cards.sg-table#sg-table',
    h('caption.sr-only', t('sg.caption', { code: project.code })), h('thead', headRow), tbody);
  const empty = h('div#sg-empty', { hidden: true });
  const prev = h('button.btn#sg-prev', { type: 'button', onclick: () => goPage(-1) }, `‹ ${t('sg.prev')}`);
  const first = h('button.btn#sg-first', { type: 'button', onclick: () => goPage(0) }, `« ${t('sg.first')}`);
  const next = h('button.btn#sg-next', { type: 'button', onclick: () => goPage(1) }, `${t('sg.next')} ›`);
  const sizeSel = h('select#sg-size', { name: 'limit' }, PAGE_SIZES.map((n) => option(String(n), fmt.int(n), String(state.limit))));
  const pager = h('nav.sg-pager', { 'aria-label': t('sg.pages') },
    first, prev, next, h('div.field.field-inline.field-bare', h('label', { for: 'sg-size' }, t('sg.pageSize')), sizeSel));
  const tableBox = h('div.sg-table-box', { 'aria-busy': 'false' }, h('div.table-wrap', table), empty);

  el.append(
    projectPicker(projects, project, '/segments', ctx.app.navigate),
    form,
    h('div.sg-toolbar', counter, h('div.sg-export', exportBtn, exportOut)),
    tableBox,
    pager,
  );

  // ---- the header: a button per sortable column, aria-sort on the sorted one ----
  function drawHead() {
    headRow.replaceChildren(...COLUMNS.map((c) => {
      const th = h(`th${c.num ? '.num' : ''}`, { scope: 'col' });
      if (!c.sort) { th.textContent = t(c.label); return th; }
      const dir = state.sort === c.sort ? 'ascending' : state.sort === `-${c.sort}` ? 'descending' : null;
      if (dir) th.setAttribute('aria-sort', dir);
      th.append(h('button.sort-btn', {
        type: 'button',
        dataset: { sort: c.sort },
        title: dir === 'ascending' ? t('sg.sortedAsc') : dir === 'descending' ? t('sg.sortedDesc') : t('sg.sortHint'),
        onclick: () => sortBy(c.sort),
      }, t(c.label), h('span.sort-icon', { 'aria-hidden': 'true' }, dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕')));
      return th;
    }));
  }

  function row(s) {
    const lot = lotById.get(s.lot_id);
    const pct = fmt.pct(s.built_length_m, s.planned_length_m);
    return h('tr', { dataset: { segment: s.code, id: s.id } },
      h('th', { scope: 'row', 'data-label': t('sg.col.code') }, h('a.sg-code', { href: `#/segments/${s.id}` }, s.code)),
      h('td', { 'data-label': t('sg.col.street') }, s.street || '–'),
      h('td.lot', { 'data-label': t('c.lot') }, lot ? lot.code : '–'),
      h('td', { 'data-label': t('c.contractor') }, s.contractor_id ? (cName.get(s.contractor_id) || `#${s.contractor_id}`) : '–'),
      h('td', { 'data-label': t('c.status') }, statusBadge(s.status)),
      h('td', { 'data-label': t('sg.col.method') }, fmt.enum('method', s.method)),
      h('td.num.planned', { 'data-label': t('sg.col.plannedLength') }, fmt.m(s.planned_length_m)),
      h('td.num.built', { 'data-label': t('sg.col.builtLength') }, fmt.m(s.built_length_m), s.planned_length_m ? h('span.small.block', pct) : null),
      h('td.dates', { 'data-label': t('sg.col.plannedDates') }, s.planned_start || s.planned_end ? `${fmt.date(s.planned_start)} – ${fmt.date(s.planned_end)}` : '–'));
  }

  const filtered = () => FILTERS.some((f) => state[f]);
  const params = (s) => ({
    project_id: project.id, q: s.q, lot_id: s.lot_id, status: s.status, contractor_id: s.contractor_id, method: s.method, sort: s.sort,
  });

  // ---- loading a page ----
  let seq = 0;
  let nextCursor = null;
  async function load() {
    const my = ++seq;
    drawHead();
    clearBtn.hidden = !filtered();
    tableBox.setAttribute('aria-busy', 'true');
    counter.textContent = t('sg.loadingRows');
    prev.disabled = true;
    next.disabled = true;
    let page;
    try {
      page = await api.get('segments', { ...params(state), fields: LIST_FIELDS, limit: state.limit, cursor: state.cursor }, { signal: ctx.signal });
    } catch (err) {
      if (err.name === 'AbortError' || my !== seq) return;
      tableBox.setAttribute('aria-busy', 'false');
      // a cursor from an older list (the link was kept for long) is not an error worth showing: start over
      if (err.status === 400 && state.cursor && /cursor/.test(err.detail || '')) { setState({ ...state, cursor: '' }, false); return; }
      counter.replaceChildren(errorBox(err, 'sg.what', () => load()));
      return;
    }
    if (my !== seq) return;
    tableBox.setAttribute('aria-busy', 'false');
    tbody.replaceChildren(...page.items.map(row));
    const n = page.items.length;
    table.hidden = n === 0;
    empty.hidden = n > 0;
    if (!n) {
      empty.replaceChildren(messageBox('info', state.cursor ? t('sg.noMoreRows') : filtered() ? t('sg.noMatch') : t('sg.none'),
        filtered() ? h('p', h('button.btn#sg-empty-clear', { type: 'button', onclick: () => clearFilters() }, t('sg.clear'))) : null));
    }
    nextCursor = page.next_cursor;
    const from = stack ? stack.length * state.limit + 1 : null;
    if (!n) counter.textContent = '';
    else if (from === null) counter.textContent = t(page.next_cursor ? 'sg.rowsMore' : 'sg.rowsLast', { n });
    else if (page.next_cursor) counter.textContent = t('sg.rangeMore', { from: fmt.int(from), to: fmt.int(from + n - 1) });
    else counter.textContent = t('sg.rangeAll', { from: fmt.int(from), to: fmt.int(from + n - 1), total: fmt.int(from + n - 1) });
    next.disabled = !page.next_cursor;
    prev.disabled = !stack || !stack.length;
    prev.hidden = !stack;
    first.hidden = !!stack; // a shared link deep in the list: the way back is the first page
    pager.hidden = !n && !state.cursor;
    exportBtn.disabled = !n && !state.cursor;
    try {
      sessionStorage.setItem(PAGES_KEY, JSON.stringify({ sig: signature(project.id, state), cursor: state.cursor, stack }));
      sessionStorage.setItem(LIST_KEY, JSON.stringify({ project: project.id, path: location.hash.replace(/^#/, '') }));
    } catch { /* paging back then needs the first page */ }
  }

  /**
   * A new view: the URL (a new history entry unless `push` is false), then
   * its rows. A view without a cursor is a first page: no pages before it.
   */
  function setState(s, push = true) {
    if (!s.cursor) stack = [];
    state = s;
    const qs = toQuery(state);
    const url = `#${base}${qs ? `?${qs}` : ''}`;
    if (url !== location.hash) {
      if (push) history.pushState(null, '', url);
      else history.replaceState(null, '', url);
    }
    return load();
  }

  function applyFilters() {
    setState({
      ...state, q: q.value.trim().slice(0, 100), lot_id: lotSel.value, status: stSel.value,
      contractor_id: cSel.value, method: mSel.value, cursor: '',
    });
  }

  function clearFilters() {
    q.value = '';
    for (const s of [lotSel, stSel, cSel, mSel]) s.value = '';
    applyFilters();
    q.focus();
    announce(t('sg.cleared'));
  }

  function sortBy(f) {
    const sort = state.sort === f ? `-${f}` : f;
    sortSel.value = sort;
    setState({ ...state, sort, cursor: '' }).then(() => {
      headRow.querySelector(`button[data-sort="${f}"]`)?.focus();
    });
  }

  async function goPage(dir) {
    if (dir > 0 && nextCursor) {
      // Deep in a shared link the pages before are unknown: the way back stays "first page".
      stack = stack ? [...stack, state.cursor] : null;
      await setState({ ...state, cursor: nextCursor });
    } else if (dir < 0 && stack && stack.length) {
      const s = stack.slice(0, -1);
      const cursor = stack[stack.length - 1];
      stack = s;
      await setState({ ...state, cursor });
    } else if (dir === 0) {
      await setState({ ...state, cursor: '' });
    } else {
      return;
    }
    // The focus stays on the pager; where the button it was on is no more, on the other one.
    const on = document.activeElement;
    if (!on || on === document.body || on.disabled || on.hidden) (next.disabled ? (prev.hidden ? first : prev) : next).focus();
    table.scrollIntoView({ block: 'nearest' });
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); applyFilters(); });
  // The search field's own clear button (×) shows everything again at once.
  q.addEventListener('search', () => { if (!q.value && state.q) applyFilters(); });
  for (const s of [lotSel, stSel, cSel, mSel]) s.addEventListener('change', applyFilters);
  sortSel.addEventListener('change', () => setState({ ...state, sort: sortSel.value, cursor: '' }));
  sizeSel.addEventListener('change', () => setState({ ...state, limit: Number(sizeSel.value), cursor: '' }));

  // ---- CSV export: every row the filters match, in the table's order ----
  async function exportCsv() {
    exportBtn.disabled = true;
    exportOut.textContent = t('sg.exporting', { n: 0 });
    try {
      const items = await api.listAll('segments', { ...params(state), fields: LIST_FIELDS }, (_, n) => {
        exportOut.textContent = t('sg.exporting', { n });
      }, { signal: ctx.signal });
      const name = t('sg.csvFile', { code: project.code, date: today() }).replace(/[^\w.\-äöüÄÖÜß]+/g, '_');
      const text = toCsv(items, { lotById, cName });
      const href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { href, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      exportOut.textContent = t('sg.exported', { n: items.length, file: name });
      announce(t('sg.exported', { n: items.length, file: name }));
    } catch (err) {
      if (err.name === 'AbortError') return;
      exportOut.replaceChildren(errorBox(err, 'sg.what'));
    } finally {
      exportBtn.disabled = false;
    }
  }

  await load();
}

// ---- CSV ----------------------------------------------------------------------------

/**
 * The rows as CSV for a spreadsheet of the dashboard's language: a header
 * row, the UTF-8 BOM (Excel reads UTF-8 only with it), CRLF line ends, and
 * the separator and decimal mark that language's Excel expects (German:
 * `;` and `150,5`; English: `,` and `150.5`). Dates are ISO (YYYY-MM-DD),
 * which every Excel reads as a date. Text that a spreadsheet would take for
 * a formula (=, +, -, @ first) is written with a leading apostrophe.
 */
function toCsv(items, { lotById, cName }) {
  const sep = lang() === 'de' ? ';' : ',';
  const cell = (v) => (/[";,\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [CSV_COLUMNS.map((c) => cell(csvText(t(c.head)))).join(sep)];
  for (const s of items) lines.push(CSV_COLUMNS.map((c) => cell(c.value(s, { lotById, cName }))).join(sep));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Text for a spreadsheet cell: never a formula. */
function csvText(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const csvNum = (v) => fmt.lengthInput(v);
const csvEnum = (kind, v) => csvText(v ? fmt.enum(kind, v) : '');

/** The export's columns: the header's message and the cell of a segment. */
const CSV_COLUMNS = [
  { head: 'sg.csv.code', value: (s) => csvText(s.code) },
  { head: 'sg.csv.street', value: (s) => csvText(s.street) },
  { head: 'sg.csv.lot', value: (s, x) => csvText(x.lotById.get(s.lot_id)?.code) },
  { head: 'sg.csv.contractor', value: (s, x) => csvText(s.contractor_id ? x.cName.get(s.contractor_id) : '') },
  { head: 'sg.csv.status', value: (s) => csvText(statusLabel(s.status)) },
  { head: 'sg.csv.kind', value: (s) => csvEnum('segment_kind', s.kind) },
  { head: 'sg.csv.method', value: (s) => csvEnum('method', s.method) },
  { head: 'sg.csv.surface', value: (s) => csvEnum('surface', s.surface) },
  { head: 'sg.csv.planned', value: (s) => csvNum(s.planned_length_m) },
  { head: 'sg.csv.built', value: (s) => csvNum(s.built_length_m) },
  { head: 'sg.csv.progress', value: (s) => (s.progress === null || s.progress === undefined ? '' : csvNum(Math.round(s.progress * 10000) / 100)) },
  { head: 'sg.csv.plannedStart', value: (s) => s.planned_start || '' },
  { head: 'sg.csv.plannedEnd', value: (s) => s.planned_end || '' },
  { head: 'sg.csv.actualStart', value: (s) => s.actual_start || '' },
  { head: 'sg.csv.actualEnd', value: (s) => s.actual_end || '' },
  { head: 'sg.csv.acceptedOn', value: (s) => s.accepted_on || '' },
];
