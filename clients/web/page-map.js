// page-map.js — the project map: every segment from its geometry, coloured by
// status, and premises as dots, with a legend. Data: GET /segments and
// GET /premises with limit=1000 and a few fields, one cursor per status.
//
// When everything is loaded and drawn, #map gets data-state="rendered" and
// data-render-ms (milliseconds since the navigation started), and a
// performance mark "map-rendered" is set: the browser test and the benchmark
// read these.

import * as api from './api.js';
import { h, fmt, errorBox, statusBadge, SEGMENT_STATUSES, STATUS_LABEL, retryPage } from './ui.js';
import { FiberMap } from './map.js';
import { resolveProject, projectPicker } from './page-home.js';
import { gallery, photoSummary } from './photos.js';

const T = {
  photos: 'Photos',
  photosOf: (code) => `Photos of the progress reports on ${code}`,
  loadingPhotos: 'Loading photos…',
  more: (n) => `and ${n} more in older reports`,
};
const MAX_PHOTOS = 12;

const PREMISE_STATUSES = ['planned', 'passed', 'connected', 'activated', 'excluded'];
const PREMISE_LABEL = { planned: 'Planned', passed: 'Passed', connected: 'Connected', activated: 'Activated', excluded: 'Excluded' };

function cssColors() {
  const cs = getComputedStyle(document.documentElement);
  const v = (name, dflt) => (cs.getPropertyValue(name) || '').trim() || dflt;
  const colors = {
    background: v('--map-bg', '#f4f6f8'),
    premiseOutline: v('--map-prem-outline', '#ffffff'),
    selection: v('--map-selection', '#000000'),
  };
  for (const s of SEGMENT_STATUSES) colors[`seg:${s}`] = v(`--st-${s}`, '#888');
  for (const s of PREMISE_STATUSES) colors[`prem:${s}`] = v(`--pr-${s}`, '#555');
  return colors;
}

const SEGMENT_FIELDS = 'id,code,lot_id,status,geometry';
const PREMISE_FIELDS = 'id,code,status,lat,lon';

export async function render(el, ctx) {
  const started = performance.now();
  el.append(h('h1', 'Map'), h('p.loading', 'Loading the project…'));
  // The map data is what takes time: ask for it at once, while the project loads.
  const pid = Number(ctx.params.id);
  const segPages = [];
  const premPages = [];
  let segN = 0;
  let premN = 0;
  let onPage = () => {};
  // Only what the map draws (the details of one object are fetched when it
  // is selected), one cursor per status so that pages load side by side
  // instead of one after the other.
  const stream = (resource, status, fields, pages, count) =>
    api.listAll(resource, { project_id: pid, status, fields }, (items) => {
      pages.push(items);
      count(items.length);
      onPage();
    }, { signal: ctx.signal });
  const loading = Promise.all([
    ...SEGMENT_STATUSES.map((st) => stream('segments', st, SEGMENT_FIELDS, segPages, (n) => { segN += n; })),
    ...PREMISE_STATUSES.map((st) => stream('premises', st, PREMISE_FIELDS, premPages, (n) => { premN += n; })),
  ]);
  loading.catch(() => {}); // handled below; this only keeps an early failure from being "unhandled"

  let projects, project;
  try {
    ({ projects, project } = await resolveProject(ctx));
  } catch (err) {
    el.querySelector('.loading').replaceWith(errorBox(err, 'the project', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project || project.id !== pid) {
    el.append(h('p', project ? 'There is no such project.' : 'There is no project yet.'));
    return;
  }
  el.querySelector('h1').textContent = `Map: ${project.code}`;

  const canvas = h('canvas#map-canvas', {
    tabindex: '0',
    role: 'img',
    'aria-label': `Map of the segments and premises of ${project.code}`,
    'aria-describedby': 'map-help',
  });
  const progress = h('p#map-progress.small', { 'aria-live': 'polite' }, 'Loading segments and premises…');
  const details = h('div#map-details.map-details', { 'aria-live': 'polite' },
    h('p.small', 'Select a segment or a premise on the map to see its details.'));
  const segLegend = h('ul.legend#legend-segments');
  const premLegend = h('ul.legend#legend-premises');
  const mapBox = h('div#map.map', { dataset: { state: 'loading' } }, canvas);
  const btn = (label, text, fn) => h('button.btn.btn-icon', { type: 'button', 'aria-label': label, title: label, onclick: fn }, text);

  const fm = new FiberMap(canvas, { segmentStatuses: SEGMENT_STATUSES, premiseStatuses: PREMISE_STATUSES, colors: cssColors() });

  el.append(
    projectPicker(projects, project, '/map', ctx.app.navigate),
    h('div.map-layout',
      h('div.map-main',
        h('div.map-toolbar', { role: 'toolbar', 'aria-label': 'Map view' },
          btn('Zoom in', '+', () => fm.zoom(1.5)),
          btn('Zoom out', '−', () => fm.zoom(1 / 1.5)),
          h('button.btn', { type: 'button', onclick: () => fm.reset() }, 'Fit all'),
          progress),
        mapBox,
        h('p#map-help.hint', 'Drag or use the arrow keys to move, the mouse wheel or + and − to zoom, 0 to fit everything; click a line or a dot (or press Enter for the one in the middle) to see its details.')),
      h('aside.map-side', { 'aria-label': 'Legend and details' },
        h('h2', 'Segments'), segLegend,
        h('h2', 'Premises'), premLegend,
        h('h2', 'Selected'), details)),
  );

  // ---- legend with show / hide checkboxes ----
  function legend(ul, kind, statuses, labels, counts) {
    ul.replaceChildren(...statuses.map((s, i) => {
      const id = `lg-${kind}-${s}`;
      const cb = h('input', { type: 'checkbox', id, checked: !fm.hidden.has(`${kind}:${s}`) });
      cb.addEventListener('change', () => fm.toggle(kind, s, cb.checked));
      return h('li', cb, h('label', { for: id },
        h(kind === 'seg' ? `span.swatch.st-${s}` : `span.dot.pr-${s}`), `${labels[s]} `, h('span.count-plain', fmt.int(counts[i]))));
    }));
  }
  function updateLegend() {
    legend(segLegend, 'seg', SEGMENT_STATUSES, STATUS_LABEL, fm.countSegments());
    legend(premLegend, 'prem', PREMISE_STATUSES, PREMISE_LABEL, fm.countPremises());
  }
  updateLegend();

  // ---- details of what is selected ----
  const lots = new Map();
  api.listAll('lots', { project_id: project.id }, null, { signal: ctx.signal })
    .then((items) => { for (const l of items) lots.set(l.id, l); })
    .catch(() => { /* lot codes are a nicety */ });

  // The photos of a segment's progress reports, newest report first.
  let releasePhotos = () => {};
  async function segmentPhotos(obj, box) {
    box.replaceChildren(h('p.small', T.loadingPhotos));
    let reps;
    try {
      reps = (await api.get('progress-reports', { segment_id: obj.id, limit: 100 }, { signal: ctx.signal })).items;
    } catch {
      box.replaceChildren(); // photos are a nicety here
      return;
    }
    if (detailsFor !== obj || !box.isConnected) return;
    const atts = reps.sort((a, b) => b.id - a.id).flatMap((r) => r.attachments || []);
    const g = atts.length ? gallery(atts.slice(0, MAX_PHOTOS), { signal: ctx.signal, compact: true, label: T.photosOf(obj.code) }) : null;
    if (g) releasePhotos = g.release;
    box.replaceChildren(g ? g.el : '', h('p.small', photoSummary(atts), atts.length > MAX_PHOTOS ? ` ${T.more(atts.length - MAX_PHOTOS)}` : ''));
  }

  // The list rows hold only the drawn fields: read the whole object once.
  let detailsFor = null;
  async function showDetails(obj, kind) {
    releasePhotos();
    releasePhotos = () => {};
    if (!obj) {
      details.replaceChildren(h('p.small', 'Nothing there. Select a segment or a premise on the map.'));
      return;
    }
    if (!obj.full) {
      detailsFor = obj;
      details.replaceChildren(h('p.small', `Loading ${obj.code}…`));
      try {
        Object.assign(obj, await api.get(`${kind === 'seg' ? 'segments' : 'premises'}/${obj.id}`), { full: true });
      } catch (err) {
        if (detailsFor === obj) details.replaceChildren(errorBox(err, obj.code, () => showDetails(obj, kind)));
        return;
      }
      if (detailsFor !== obj) return; // another object was selected meanwhile
    }
    const row = (k, v) => h('div', h('dt', k), h('dd', v));
    detailsFor = obj;
    if (kind === 'seg') {
      const lot = lots.get(obj.lot_id);
      const photoBox = h('div#map-photos');
      details.replaceChildren(h('dl.facts.facts-1',
        row('Segment', h('strong', obj.code)),
        row('Status', statusBadge(obj.status)),
        row('Built', `${fmt.m(obj.built_length_m)} of ${fmt.m(obj.planned_length_m)} (${fmt.pct(obj.built_length_m, obj.planned_length_m)})`),
        row('Lot', lot ? `${lot.code} ${lot.name}` : String(obj.lot_id ?? '–')),
        row('Kind / method', `${fmt.label(obj.kind)} · ${fmt.label(obj.method)} · ${fmt.label(obj.surface)}`),
        row('Planned', `${fmt.date(obj.planned_start)} – ${fmt.date(obj.planned_end)}`),
        row('Actual', `${fmt.date(obj.actual_start)} – ${fmt.date(obj.actual_end)}`),
        row(T.photos, photoBox)));
      segmentPhotos(obj, photoBox);
    } else {
      details.replaceChildren(h('dl.facts.facts-1',
        row('Premise', h('strong', obj.code)),
        row('Address', `${obj.street || ''} ${obj.house_number || ''}, ${obj.postcode || ''} ${obj.city || ''}`),
        row('Status', PREMISE_LABEL[obj.status] || obj.status),
        row('Kind', `${fmt.label(obj.kind)} · ${fmt.int(obj.units_residential)} homes, ${fmt.int(obj.units_business)} businesses`),
        row('White spot', obj.white_spot ? `yes (${fmt.int(obj.bandwidth_before_mbps)} Mbit/s before)` : 'no')));
    }
  }

  // ---- interaction: drag, wheel, keys, click ----
  const dpr = () => window.devicePixelRatio || 1;
  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    fm.pan(dx * dpr(), dy * dpr());
    drag.x = e.clientX;
    drag.y = e.clientY;
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const wasDrag = drag.moved;
    drag = null;
    if (wasDrag) return;
    const r = canvas.getBoundingClientRect();
    const hit = fm.pick((e.clientX - r.left) * dpr(), (e.clientY - r.top) * dpr(), 8 * dpr());
    showDetails(fm.select(hit), hit && hit.kind);
  });
  canvas.addEventListener('pointercancel', () => { drag = null; });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    fm.zoom(e.deltaY < 0 ? 1.25 : 1 / 1.25, (e.clientX - r.left) * dpr(), (e.clientY - r.top) * dpr());
  }, { passive: false });
  canvas.addEventListener('keydown', (e) => {
    const step = 60 * dpr();
    const keys = {
      ArrowLeft: () => fm.pan(step, 0),
      ArrowRight: () => fm.pan(-step, 0),
      ArrowUp: () => fm.pan(0, step),
      ArrowDown: () => fm.pan(0, -step),
      '+': () => fm.zoom(1.5),
      '=': () => fm.zoom(1.5),
      '-': () => fm.zoom(1 / 1.5),
      0: () => fm.reset(),
      Enter: () => {
        const hit = fm.pick(canvas.width / 2, canvas.height / 2, 24 * dpr());
        showDetails(fm.select(hit), hit && hit.kind);
      },
    };
    const fn = keys[e.key];
    if (fn) { e.preventDefault(); fn(); }
  });
  const ro = new ResizeObserver(() => { fm.resize(); fm.request(); });
  ro.observe(canvas);
  ctx.signal.addEventListener('abort', () => ro.disconnect());

  // ---- data: segments and premises in parallel (started above) ----
  // Pages are projected as they come; the map is drawn once, when all is there
  // (drawing 60,000 shapes again for every page would only slow the loading).
  let lastText = 0;
  onPage = () => {
    for (const items of segPages.splice(0)) fm.addSegments(items);
    for (const items of premPages.splice(0)) fm.addPremises(items);
    const now = performance.now();
    if (now - lastText > 250) {
      lastText = now;
      progress.textContent = `Loading… ${fmt.int(segN)} segments, ${fmt.int(premN)} premises so far`;
    }
  };
  onPage();
  try {
    await loading;
  } catch (err) {
    if (err.name === 'AbortError') return;
    mapBox.dataset.state = 'error';
    progress.replaceWith(errorBox(err, 'the map data', retryPage));
    return;
  }
  onPage();
  const loaded = performance.now();
  fm.resize();
  if (!fm.userMoved) fm.fit();
  fm.draw();
  updateLegend();
  const ms = performance.now();
  performance.mark('map-rendered');
  mapBox.dataset.renderMs = String(Math.round(ms));
  // Where the time went: page start, data loaded, drawn (ms since navigation).
  mapBox.dataset.timeline = [started, loaded, ms].map(Math.round).join(' ');
  mapBox.dataset.segments = String(fm.segs.length);
  mapBox.dataset.premises = String(fm.prems.length);
  mapBox.dataset.state = 'rendered';
  progress.textContent = `${fmt.int(fm.segs.length)} segments and ${fmt.int(fm.prems.length)} premises.`;
  canvas.setAttribute('aria-label',
    `Map of ${project.code}: ${fmt.int(fm.segs.length)} segments and ${fmt.int(fm.prems.length)} premises, coloured by status as in the legend`);
}
