// page-map.js — the project map: every segment from its geometry, coloured by
// status, and premises as dots, with a legend. Data: GET /segments and
// GET /premises with limit=1000 and a few fields, one cursor per status.
//
// When everything is loaded and drawn, #map gets data-state="rendered" and
// data-render-ms (milliseconds since the navigation started), and a
// performance mark "map-rendered" is set: the browser test and the benchmark
// read these.

import * as api from './api.js';
import { h, fmt, errorBox, statusBadge, statusLabel, SEGMENT_STATUSES, retryPage } from './ui.js';
import { t } from './i18n.js';
import { FiberMap } from './map.js';
import { TileLayer } from './basemap.js';
import { appConfig } from './config.js';
import { resolveProject, projectPicker } from './page-home.js';
import { gallery, photoSummary } from './photos.js';

const MAX_PHOTOS = 12;

const PREMISE_STATUSES = ['planned', 'passed', 'connected', 'activated', 'excluded'];
const premiseLabel = (s) => t(`premise.${s}`);

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

// Whether the user hid the base map (this browser remembers it).
const BASEMAP_KEY = 'fibertrack.basemap';

/**
 * The operator's base map (config.json's map: {tiles, attribution}) beneath
 * fm, with a switch in slot and the credit the tile service asks for in
 * credit. mapBox gets data-base-* (zoom, tiles in view, drawn, failed) for
 * the tests.
 */
function baseMap(fm, cfg, slot, credit, mapBox) {
  const layer = new TileLayer(cfg.tiles, { onChange: () => fm.request() });
  try {
    layer.visible = localStorage.getItem(BASEMAP_KEY) !== 'off';
  } catch { /* storage blocked: shown */ }
  fm.base = layer;
  let host = '';
  try { host = new URL(cfg.tiles).host; } catch { /* the server checked it */ }
  const note = h('span.map-attribution-note', { hidden: true }, t('mp.unavailable'));
  credit.replaceChildren(h('span.sr-only', `${t('mp.credit')}: `), cfg.attribution || t('mp.from', { host }), note);
  const cb = h('input#map-basemap', { type: 'checkbox', checked: layer.visible });
  const show = () => {
    credit.hidden = !layer.visible;
    mapBox.dataset.base = layer.visible ? 'on' : 'off';
  };
  cb.addEventListener('change', () => {
    layer.visible = cb.checked;
    try { localStorage.setItem(BASEMAP_KEY, cb.checked ? 'on' : 'off'); } catch { /* not remembered then */ }
    show();
    fm.request();
  });
  slot.replaceChildren(cb, h('label', { for: 'map-basemap', title: t('mp.baseMapHint') }, t('mp.baseMap')));
  slot.hidden = false;
  show();
  const before = fm.onDraw;
  let last = '';
  fm.onDraw = () => {
    if (before) before();
    const st = layer.stats;
    const now = `${st.z}/${st.wanted}/${st.drawn}/${st.failed}`;
    if (now === last) return;
    last = now;
    Object.assign(mapBox.dataset, { baseZoom: String(st.z), baseWanted: String(st.wanted), baseDrawn: String(st.drawn), baseFailed: String(st.failed) });
    note.hidden = layer.state() !== 'failed';
  };
  fm.request();
}

const SEGMENT_FIELDS = 'id,code,lot_id,status,geometry';
const PREMISE_FIELDS = 'id,code,status,lat,lon';

export async function render(el, ctx) {
  const started = performance.now();
  el.append(h('h1', t('map.title')), h('p.loading', t('home.loadingProject')));
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
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.project', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project || project.id !== pid) {
    el.append(h('p', project ? t('map.noSuchProject') : t('c.noProject')));
    return;
  }
  el.querySelector('h1').textContent = t('map.titleOf', { code: project.code });

  const canvas = h('canvas#map-canvas', {
    tabindex: '0',
    role: 'img',
    'aria-label': t('map.canvas', { code: project.code }),
    'aria-describedby': 'map-help',
  });
  const progress = h('p#map-progress.small', { 'aria-live': 'polite' }, t('map.loadingData'));
  const details = h('div#map-details.map-details', { 'aria-live': 'polite' },
    h('p.small', t('map.selectHint')));
  const segLegend = h('ul.legend#legend-segments');
  const premLegend = h('ul.legend#legend-premises');
  const credit = h('p#map-attribution.map-attribution', { hidden: true });
  const baseSlot = h('span.map-basemap', { hidden: true });
  const mapBox = h('div#map.map', { dataset: { state: 'loading', base: 'none' } }, canvas, credit);
  const btn = (label, text, fn) => h('button.btn.btn-icon', { type: 'button', 'aria-label': label, title: label, onclick: fn }, text);

  const fm = new FiberMap(canvas, { segmentStatuses: SEGMENT_STATUSES, premiseStatuses: PREMISE_STATUSES, colors: cssColors(), formatNumber: fmt.num });
  // The base map, only when the operator set one up; the network never waits for it.
  appConfig().then((cfg) => {
    if (cfg.map && cfg.map.tiles && !ctx.signal.aborted) baseMap(fm, cfg.map, baseSlot, credit, mapBox);
  });

  el.append(
    projectPicker(projects, project, '/map', ctx.app.navigate),
    h('div.map-layout',
      h('div.map-main',
        h('div.map-toolbar', { role: 'toolbar', 'aria-label': t('map.toolbar') },
          btn(t('map.zoomIn'), '+', () => fm.zoom(1.5)),
          btn(t('map.zoomOut'), '−', () => fm.zoom(1 / 1.5)),
          h('button.btn', { type: 'button', onclick: () => fm.reset() }, t('map.fit')),
          baseSlot,
          progress),
        mapBox,
        h('p#map-help.hint', t('map.help'))),
      h('aside.map-side', { 'aria-label': t('map.side') },
        h('h2', t('c.segments')), segLegend,
        h('h2', t('c.premises')), premLegend,
        h('h2', t('map.selected')), details)),
  );

  // ---- legend with show / hide checkboxes ----
  function legend(ul, kind, statuses, labels, counts) {
    ul.replaceChildren(...statuses.map((s, i) => {
      const id = `lg-${kind}-${s}`;
      const cb = h('input', { type: 'checkbox', id, checked: !fm.hidden.has(`${kind}:${s}`) });
      cb.addEventListener('change', () => fm.toggle(kind, s, cb.checked));
      return h('li', cb, h('label', { for: id },
        h(kind === 'seg' ? `span.swatch.st-${s}` : `span.dot.pr-${s}`), `${labels(s)} `, h('span.count-plain', fmt.int(counts[i]))));
    }));
  }
  function updateLegend() {
    legend(segLegend, 'seg', SEGMENT_STATUSES, statusLabel, fm.countSegments());
    legend(premLegend, 'prem', PREMISE_STATUSES, premiseLabel, fm.countPremises());
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
    box.replaceChildren(h('p.small', t('map.loadingPhotos')));
    let reps;
    try {
      reps = (await api.get('progress-reports', { segment_id: obj.id, limit: 100 }, { signal: ctx.signal })).items;
    } catch {
      box.replaceChildren(); // photos are a nicety here
      return;
    }
    if (detailsFor !== obj || !box.isConnected) return;
    const atts = reps.sort((a, b) => b.id - a.id).flatMap((r) => r.attachments || []);
    const g = atts.length ? gallery(atts.slice(0, MAX_PHOTOS), { signal: ctx.signal, compact: true, label: t('map.photosOf', { code: obj.code }) }) : null;
    if (g) releasePhotos = g.release;
    box.replaceChildren(g ? g.el : '', h('p.small', photoSummary(atts), atts.length > MAX_PHOTOS ? ` ${t('map.more', { n: atts.length - MAX_PHOTOS })}` : ''));
  }

  // The list rows hold only the drawn fields: read the whole object once.
  let detailsFor = null;
  async function showDetails(obj, kind) {
    releasePhotos();
    releasePhotos = () => {};
    if (!obj) {
      details.replaceChildren(h('p.small', t('map.nothing')));
      return;
    }
    if (!obj.full) {
      detailsFor = obj;
      details.replaceChildren(h('p.small', t('map.loadingObj', { code: obj.code })));
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
        row(t('c.segment'), h('strong', obj.code)),
        row(t('c.status'), statusBadge(obj.status)),
        row(t('c.built'), t('c.builtOfPct', {
          built: fmt.m(obj.built_length_m), planned: fmt.m(obj.planned_length_m), pct: fmt.pct(obj.built_length_m, obj.planned_length_m),
        })),
        row(t('c.lot'), lot ? `${lot.code} ${lot.name}` : String(obj.lot_id ?? '–')),
        row(t('map.kindMethod'), `${fmt.enum('segment_kind', obj.kind)} · ${fmt.enum('method', obj.method)} · ${fmt.enum('surface', obj.surface)}`),
        row(t('c.planned'), `${fmt.date(obj.planned_start)} – ${fmt.date(obj.planned_end)}`),
        row(t('c.actual'), `${fmt.date(obj.actual_start)} – ${fmt.date(obj.actual_end)}`),
        row(t('c.photos'), photoBox)),
      h('p.map-open', h('a#map-open-segment', { href: `#/segments/${obj.id}` }, t('sg.openPage'))));
      segmentPhotos(obj, photoBox);
    } else {
      details.replaceChildren(h('dl.facts.facts-1',
        row(t('c.premise'), h('strong', obj.code)),
        row(t('map.address'), `${obj.street || ''} ${obj.house_number || ''}, ${obj.postcode || ''} ${obj.city || ''}`),
        row(t('c.status'), premiseLabel(obj.status)),
        row(t('map.kind'), t('map.units', {
          kind: fmt.enum('premise_kind', obj.kind),
          homes: t('map.homes', { n: obj.units_residential ?? 0 }),
          businesses: t('map.businesses', { n: obj.units_business ?? 0 }),
        })),
        row(t('map.whiteSpot'), obj.white_spot ? t('map.whiteSpotYes', { mbps: fmt.num(obj.bandwidth_before_mbps) }) : t('c.no'))));
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
      progress.textContent = t('map.progress', { segs: fmt.int(segN), prems: fmt.int(premN) });
    }
  };
  onPage();
  try {
    await loading;
  } catch (err) {
    if (err.name === 'AbortError') return;
    mapBox.dataset.state = 'error';
    progress.replaceWith(errorBox(err, 'what.mapData', retryPage));
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
  progress.textContent = t('map.done', { segs: fmt.int(fm.segs.length), prems: fmt.int(fm.prems.length) });
  canvas.setAttribute('aria-label',
    t('map.canvasDone', { code: project.code, segs: fmt.int(fm.segs.length), prems: fmt.int(fm.prems.length) }));
}
