// page-segment.js — one segment: its data, its line on a small map with the
// segments that meet it, its progress reports with their photos, its audit
// history, and the manager's actions: change the status (a move back needs a
// reason, which the server keeps in the audit entry as status_reason),
// accept it (Abnahme: POST /segments/{id}/accept) and edit its planned data
// (PATCH with If-Match; a 412 shows what someone else changed and lets the
// user apply their change again).
//
// #/segments/42 opens it by id, #/segments/S-000042 by its code.

import * as api from './api.js';
import {
  h, fmt, today, errorBox, messageBox, statusBadge, stateBadge, statusLabel, SEGMENT_STATUSES, field,
  showFieldErrors, clearFieldErrors, announce, retryPage,
} from './ui.js';
import { t, parseNumber } from './i18n.js';
import { FiberMap } from './map.js';
import { gallery, openViewer, photoSummary } from './photos.js';
import { METHODS, LIST_KEY } from './page-segments.js';

const KINDS = ['trench', 'duct', 'cable', 'drop'];
const SURFACES = ['sealed', 'unsealed', 'none'];
// What the GIS-NBest delivery asks of a segment (docs/gis-nbest.md): the duct
// as a code of its LR_Art list, and whether it was laid with another network.
const DUCT_CODES = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 99];
const CO_LAYING = ['none', 'third_party', 'own'];
const ductLabel = (v) => `${v} – ${fmt.enum('duct_type_code', v)}`;
const NEIGHBOUR_FIELDS = 'id,code,status,geometry,from_node_id,to_node_id';

/** What a person reads about a segment's fields: the label, and how a value reads. */
const FIELDS = {
  code: { label: 'sg.col.code' },
  street: { label: 'sg.col.street' },
  lot_id: { label: 'c.lot', kind: 'lot' },
  from_node_id: { label: 'sg.f.fromNode', kind: 'node' },
  to_node_id: { label: 'sg.f.toNode', kind: 'node' },
  kind: { label: 'sg.f.kind', kind: 'enum', name: 'segment_kind' },
  method: { label: 'sg.col.method', kind: 'enum', name: 'method' },
  surface: { label: 'sg.f.surface', kind: 'enum', name: 'surface' },
  planned_length_m: { label: 'sg.col.plannedLength', kind: 'm' },
  built_length_m: { label: 'sg.col.builtLength', kind: 'm' },
  fiber_count: { label: 'sg.f.fiberCount', kind: 'int' },
  duct_type: { label: 'sg.f.ductType' },
  duct_type_code: { label: 'sg.f.ductTypeCode', kind: 'ductCode' },
  laying_depth_m: { label: 'sg.f.layingDepth', kind: 'm' },
  co_laying: { label: 'sg.f.coLaying', kind: 'enum', name: 'co_laying' },
  geometry: { label: 'sg.f.geometry', kind: 'geometry' },
  status: { label: 'c.status', kind: 'status' },
  planned_start: { label: 'sg.f.plannedStart', kind: 'date' },
  planned_end: { label: 'sg.f.plannedEnd', kind: 'date' },
  actual_start: { label: 'sg.f.actualStart', kind: 'date' },
  actual_end: { label: 'sg.f.actualEnd', kind: 'date' },
  accepted_on: { label: 'sg.f.acceptedOn', kind: 'date' },
  accepted_by: { label: 'sg.f.acceptedBy', kind: 'user' },
  acceptance_note: { label: 'sg.f.acceptanceNote' },
};

/** The planned data a manager edits: field name, input type, choices. */
const EDIT = [
  { key: 'street', type: 'text', max: 200 },
  { key: 'lot_id', type: 'lot' },
  { key: 'kind', type: 'select', values: KINDS, required: true },
  { key: 'method', type: 'select', values: METHODS },
  { key: 'surface', type: 'select', values: SURFACES },
  { key: 'planned_length_m', type: 'length', required: true },
  { key: 'planned_start', type: 'date' },
  { key: 'planned_end', type: 'date' },
  { key: 'fiber_count', type: 'int' },
  { key: 'duct_type', type: 'text', max: 64 },
  { key: 'duct_type_code', type: 'code', values: DUCT_CODES, label: ductLabel },
  { key: 'laying_depth_m', type: 'depth' },
  { key: 'co_laying', type: 'select', values: CO_LAYING },
];

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Runs fn over items, at most n at a time. */
async function eachLimited(items, n, fn) {
  let i = 0;
  const worker = async () => { while (i < items.length) { const k = i++; await fn(items[k], k); } };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function cssColors() {
  const cs = getComputedStyle(document.documentElement);
  const v = (name, dflt) => (cs.getPropertyValue(name) || '').trim() || dflt;
  const colors = { background: v('--map-bg', '#f4f6f8'), premiseOutline: '#fff', selection: v('--map-selection', '#000') };
  for (const s of SEGMENT_STATUSES) colors[`seg:${s}`] = v(`--st-${s}`, '#888');
  return colors;
}

/** The segment a route names: by id (#/segments/42) or by code (#/segments/S-000042). */
async function findSegment(ref, ctx) {
  if (/^\d+$/.test(ref)) return api.get(`segments/${ref}`, null, { signal: ctx.signal });
  const found = (await api.get('segments', { code: ref, limit: 20, fields: 'id,project_id' }, { signal: ctx.signal })).items;
  if (!found.length) return null;
  const pick = found.find((s) => s.project_id === ctx.project) || found[0];
  return api.get(`segments/${pick.id}`, null, { signal: ctx.signal });
}

export async function render(el, ctx) {
  const canEdit = ctx.user.role === 'admin' || ctx.user.role === 'manager';
  el.append(h('h1', t('sg.segment')), h('p.loading', t('sg.loadingOne')));
  let seg, project, lots, contractors;
  const nodes = new Map();
  try {
    seg = await findSegment(ctx.params.seg, ctx);
    if (seg) {
      const ends = [seg.from_node_id, seg.to_node_id].filter(Boolean);
      let ns;
      [project, lots, contractors, ns] = await Promise.all([
        api.get(`projects/${seg.project_id}`, null, { signal: ctx.signal }),
        api.listAll('lots', { project_id: seg.project_id }, null, { signal: ctx.signal }),
        api.listAll('contractors', {}, null, { signal: ctx.signal }),
        Promise.all(ends.map((id) => api.get(`nodes/${id}`, null, { signal: ctx.signal }).catch(() => null))),
      ]);
      for (const n of ns) if (n) nodes.set(n.id, n);
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'sg.whatOne', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!seg) {
    el.querySelector('h1').textContent = t('sg.notFoundH');
    el.append(messageBox('error', t('sg.notFound', { ref: ctx.params.seg })),
      ctx.project ? h('p', h('a', { href: `#/projects/${ctx.project}/segments` }, t('sg.toList'))) : null);
    return;
  }
  ctx.app.setCurrentProject(seg.project_id);
  const lotById = new Map(lots.map((l) => [l.id, l]));
  const cName = new Map(contractors.map((c) => [c.id, c.name]));
  // Who a user id is: the audit entries name everyone who changed something (only admins may list users).
  const names = new Map([[ctx.user.id, ctx.user.name || ctx.user.email]]);
  const nodeCode = (id) => (nodes.get(id) ? nodes.get(id).code : `#${id}`);

  /** A field's value in words, for the facts, the history and the conflict lists. */
  function show(key, v) {
    const f = FIELDS[key] || {};
    if (v === null || v === undefined || v === '') return t('sg.empty');
    switch (f.kind) {
      case 'lot': return lotById.has(v) ? lotById.get(v).code : `#${v}`;
      case 'node': return nodeCode(v);
      case 'enum': return fmt.enum(f.name, v);
      case 'm': return fmt.m(v);
      case 'int': return fmt.int(v);
      case 'date': return fmt.date(v);
      case 'status': return statusLabel(v);
      case 'user': return names.get(v) || `#${v}`;
      case 'geometry': return t('sg.geometryPoints', { n: (v.coordinates || []).length });
      case 'ductCode': return ductLabel(v);
      default: return String(v);
    }
  }

  // ---- the page's frame ----
  const h1 = el.querySelector('h1');
  let listPath = `/projects/${seg.project_id}/segments`;
  try {
    const last = JSON.parse(sessionStorage.getItem(LIST_KEY) || 'null');
    if (last && last.project === seg.project_id && typeof last.path === 'string' && last.path.startsWith(listPath)) listPath = last.path;
  } catch { /* the plain list then */ }
  const lead = h('p.lead.sg-lead');
  const pageMsg = h('div#sg-page-msg', { 'aria-live': 'polite' });
  const actions = h('div.sg-actions#sg-actions', { role: 'group', 'aria-label': t('sg.actions') });
  const facts = h('div#sg-facts');
  el.prepend(h('p.sg-back', h('a#sg-back', { href: `#${listPath}` }, `‹ ${t('sg.backTo', { code: project.code })}`)));
  el.append(lead, canEdit ? actions : h('p.hint#sg-readonly', t('sg.readOnly')), pageMsg);

  const mapSec = h('section.sg-section', { 'aria-labelledby': 'sg-map-h' }, h('h2#sg-map-h', t('sg.map')));
  const repSec = h('section.sg-section#sg-reports', { 'aria-labelledby': 'sg-rep-h' }, h('h2#sg-rep-h', t('sg.reports')), h('p.loading', t('c.loading')));
  const photoSec = h('section.sg-section#sg-photos', { 'aria-labelledby': 'sg-ph-h' }, h('h2#sg-ph-h', t('c.photos')), h('p.loading', t('c.loading')));
  const histSec = h('section.sg-section#sg-history', { 'aria-labelledby': 'sg-hist-h' }, h('h2#sg-hist-h', t('sg.history')));
  el.append(h('div.sg-grid', h('section.sg-section', { 'aria-labelledby': 'sg-data-h' }, h('h2#sg-data-h', t('sg.data')), facts), mapSec),
    repSec, photoSec, histSec);

  function drawHead() {
    h1.textContent = t('sg.titleOne', { code: seg.code });
    document.title = `${t('sg.titleOne', { code: seg.code })} · fibertrack`;
    const lot = lotById.get(seg.lot_id);
    lead.replaceChildren(statusBadge(seg.status), ' ', [seg.street, lot ? `${lot.code} ${lot.name}` : null, project.code].filter(Boolean).join(' · '));
  }

  /** From–to, or since when, or until when. */
  function period(a, b) {
    if (a && b) return `${fmt.date(a)} – ${fmt.date(b)}`;
    if (a) return t('sg.since', { date: fmt.date(a) });
    if (b) return t('sg.until', { date: fmt.date(b) });
    return '–';
  }

  function drawFacts() {
    const row = (k, v, id = null) => h('div', { dataset: { field: id || '' } }, h('dt', k), h('dd', v));
    const lot = lotById.get(seg.lot_id);
    const pct = seg.planned_length_m > 0 ? Math.max(0, Math.min(100, (100 * seg.built_length_m) / seg.planned_length_m)) : 0;
    const meter = h('span.meter.sg-meter', { role: 'img', 'aria-label': t('sg.progressMeter', { pct: fmt.pct(seg.built_length_m, seg.planned_length_m) }) },
      h('span.meter-fill'));
    meter.firstChild.style.width = `${pct}%`;
    const node = (id) => (id ? `${nodeCode(id)}${nodes.get(id)?.name ? ` (${nodes.get(id).name})` : ''}` : '–');
    const contractor = lot && lot.contractor_id ? cName.get(lot.contractor_id) || `#${lot.contractor_id}` : '–';
    const dl = h('dl.facts.sg-facts#sg-facts-list',
      row(t('sg.col.code'), h('strong', seg.code), 'code'),
      row(t('sg.col.street'), seg.street || '–', 'street'),
      row(t('c.lot'), lot ? `${lot.code} ${lot.name}` : '–', 'lot'),
      row(t('c.contractor'), contractor, 'contractor'),
      row(t('c.status'), statusBadge(seg.status), 'status'),
      row(t('sg.f.kindMethod'), `${fmt.enum('segment_kind', seg.kind)} · ${fmt.enum('method', seg.method)} · ${fmt.enum('surface', seg.surface)}`, 'method'),
      row(t('sg.col.plannedLength'), fmt.m(seg.planned_length_m), 'planned_length_m'),
      row(t('sg.col.builtLength'), h('span', t('c.builtOfPct', {
        built: fmt.m(seg.built_length_m), planned: fmt.m(seg.planned_length_m), pct: fmt.pct(seg.built_length_m, seg.planned_length_m),
      }), meter), 'built_length_m'),
      row(t('sg.f.planned'), period(seg.planned_start, seg.planned_end), 'planned_dates'),
      row(t('sg.f.actual'), period(seg.actual_start, seg.actual_end), 'actual_dates'),
      row(t('sg.f.fromNode'), node(seg.from_node_id), 'from_node'),
      row(t('sg.f.toNode'), node(seg.to_node_id), 'to_node'),
      row(t('sg.f.fiberCount'), seg.fiber_count === null ? '–' : fmt.int(seg.fiber_count), 'fiber_count'),
      row(t('sg.f.ductType'), seg.duct_type || '–', 'duct_type'),
      row(t('sg.f.ductTypeCode'), seg.duct_type_code === null || seg.duct_type_code === undefined ? '–' : ductLabel(seg.duct_type_code), 'duct_type_code'),
      row(t('sg.f.layingDepth'), seg.laying_depth_m === null || seg.laying_depth_m === undefined ? '–' : fmt.m(seg.laying_depth_m), 'laying_depth_m'),
      row(t('sg.f.coLaying'), seg.co_laying ? fmt.enum('co_laying', seg.co_laying) : '–', 'co_laying'),
      row(t('sg.f.version'), t('sg.versionAt', { version: fmt.int(seg.version), when: fmt.dateTime(seg.updated_at) }), 'version'));
    const parts = [dl];
    if (seg.accepted_on) {
      parts.push(h('div.sg-acceptance#sg-acceptance',
        h('h3', t('sg.acceptance')),
        h('dl.facts',
          row(t('sg.f.acceptedOn'), fmt.date(seg.accepted_on), 'accepted_on'),
          row(t('sg.f.acceptedBy'), seg.accepted_by ? show('accepted_by', seg.accepted_by) : '–', 'accepted_by'),
          row(t('sg.f.acceptanceNote'), seg.acceptance_note ? h('span.sg-note', seg.acceptance_note) : t('sg.noNote'), 'acceptance_note'))));
    }
    facts.replaceChildren(...parts);
  }

  function drawActions() {
    if (!canEdit) return;
    actions.replaceChildren(...[
      h('button.btn#sg-act-status', { type: 'button', onclick: (e) => statusDialog.open(e.currentTarget) }, t('sg.changeStatus')),
      // Abnahme is for a tested segment only (the server answers 409 otherwise).
      seg.status === 'tested'
        ? h('button.btn.btn-primary#sg-act-accept', { type: 'button', onclick: (e) => acceptDialog.open(e.currentTarget) }, t('sg.accept'))
        : null,
      h('button.btn#sg-act-edit', { type: 'button', onclick: (e) => editDialog.open(e.currentTarget) }, t('sg.edit')),
    ].filter(Boolean));
  }

  function drawAll() {
    drawHead();
    drawFacts();
    drawActions();
  }

  /** After a change: the segment as the server has it now, and its history. */
  function changed(now, message) {
    seg = now;
    drawAll();
    recolour();
    pageMsg.replaceChildren(messageBox('ok', message));
    announce(message);
    loadHistory(true);
  }

  // ---- the map: this segment and the ones that meet it at its nodes ----
  const canvas = h('canvas#sg-map-canvas', { role: 'img', 'aria-label': t('sg.mapLabel', { code: seg.code }) });
  const mapBox = h('div#sg-map.map.sg-map', { dataset: { state: 'loading' } }, canvas);
  const neighbourList = h('p#sg-neighbours.small');
  mapSec.append(mapBox, neighbourList,
    h('p.small', h('a', { href: `#/projects/${seg.project_id}/map` }, t('sg.onProjectMap'))));
  const fm = new FiberMap(canvas, { segmentStatuses: SEGMENT_STATUSES, premiseStatuses: [], colors: cssColors(), formatNumber: fmt.num });
  const dpr = () => window.devicePixelRatio || 1;
  // The end nodes, with their codes, over the lines.
  fm.onDraw = () => {
    const c = fm.ctx;
    for (const n of nodes.values()) {
      if (typeof n.lat !== 'number' || fm.lat0 === null) continue;
      const x = fm.ox + (n.lon - fm.lon0) * fm.kx * fm.scale;
      const y = fm.oy - (n.lat - fm.lat0) * fm.ky * fm.scale;
      c.beginPath();
      c.arc(x, y, 5 * dpr(), 0, 2 * Math.PI);
      c.fillStyle = '#fff';
      c.fill();
      c.lineWidth = 2 * dpr();
      c.strokeStyle = '#1b1f24';
      c.stroke();
      c.font = `${12 * dpr()}px system-ui, sans-serif`;
      c.lineWidth = 3 * dpr();
      c.strokeStyle = 'rgba(255,255,255,0.9)';
      c.strokeText(n.code, x + 8 * dpr(), y - 6 * dpr());
      c.fillStyle = '#1b1f24';
      c.fillText(n.code, x + 8 * dpr(), y - 6 * dpr());
    }
  };
  function recolour() {
    if (!fm.segs.length || fm.segs[0].id !== seg.id) return;
    fm.segs[0].status = seg.status;
    fm.segStatus[0] = Math.max(0, SEGMENT_STATUSES.indexOf(seg.status));
    fm.request();
  }
  // A click on a neighbour opens its page.
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    const hit = fm.pick((e.clientX - r.left) * dpr(), (e.clientY - r.top) * dpr(), 8 * dpr());
    if (hit && hit.kind === 'seg' && hit.index > 0) ctx.app.navigate(`/segments/${fm.segs[hit.index].id}`);
  });
  const ro = new ResizeObserver(() => { fm.resize(); fm.request(); });
  ctx.signal.addEventListener('abort', () => ro.disconnect());

  async function loadMap() {
    const ends = [seg.from_node_id, seg.to_node_id].filter(Boolean);
    let around = [];
    try {
      const lists = await Promise.all(ends.flatMap((n) => ['from_node_id', 'to_node_id'].map((k) =>
        api.get('segments', { [k]: n, fields: NEIGHBOUR_FIELDS, limit: 100 }, { signal: ctx.signal }))));
      const seen = new Set([seg.id]);
      for (const l of lists) for (const s of l.items) if (!seen.has(s.id)) { seen.add(s.id); around.push(s); }
    } catch (err) {
      if (err.name === 'AbortError') return;
      around = []; // the segment alone, then
    }
    around.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
    fm.addSegments([{ id: seg.id, code: seg.code, status: seg.status, geometry: seg.geometry }, ...around]);
    if (!fm.segs.length || fm.segs[0].id !== seg.id) {
      mapBox.dataset.state = 'empty';
      mapBox.replaceChildren(h('p.small.sg-nomap', t('sg.noGeometry')));
    } else {
      fm.select({ kind: 'seg', index: 0 });
      ro.observe(canvas);
      fm.resize();
      fm.fit();
      fm.draw();
      mapBox.dataset.state = 'rendered';
      mapBox.dataset.segments = String(fm.segs.length);
    }
    neighbourList.replaceChildren(...(around.length
      ? [`${t('sg.neighbours')} `, ...around.flatMap((s, i) => [i ? ', ' : '', h('a', { href: `#/segments/${s.id}` }, s.code), ` (${statusLabel(s.status)})`])]
      : [t('sg.noNeighbours')]));
  }

  // ---- progress reports, with their photos ----
  async function loadReports() {
    let reps;
    try {
      reps = await api.listAll('progress-reports', { segment_id: seg.id }, null, { signal: ctx.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      repSec.querySelector('.loading').replaceWith(errorBox(err, 'sg.whatReports', () => { repSec.replaceChildren(repSec.firstChild, h('p.loading', t('c.loading'))); loadReports(); }));
      photoSec.querySelector('.loading')?.remove();
      return;
    }
    reps.sort((a, b) => (b.report_date || '').localeCompare(a.report_date || '') || b.id - a.id);
    const tbody = h('tbody');
    const people = new Map(); // report id → {author, reviewer}
    const who = (r) => {
      const p = people.get(r.id) || {};
      const reviewer = r.reviewer_id ? p.reviewer || names.get(r.reviewer_id) || `#${r.reviewer_id}` : '–';
      return [reviewer, r.reviewed_at ? h('span.small.block', fmt.dateTime(r.reviewed_at)) : null];
    };
    const rows = reps.map((r) => {
      const atts = r.attachments || [];
      const reviewerCell = h('td.reviewer', { 'data-label': t('sg.reviewer') }, who(r));
      const tr = h('tr', { dataset: { report: r.id } },
        h('th', { scope: 'row', 'data-label': t('c.date') }, fmt.date(r.report_date), h('span.small.block', t('sg.reportNo', { id: r.id }))),
        h('td', { 'data-label': t('c.contractor') }, cName.get(r.contractor_id) || `#${r.contractor_id}`),
        h('td', { 'data-label': t('sg.target') }, statusBadge(r.status)),
        h('td.num.built', { 'data-label': t('sg.col.builtLength') }, fmt.m(r.built_length_m)),
        h('td', { 'data-label': t('c.state') }, stateBadge(r.state),
          r.review_comment ? h('span.small.block.sg-comment', r.review_comment) : null),
        reviewerCell,
        h('td.photos', { 'data-label': t('c.photos') }, atts.length
          ? h('button.btn.btn-quiet', { type: 'button', dataset: { photos: atts.length }, onclick: (e) => openViewer(atts, 0, e.currentTarget) }, photoSummary(atts))
          : h('span.small', photoSummary(atts))));
      return { r, tr, reviewerCell, note: r.note ? h('tr.sg-note-row', h('td', { colspan: '7' }, h('span.small', `${t('sg.reportNote')} `), h('span.sg-note', r.note))) : null };
    });
    for (const x of rows) tbody.append(x.tr, x.note || '');
    const body = reps.length
      ? h('div.table-wrap', h('table.table.table-cards.sg-reports#sg-report-table',
        h('caption.sr-only', t('sg.reportsOf', { code: seg.code })),
        h('thead', h('tr',
          h('th', { scope: 'col' }, t('c.date')), h('th', { scope: 'col' }, t('c.contractor')), h('th', { scope: 'col' }, t('sg.target')),
          h('th.num', { scope: 'col' }, t('sg.col.builtLength')), h('th', { scope: 'col' }, t('c.state')), h('th', { scope: 'col' }, t('sg.reviewer')),
          h('th', { scope: 'col' }, t('c.photos')))),
        tbody))
      : h('p.small#sg-no-reports', t('sg.noReports'));
    repSec.querySelector('.loading').replaceWith(h('p.small#sg-report-count', t('sg.reportCount', { n: reps.length })), body);

    // every photo of the segment, newest report first
    const atts = reps.flatMap((r) => (r.attachments || []).map((a) => ({ ...a, caption: a.caption || null, report_date: r.report_date })));
    const g = atts.length ? gallery(atts, { signal: ctx.signal, label: t('sg.photosOf', { code: seg.code }) }) : null;
    photoSec.querySelector('.loading').replaceWith(h('p.small', photoSummary(atts)), g ? g.el : '');

    // Who wrote and who decided each report: the report's own audit entries name them.
    await eachLimited(rows.filter((x) => x.r.reviewer_id), 4, async (x) => {
      try {
        const entries = (await api.get('audit', { entity: 'progress_report', entity_id: x.r.id, limit: 20 }, { signal: ctx.signal })).items;
        for (const e of entries) if (e.user_id && e.user_name) names.set(e.user_id, e.user_name);
        const d = entries.find((e) => (e.action === 'approve' || e.action === 'reject') && e.user_name);
        people.set(x.r.id, { reviewer: d ? d.user_name : null });
        x.reviewerCell.replaceChildren(...who(x.r));
      } catch { /* the id stays */ }
    });
  }

  // ---- the audit history ----
  const histList = h('ol.sg-history#sg-history-list');
  const histMore = h('button.btn#sg-history-more', { type: 'button', hidden: true }, t('sg.olderEntries'));
  const histStatus = h('p.small#sg-history-status', { 'aria-live': 'polite' });
  histSec.append(histStatus, histList, histMore);
  let histCursor = null;
  let histSeq = 0;
  async function loadHistory(reset) {
    const my = ++histSeq;
    if (reset) histCursor = null;
    histMore.disabled = true;
    histStatus.textContent = t('c.loading');
    let page;
    try {
      page = await api.get('audit', { entity: 'segment', entity_id: seg.id, sort: '-id', limit: 50, cursor: histCursor }, { signal: ctx.signal });
    } catch (err) {
      if (err.name === 'AbortError' || my !== histSeq) return;
      histStatus.replaceChildren(errorBox(err, 'sg.whatHistory', () => loadHistory(reset)));
      histMore.disabled = false;
      return;
    }
    if (my !== histSeq) return;
    for (const e of page.items) if (e.user_id && e.user_name) names.set(e.user_id, e.user_name);
    if (reset) histList.replaceChildren();
    histList.append(...page.items.map(entry));
    histCursor = page.next_cursor;
    histMore.hidden = !histCursor;
    histMore.disabled = false;
    const n = histList.childElementCount;
    histStatus.textContent = n ? t(histCursor ? 'sg.entriesMore' : 'sg.entries', { n }) : t('sg.noHistory');
    if (seg.accepted_by) drawFacts(); // the name of who accepted it may be known now
  }
  histMore.addEventListener('click', () => loadHistory(false));

  function entry(e) {
    const before = e.before || {};
    const after = e.after || {};
    let what;
    if (e.action === 'create') what = t('sg.act.create');
    else if (e.action === 'accept') what = t('sg.act.accept');
    else if (e.action === 'delete') what = t('sg.act.delete');
    else if (e.action === 'import') what = t('sg.act.import');
    else if (after.progress_report_id) what = t('sg.act.report', { id: after.progress_report_id });
    else if (e.action === 'update') what = t('sg.act.update');
    else what = t('sg.act.other', { action: e.action });
    const changes = [];
    if (e.action !== 'create' && e.action !== 'delete') {
      for (const k of Object.keys(FIELDS)) {
        if (!(k in before) && !(k in after)) continue;
        if (same(before[k], after[k])) continue;
        changes.push(h('li', { dataset: { field: k } }, h('span.sg-field', `${t(FIELDS[k].label)}: `),
          k === 'geometry' ? t('sg.geometryChanged') : h('span', h('del', show(k, before[k])), ' → ', h('ins', show(k, after[k])))));
      }
    }
    if (after.status_reason) changes.push(h('li.sg-reason', { dataset: { field: 'status_reason' } }, h('span.sg-field', `${t('sg.f.reason')}: `), after.status_reason));
    return h('li.sg-event', { dataset: { action: e.action, id: e.id } },
      h('p.sg-event-head', h('time', { datetime: e.at }, fmt.dateTime(e.at)), ' · ', h('strong', e.user_name || t('sg.system')), ' · ', what),
      changes.length ? h('ul.sg-changes', changes) : null);
  }

  // ---- the manager's actions, each in a dialog ----
  function dialogShell(id, titleKey) {
    const title = h(`h2#${id}-title`, t(titleKey));
    const out = h('div.form-status', { 'aria-live': 'polite' });
    const form = h(`form#${id}-form`, { novalidate: true });
    const dlg = h(`dialog.dialog.dialog-wide#${id}`, { 'aria-labelledby': `${id}-title` }, title, form);
    let opener = null;
    // The buttons are drawn again after a change: back to the one of the same name, else to the heading.
    dlg.addEventListener('close', () => {
      const to = opener && (opener.isConnected ? opener : document.getElementById(opener.id));
      if (to) { to.focus(); return; }
      h1.setAttribute('tabindex', '-1');
      h1.focus();
    });
    ctx.signal.addEventListener('abort', () => { if (dlg.open) dlg.close(); dlg.remove(); });
    el.append(dlg);
    return {
      dlg, form, out, title,
      show(from) { opener = from; clearFieldErrors(form); out.replaceChildren(); dlg.showModal(); },
    };
  }

  /** What someone else changed between `base` and `theirs`, with my values beside theirs. */
  function conflictList(base, theirs, mine) {
    const diffs = Object.keys(FIELDS).filter((k) => k !== 'geometry' && !same(base[k], theirs[k]));
    return h('ul.conflict-list#sg-conflict-list', diffs.length
      ? diffs.map((k) => h('li', { dataset: { field: k } }, h('strong', `${t(FIELDS[k].label)}: `), `${show(k, base[k])} → ${show(k, theirs[k])}`,
        k in mine && !same(mine[k], theirs[k]) ? h('span', t('sg.yours', { value: show(k, mine[k]) })) : null))
      : h('li', t('sg.otherFields')));
  }

  // Change the status: any status for a manager; a move back needs a reason.
  const statusDialog = (() => {
    const d = dialogShell('sg-status-dialog', 'sg.changeStatus');
    const sel = h('select#sg-new-status', { name: 'status' });
    const reason = h('textarea#sg-reason', { name: 'status_reason', rows: '3', maxlength: '500' });
    const reasonLabel = h('label', { for: 'sg-reason' });
    const hint = h('p.hint#sg-reason-hint');
    reason.setAttribute('aria-describedby', 'sg-reason-hint');
    const save = h('button.btn.btn-primary#sg-status-save', { type: 'submit' }, t('sg.changeStatus'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    const now = h('p.small#sg-status-now');
    d.form.append(now, field(t('sg.newStatus'), sel), h('div.field', reasonLabel, reason, hint), h('p.actions', save, cancel), d.out);
    let base = null;
    const backwards = () => SEGMENT_STATUSES.indexOf(sel.value) < SEGMENT_STATUSES.indexOf(base.status);
    function explain() {
      const back = backwards();
      reasonLabel.textContent = back ? t('sg.reasonRequired') : t('sg.reasonOptional');
      hint.textContent = back ? t('sg.reasonBackHint') : t('sg.reasonHint');
      reason.required = back;
    }
    sel.addEventListener('change', explain);
    function fill(keep = null) {
      now.replaceChildren(`${t('sg.currentStatus')} `, statusBadge(base.status));
      // accepted is reached by the acceptance (with its date and protocol), unless it is where the segment is
      sel.replaceChildren(...SEGMENT_STATUSES.filter((s) => s !== 'accepted' || base.status === 'accepted')
        .map((s) => h('option', { value: s }, statusLabel(s))));
      sel.value = keep || base.status;
      explain();
    }
    d.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      if (sel.value === base.status) { d.dlg.close(); return; }
      const text = reason.value.trim();
      if (backwards() && !text) {
        showFieldErrors(d.form, { errors: [{ pointer: '/status_reason', detail: t('sg.reasonMissing', { from: statusLabel(base.status), to: statusLabel(sel.value) }) }] });
        return;
      }
      const body = { status: sel.value };
      if (text) body.status_reason = text;
      save.disabled = true;
      try {
        const updated = await api.patch(`segments/${seg.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
        d.dlg.close();
        changed(updated, t('sg.statusChanged', { code: updated.code, from: statusLabel(base.status), to: statusLabel(updated.status) }));
      } catch (err) {
        if (err.status === 412) {
          let theirs;
          try { theirs = await api.get(`segments/${seg.id}`); } catch (e2) { d.out.replaceChildren(errorBox(e2, 'sg.whatOne')); return; }
          const mine = { status: body.status };
          d.out.replaceChildren(h('div.msg.msg-warn#sg-conflict', { role: 'alert' },
            h('p', h('strong', t('sg.conflict')), t('sg.conflictVersion', { version: fmt.int(theirs.version), when: fmt.dateTime(theirs.updated_at) })),
            conflictList(base, theirs, mine), h('p', t('sg.statusAgain'))));
          base = theirs;
          seg = theirs;
          drawAll();
          fill(body.status);
          save.textContent = t('sg.applyAgain');
        } else if (err.status === 422) {
          const rest = showFieldErrors(d.form, err);
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else {
          d.out.replaceChildren(errorBox(err, 'sg.whatOne'));
        }
      } finally {
        save.disabled = false;
      }
    });
    return {
      open(from) {
        base = seg;
        reason.value = '';
        save.textContent = t('sg.changeStatus');
        fill();
        d.show(from);
        sel.focus();
      },
    };
  })();

  // Accept (Abnahme): only a tested segment; the day (today unless said) and an optional protocol note.
  const acceptDialog = (() => {
    const d = dialogShell('sg-accept-dialog', 'sg.acceptTitle');
    const date = h('input#sg-accepted-on', { type: 'date', name: 'accepted_on', required: true });
    const note = h('textarea#sg-accept-note', { name: 'note', rows: '4', maxlength: '2000' });
    const save = h('button.btn.btn-primary#sg-accept-save', { type: 'submit' }, t('sg.acceptBtn'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    const what = h('p#sg-accept-what');
    d.form.append(what, field(t('sg.acceptedOnInput'), date), field(t('sg.protocolNote'), note, t('sg.protocolHint')), h('p.actions', save, cancel), d.out);
    let key = null; // one Idempotency-Key per acceptance, kept until the server answers
    d.form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      if (!date.value) { showFieldErrors(d.form, { errors: [{ pointer: '/accepted_on', detail: t('sg.dateMissing') }] }); return; }
      const body = { accepted_on: date.value };
      if (note.value.trim()) body.note = note.value.trim();
      save.disabled = true;
      key = key || api.newIdempotencyKey();
      try {
        const updated = await api.post(`segments/${seg.id}/accept`, body, { headers: { 'Idempotency-Key': key } });
        key = null;
        d.dlg.close();
        changed(updated, t('sg.accepted', { code: updated.code, date: fmt.date(updated.accepted_on) }));
      } catch (err) {
        if (err.status !== 0 && err.status !== 503 && err.status !== 429) key = null;
        if (err.status === 422) {
          const rest = showFieldErrors(d.form, err);
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else if (err.status === 409) {
          // Only a tested segment can be accepted: someone moved it meanwhile.
          try { seg = await api.get(`segments/${seg.id}`); drawAll(); recolour(); } catch { /* said with the status known */ }
          d.out.replaceChildren(messageBox('error', t('sg.cannotAccept', { code: seg.code, status: statusLabel(seg.status) })));
        } else {
          d.out.replaceChildren(errorBox(err, 'sg.whatOne'));
        }
      } finally {
        save.disabled = false;
      }
    });
    return {
      open(from) {
        what.textContent = t('sg.acceptWhat', { code: seg.code, built: fmt.m(seg.built_length_m), planned: fmt.m(seg.planned_length_m) });
        date.value = today();
        date.max = today();
        note.value = '';
        key = null;
        d.show(from);
        date.focus();
      },
    };
  })();

  // Edit the planned data, with If-Match; a 412 shows their change and offers to apply mine again.
  const editDialog = (() => {
    const d = dialogShell('sg-edit-dialog', 'sg.editTitle');
    const inputs = {};
    const labelOf = (k) => t(FIELDS[k].label);
    const fields = EDIT.map((f) => {
      const id = `sg-e-${f.key}`;
      let input;
      if (f.type === 'lot') {
        input = h('select', { id, name: f.key }, h('option', { value: '' }, t('sg.noLot')),
          lots.map((l) => h('option', { value: String(l.id) }, `${l.code} ${l.name}`)));
      } else if (f.type === 'select' || f.type === 'code') {
        input = h('select', { id, name: f.key }, f.required ? null : h('option', { value: '' }, t('sg.notSet')),
          f.values.map((v) => h('option', { value: String(v) }, f.label ? f.label(v) : fmt.enum(f.key === 'kind' ? 'segment_kind' : f.key, v))));
      } else if (f.type === 'date') {
        input = h('input', { id, name: f.key, type: 'date' });
      } else if (f.type === 'length' || f.type === 'int' || f.type === 'depth') {
        // text, not type=number: a number input takes the browser's decimal mark, not the dashboard's
        input = h('input', { id, name: f.key, type: 'text', inputmode: f.type === 'int' ? 'numeric' : 'decimal', autocomplete: 'off' });
      } else {
        input = h('input', { id, name: f.key, type: 'text', maxlength: String(f.max), autocomplete: 'off' });
      }
      inputs[f.key] = input;
      const hint = f.type === 'length' ? t('sg.lengthHint', { example: fmt.lengthInput(150.5) })
        : f.type === 'depth' ? t('sg.depthHint', { example: fmt.lengthInput(0.8) }) : null;
      return field(labelOf(f.key), input, hint);
    });
    const save = h('button.btn.btn-primary#sg-edit-save', { type: 'submit' }, t('c.save'));
    const cancel = h('button.btn', { type: 'button', onclick: () => d.dlg.close() }, t('c.cancel'));
    d.form.append(h('div.sg-edit-grid', fields), h('p.actions', save, cancel), d.out);
    let base = null;

    /** The form's value of a field, as the API takes it (NaN: not a value). */
    function value(f) {
      const raw = inputs[f.key].value.trim();
      if (raw === '') return null;
      if (f.type === 'lot') return Number(raw);
      if (f.type === 'length' || f.type === 'depth') return parseNumber(raw);
      if (f.type === 'int' || f.type === 'code') return /^\d+$/.test(raw) ? Number(raw) : NaN;
      return raw;
    }
    function fill(values) {
      for (const f of EDIT) {
        const v = values[f.key];
        if (f.type === 'length' || f.type === 'depth') inputs[f.key].value = fmt.lengthInput(v);
        else inputs[f.key].value = v === null || v === undefined ? '' : String(v);
      }
    }
    /** What the form changes against `against`, or null after showing what is wrong. */
    function collect(against) {
      const body = {};
      const bad = [];
      for (const f of EDIT) {
        const v = value(f);
        if (typeof v === 'number' && !Number.isFinite(v)) {
          const detail = f.type === 'length' ? t('sg.badLength', { example: fmt.lengthInput(150.5) })
            : f.type === 'depth' ? t('sg.badDepth', { example: fmt.lengthInput(0.8) }) : t('sg.badInt');
          bad.push({ pointer: `/${f.key}`, detail });
          continue;
        }
        if (v === null && f.required) { bad.push({ pointer: `/${f.key}`, detail: t('sg.required') }); continue; }
        if (!same(v, against[f.key])) body[f.key] = v;
      }
      if (bad.length) { showFieldErrors(d.form, { errors: bad }); return null; }
      return body;
    }
    async function submit(body) {
      save.disabled = true;
      try {
        const updated = await api.patch(`segments/${seg.id}`, body, { headers: { 'If-Match': `"${base.version}"` } });
        d.dlg.close();
        changed(updated, t('sg.saved', { code: updated.code }));
      } catch (err) {
        if (err.status === 412) await conflict(body);
        else if (err.status === 422) {
          const rest = showFieldErrors(d.form, err);
          d.out.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
        } else d.out.replaceChildren(errorBox(err, 'sg.whatOne'));
      } finally {
        save.disabled = false;
      }
    }
    async function conflict(mine) {
      let theirs;
      try { theirs = await api.get(`segments/${seg.id}`); } catch (err) { d.out.replaceChildren(errorBox(err, 'sg.whatOne')); return; }
      const before = base;
      base = theirs;
      seg = theirs;
      drawAll();
      recolour();
      // The form shows their version with my changes on top, so that Save never undoes theirs.
      fill({ ...theirs, ...mine });
      const again = h('button.btn.btn-primary#sg-apply-again', { type: 'button', onclick: () => submit(mine) }, t('sg.applyAgain'));
      const edit = h('button.btn#sg-edit-again', { type: 'button', onclick: () => { d.out.replaceChildren(messageBox('info', t('sg.valuesKept'))); inputs.street.focus(); } }, t('sg.editAgain'));
      const keep = h('button.btn#sg-keep-theirs', { type: 'button', onclick: () => { d.dlg.close(); announce(t('sg.keptTheirs')); } }, t('sg.keepTheirs'));
      d.out.replaceChildren(h('div.msg.msg-warn#sg-conflict', { role: 'alert' },
        h('p', h('strong', t('sg.conflict')), t('sg.conflictVersion', { version: fmt.int(theirs.version), when: fmt.dateTime(theirs.updated_at) })),
        conflictList(before, theirs, mine),
        h('p', t('sg.nothingSaved')),
        h('p.actions', again, edit, keep)));
      again.focus();
    }
    d.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearFieldErrors(d.form);
      d.out.replaceChildren();
      const body = collect(base);
      if (!body) return;
      if (!Object.keys(body).length) { d.dlg.close(); announce(t('sg.nothingChanged')); return; }
      submit(body);
    });
    return {
      open(from) {
        base = seg;
        fill(seg);
        d.show(from);
        inputs.street.focus();
      },
    };
  })();

  drawAll();
  loadMap();
  loadReports();
  await loadHistory(true);
}
