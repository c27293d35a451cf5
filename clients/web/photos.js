// photos.js — the photos and documents of progress reports (attachments):
// thumbnails with their warnings, and a full-size viewer (a modal dialog with
// previous / next, Escape to close, and a download link).
//
// Attachments are read with the bearer token (GET /attachments/{id} and
// /attachments/{id}/thumbnail), so an <img> cannot point at them: the bytes
// are fetched and shown through an object URL, revoked when the picture goes.
// Where the page's Content-Security-Policy does not allow blob: images, a
// data: URL is used instead (see imageSrc).

import * as api from './api.js';
import { h, fmt } from './ui.js';
import { t, has } from './i18n.js';

// pfmt: the formatting of this module, kept for the modules that import it (ui.js fmt does it).
export const pfmt = {
  bytes: (n) => fmt.bytes(n),
  dateTime: (iso) => fmt.dateTime(iso),
  distance: (m) => fmt.distance(m),
  position: (lat, lon) => fmt.position(lat, lon),
};

const DOC_LABEL = { 'application/pdf': 'PDF', 'image/heic': 'HEIC' };

// ---- pictures from Blobs ---------------------------------------------------------------

let blobImages = null;

/**
 * Whether <img src="blob:…"> is allowed by the page's Content-Security-Policy.
 * The policy is a response header, which scripts cannot read from the
 * document, so the page itself is asked for once.
 */
function blobImagesAllowed() {
  if (!blobImages) {
    blobImages = fetch(location.pathname || '/', { cache: 'no-store' }).then((r) => {
      const csp = r.headers.get('Content-Security-Policy');
      if (r.body) r.body.cancel().catch(() => {});
      if (!csp) return true;
      const dirs = new Map();
      for (const d of csp.split(';')) {
        const parts = d.trim().split(/\s+/);
        if (parts[0]) dirs.set(parts[0].toLowerCase(), parts.slice(1));
      }
      const src = dirs.get('img-src') || dirs.get('default-src');
      return !src || src.includes('blob:');
    }).catch(() => false);
  }
  return blobImages;
}

/** A URL for showing a Blob in an <img>: {url, release()} (release when the picture is gone). */
export async function imageSrc(blob) {
  if (await blobImagesAllowed()) {
    const url = URL.createObjectURL(blob);
    return { url, release: () => URL.revokeObjectURL(url) };
  }
  const url = await new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
  return { url, release: () => {} };
}

/**
 * A small preview of a picture the user picked (a data: URL of a JPEG at most
 * `size` px wide or high), or null for what the browser cannot decode (PDF,
 * HEIC in most browsers). Small enough to keep in the outbox.
 */
export async function makePreview(file, size = 160) {
  if (!/^image\/(jpeg|png|gif|webp|heic)$/.test(file.type || '')) return null;
  let bmp;
  try {
    bmp = await createImageBitmap(file);
  } catch {
    return null;
  }
  const scale = Math.min(1, size / Math.max(bmp.width, bmp.height));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(bmp.width * scale));
  c.height = Math.max(1, Math.round(bmp.height * scale));
  c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
  bmp.close();
  return c.toDataURL('image/jpeg', 0.8);
}

/** A stand-in for a file without a picture: a page with its type on it. */
export function docIcon(mediaType, name = '') {
  const ext = name.includes('.') ? name.split('.').pop() : '';
  const label = DOC_LABEL[mediaType] || (ext ? ext.toUpperCase().slice(0, 4) : t('ph.fileKind'));
  return h('span.doc-icon', { 'aria-hidden': 'true' }, label);
}

const hasThumbnail = (a) => a.media_type === 'image/jpeg' || a.media_type === 'image/png';

// Thumbnails load a few at a time (a review queue may show many).
const MAX_PARALLEL = 4;
let running = 0;
const waiting = [];
function limited(fn) {
  return new Promise((resolve, reject) => {
    const go = () => {
      running++;
      fn().then(resolve, reject).finally(() => {
        running--;
        if (waiting.length) waiting.shift()();
      });
    };
    if (running < MAX_PARALLEL) go(); else waiting.push(go);
  });
}

// ---- thumbnails --------------------------------------------------------------------------

/** The warnings of an attachment, as a list (or null when there are none). */
export function flagList(a, tag = 'ul.flags') {
  const flags = (a.flags || []).filter((f) => has(`ph.${f}`));
  if (!flags.length) return null;
  return h(tag, { 'aria-label': t('ph.warnings') }, flags.map((f) => h('li.flag', { dataset: { flag: f } }, t(`ph.${f}`))));
}

function metaLine(a) {
  const parts = [];
  if (a.taken_at) parts.push(h('time', { datetime: a.taken_at }, pfmt.dateTime(a.taken_at)));
  const d = pfmt.distance(a.distance_m);
  if (d) parts.push(t('ph.fromSegment', { distance: d }));
  return parts.length ? h('span.small.block', parts.flatMap((p, i) => (i ? [' · ', p] : [p]))) : null;
}

/** Counts for a report: "2 photos (1 with warnings)". */
export function photoSummary(list) {
  const n = list.length;
  if (!n) return t('ph.noPhotos');
  const warn = list.filter((a) => (a.flags || []).length).length;
  const photos = t('c.photoCount', { n });
  return warn ? t('ph.summary', { photos, warnings: t('ph.withWarnings', { n: warn }) }) : photos;
}

/**
 * The attachments of one report as thumbnails, each with its caption, time,
 * distance and warnings; a thumbnail opens the viewer on that photo.
 * Returns {el, release()}; release() revokes the object URLs (it also runs
 * when `signal` aborts, i.e. when the page is left).
 */
export function gallery(list, { signal = null, compact = false, label = '' } = {}) {
  const releases = [];
  let released = false;
  const release = () => {
    released = true;
    for (const r of releases.splice(0)) r();
  };
  if (signal) signal.addEventListener('abort', release, { once: true });
  const el = h(`ul.gallery${compact ? '.gallery-compact' : ''}`, { 'aria-label': label || null });
  list.forEach((a, i) => {
    const name = a.caption || a.file_name || `#${a.id}`;
    const pic = h('span.thumb-pic', hasThumbnail(a) ? h('span.thumb-wait') : docIcon(a.media_type, a.file_name));
    const btn = h('button.thumb', {
      type: 'button',
      'aria-label': t('ph.open', { name }),
      dataset: { attachment: a.id },
      onclick: () => openViewer(list, i, btn),
    }, pic);
    const warn = (a.flags || []).length > 0;
    el.append(h(`li.photo${warn ? '.photo-warn' : ''}`, { dataset: { attachment: a.id } },
      btn,
      compact ? null : h('div.photo-info',
        h('span.photo-caption', a.caption || h('span.small', t('ph.noCaption'))),
        metaLine(a),
        flagList(a))));
    if (!hasThumbnail(a)) return;
    limited(() => (released ? Promise.resolve(null) : api.getBlob(`attachments/${a.id}/thumbnail`, { signal })))
      .then(async (blob) => {
        if (!blob || released) return;
        const src = await imageSrc(blob);
        if (released) { src.release(); return; }
        releases.push(src.release);
        pic.replaceChildren(h('img', { src: src.url, alt: '', width: '160', height: '120', decoding: 'async' }));
        el.dispatchEvent(new CustomEvent('thumbnail', { bubbles: true }));
      })
      .catch((err) => {
        if (err && err.name === 'AbortError') return;
        // no thumbnail (a 404 of type …/no-thumbnail) or any other failure: the document icon
        pic.replaceChildren(docIcon(a.media_type, a.file_name));
      });
  });
  return { el, release };
}

// ---- the viewer -----------------------------------------------------------------------------

let viewerOpen = null;

/**
 * Opens the full-size viewer on list[index]; focus returns to `opener` when
 * it closes. Arrow keys (and the buttons) move between the photos, Escape closes.
 */
export function openViewer(list, index, opener = null) {
  if (viewerOpen) viewerOpen.close();
  let i = index;
  let current = null; // {release} of the shown file
  let seq = 0;
  const title = h('h2#viewer-title');
  const stage = h('div.viewer-stage');
  const caption = h('p.viewer-caption');
  const flags = h('div.viewer-flags');
  const facts = h('dl.facts.viewer-facts');
  const dl = h('p.viewer-download');
  const counter = h('span.viewer-count', { 'aria-live': 'polite' });
  const prev = h('button.btn#viewer-prev', { type: 'button' }, `‹ ${t('ph.previous')}`);
  const next = h('button.btn#viewer-next', { type: 'button' }, `${t('ph.next')} ›`);
  const close = h('button.btn.btn-icon.viewer-close', { type: 'button', 'aria-label': t('c.close'), title: t('c.close') }, '×');
  const dlg = h('dialog.dialog.viewer#photo-viewer', { 'aria-labelledby': 'viewer-title' },
    h('div.viewer-head', title, close),
    h('figure.viewer-figure', stage, h('figcaption', caption, flags)),
    facts,
    h('div.viewer-foot', list.length > 1 ? h('p.actions.viewer-nav', prev, counter, next) : null, dl));

  const row = (k, v) => (v === null || v === undefined || v === '' ? null : h('div', h('dt', k), h('dd', v)));

  function drop() {
    if (current) current.release();
    current = null;
  }

  async function show(k) {
    i = (k + list.length) % list.length;
    const a = list[i];
    const my = ++seq;
    drop();
    title.textContent = t('ph.viewerTitle', { i: i + 1, n: list.length });
    counter.textContent = t('ph.photoOf', { i: i + 1, n: list.length });
    caption.textContent = a.caption || t('ph.noCaption');
    caption.classList.toggle('small', !a.caption);
    flags.replaceChildren(flagList(a) || '');
    const d = pfmt.distance(a.distance_m);
    facts.replaceChildren(
      row(t('ph.taken'), a.taken_at ? h('time', { datetime: a.taken_at }, pfmt.dateTime(a.taken_at)) : t('ph.unknown')),
      row(t('ph.position'), [pfmt.position(a.lat, a.lon), d ? ` (${t('ph.fromSegment', { distance: d })})` : null].filter(Boolean).join('') || t('ph.unknown')),
      row(t('ph.file'), `${a.file_name || '–'} · ${pfmt.bytes(a.size)}`),
      row(t('ph.uploaded'), pfmt.dateTime(a.created_at)));
    dlg.dataset.attachment = String(a.id);
    dl.replaceChildren();
    stage.replaceChildren(h('p.loading', t('c.loading')));
    let blob;
    try {
      blob = await api.getBlob(`attachments/${a.id}`);
    } catch (err) {
      if (my !== seq) return;
      stage.replaceChildren(docIcon(a.media_type, a.file_name), h('p.small', t('ph.loadFailed')));
      return;
    }
    if (my !== seq || !dlg.open) return;
    const href = URL.createObjectURL(blob);
    let shown = { release: () => {} };
    const visible = hasThumbnail(a) || a.media_type === 'image/heic';
    if (visible) {
      try { shown = await imageSrc(blob); } catch { shown = { url: null, release: () => {} }; }
    }
    const mine = { release: () => { URL.revokeObjectURL(href); shown.release(); } };
    if (my !== seq || !dlg.open) { mine.release(); return; }
    current = mine;
    dl.replaceChildren(h('a.btn#viewer-download', { href, download: a.file_name || `attachment-${a.id}` }, t('ph.download', { name: a.file_name || '' })));
    if (visible && shown.url) {
      const img = h('img.viewer-img', { src: shown.url, alt: a.caption || a.file_name || '' });
      img.addEventListener('error', () => stage.replaceChildren(docIcon(a.media_type, a.file_name), h('p.small', t('ph.cannotShow'))));
      stage.replaceChildren(img);
    } else {
      stage.replaceChildren(docIcon(a.media_type, a.file_name), h('p.small', t('ph.noPreview')));
    }
  }

  prev.addEventListener('click', () => show(i - 1));
  next.addEventListener('click', () => show(i + 1));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('keydown', (e) => {
    if (list.length < 2 || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft') { e.preventDefault(); show(i - 1); }
    if (e.key === 'ArrowRight') { e.preventDefault(); show(i + 1); }
  });
  // a click on the backdrop (outside the dialog's box) closes it too
  dlg.addEventListener('click', (e) => {
    if (e.target !== dlg) return;
    const r = dlg.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) dlg.close();
  });
  dlg.addEventListener('close', () => {
    seq++;
    drop();
    dlg.remove();
    viewerOpen = null;
    if (opener && opener.isConnected) opener.focus();
  });

  document.body.append(dlg);
  dlg.showModal();
  viewerOpen = dlg;
  (list.length > 1 ? next : close).focus();
  show(i);
  return dlg;
}
