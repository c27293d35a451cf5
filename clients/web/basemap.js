// basemap.js — an operator's base map beneath the network on the map's
// canvas: XYZ tiles (Web Mercator, 256 px, from FT_MAP_TILES).
//
// The map (map.js) has its own projection: metres east and north of an origin
// (local equirectangular). Tiles are placed by their corners: tile x/y/z to
// lat/lon to the map's metres to pixels, so a tile lands where the network
// is. Inside one tile the two projections differ by a tiny fraction of a
// pixel at town scale; a tile at a low zoom is drawn in horizontal strips,
// each placed by its own latitudes.
//
// Tiles load in the background, a few at a time, nearest to the centre
// first, and are kept in memory (a bounded number, least recently drawn
// dropped first). Until a tile is there, the nearest coarser tile kept
// stands in for it; a tile that fails is left out (and asked again later):
// the network never waits for the base map.

const SIZE = 256;           // pixels of a tile
const MAX_ZOOM = 19;        // what tile services offer at most
const MAX_KEPT = 160;       // tiles kept in memory (at least twice a view's), 256 KiB each decoded
const MAX_LOADING = 6;      // requests at a time (what a browser gives one host anyway)
const MAX_VIEW = 400;       // more tiles than this in view: none (a view of half the world)
const RETRY_MS = 30_000;    // a failed tile is asked again after this long
const LAT_MAX = 85.0511287798; // Web Mercator's edge
const VEIL = 'rgba(255,255,255,0.35)'; // softens the base map so the network stands out

/** Longitude of the west edge of tile column x at zoom z. */
export const tileLon = (x, z) => (x / 2 ** z) * 360 - 180;
/** Latitude of the north edge of tile row y at zoom z. */
export const tileLat = (y, z) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;
/** Tile column (fractional) of a longitude at zoom z. */
export const lonTile = (lon, z) => ((lon + 180) / 360) * 2 ** z;
/** Tile row (fractional) of a latitude at zoom z. */
export function latTile(lat, z) {
  const r = (Math.max(-LAT_MAX, Math.min(LAT_MAX, lat)) * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z;
}

/**
 * The zoom whose tile pixels come closest to one CSS pixel at a map scale
 * (CSS pixels per metre) and latitude: between 0.7 and 1.4 CSS px each.
 */
export function zoomFor(pxPerMetre, lat, maxZoom = MAX_ZOOM) {
  const metresPerPxAtZ0 = (2 * Math.PI * 6378137 * Math.cos((lat * Math.PI) / 180)) / SIZE;
  const z = Math.round(Math.log2(metresPerPxAtZ0 * pxPerMetre));
  return Number.isFinite(z) ? Math.max(0, Math.min(maxZoom, z)) : 0;
}

/** A tile's URL from the template ({z}, {x}, {y}). */
export function tileUrl(template, z, x, y) {
  return template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));
}

export class TileLayer {
  /**
   * @param {string} template an http(s) URL with {z}, {x} and {y}
   * @param {{onChange?: () => void, maxZoom?: number}} opts onChange: a tile
   *   arrived or failed (the map draws again)
   */
  constructor(template, opts = {}) {
    this.template = template;
    this.onChange = opts.onChange || (() => {});
    this.maxZoom = opts.maxZoom ?? MAX_ZOOM;
    this.visible = true;
    this.tiles = new Map(); // "z/x/y" → {img, state: 'loading'|'ok'|'error', at}; in order of last use
    this.loading = 0;
    /** The last draw: its zoom, the tiles in view, how many drawn at that zoom, how many failed. */
    this.stats = { z: null, wanted: 0, drawn: 0, failed: 0 };
  }

  /**
   * Draws the tiles in view beneath what the map draws next. map is the
   * FiberMap: its origin (lat0, lon0), metres per degree (kx, ky) and view
   * (scale: device px per metre; ox, oy: the pixel of the origin).
   */
  draw(ctx, map) {
    this.stats = { z: null, wanted: 0, drawn: 0, failed: 0 };
    if (!this.visible || map.lat0 === null) return;
    const { width: w, height: hgt } = ctx.canvas;
    const { lat0, lon0, kx, ky, scale: s, ox, oy } = map;
    const dpr = window.devicePixelRatio || 1;
    const z = zoomFor(s / dpr, lat0, this.maxZoom);
    const n = 2 ** z;
    // The view's corners in lat/lon, then in tiles.
    const lonW = lon0 - ox / s / kx;
    const lonE = lon0 + (w - ox) / s / kx;
    const latN = lat0 + oy / s / ky;
    const latS = lat0 + (oy - hgt) / s / ky;
    const x0 = Math.floor(lonTile(lonW, z));
    const x1 = Math.floor(lonTile(lonE, z));
    const y0 = Math.max(0, Math.floor(latTile(latN, z)));
    const y1 = Math.min(n - 1, Math.floor(latTile(latS, z)));
    if (x1 < x0 || y1 < y0 || (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_VIEW) return;

    // Pixel positions of tile edges, shared by neighbours (so no seams).
    const px = (u, zz) => Math.round(ox + (tileLon(u, zz) - lon0) * kx * s);
    const py = (v, zz) => Math.round(oy - (tileLat(v, zz) - lat0) * ky * s);
    const strips = z >= 12 ? 1 : Math.min(8, 2 ** Math.ceil((12 - z) / 3));
    const place = (img, sx, sy, sw, tx, ty, zz) => {
      // tile (tx, ty) of zoom zz, from the square (sx, sy, sw) of img
      const left = px(tx, zz);
      const right = px(tx + 1, zz);
      if (right <= left) return;
      for (let k = 0; k < strips; k++) {
        const top = py(ty + k / strips, zz);
        const bottom = py(ty + (k + 1) / strips, zz);
        if (bottom <= top) continue;
        ctx.drawImage(img, sx, sy + (k * sw) / strips, sw, sw / strips, left, top, right - left, bottom - top);
      }
    };

    const now = performance.now();
    const wanted = [];
    const cx = lonTile(lon0 + (w / 2 - ox) / s / kx, z);
    const cy = latTile(lat0 + (oy - hgt / 2) / s / ky, z);
    let drawn = 0;
    let failed = 0;
    let covered = false; // anything of the base map drawn, at this zoom or a coarser one
    for (let ty = y0; ty <= y1; ty++) {
      for (let tx = x0; tx <= x1; tx++) {
        const wx = ((tx % n) + n) % n; // the world repeats east and west
        const key = `${z}/${wx}/${ty}`;
        const t = this.tiles.get(key);
        if (t) this.touch(key, t);
        if (t && t.state === 'ok') {
          place(t.img, 0, 0, SIZE, tx, ty, z);
          drawn++;
          covered = true;
          continue;
        }
        if (t && t.state === 'error') failed++;
        // A coarser tile kept in memory stands in, scaled up.
        for (let d = 1; d <= 4 && d <= z; d++) {
          const f = 2 ** d;
          const pkey = `${z - d}/${Math.floor(wx / f)}/${Math.floor(ty / f)}`;
          const pt = this.tiles.get(pkey);
          if (pt && pt.state === 'ok') {
            this.touch(pkey, pt);
            const sw = SIZE / f;
            place(pt.img, (wx % f) * sw, (ty % f) * sw, sw, tx, ty, z);
            covered = true;
            break;
          }
        }
        if (!t || (t.state === 'error' && now - t.at > RETRY_MS)) {
          wanted.push({ key, wx, ty, d: (tx + 0.5 - cx) ** 2 + (ty + 0.5 - cy) ** 2 });
        }
      }
    }
    if (covered) {
      ctx.fillStyle = VEIL;
      ctx.fillRect(0, 0, w, hgt);
    }
    wanted.sort((a, b) => a.d - b.d);
    for (const t of wanted) {
      if (this.loading >= MAX_LOADING) break;
      this.load(t.key, tileUrl(this.template, z, t.wx, t.ty));
    }
    this.stats = { z, wanted: (x1 - x0 + 1) * (y1 - y0 + 1), drawn, failed };
  }

  /** 'none' (hidden, or nothing in view), 'ok' (all drawn), 'loading', or 'failed' (none could be had). */
  state() {
    const st = this.stats;
    if (!st.wanted) return 'none';
    if (st.drawn === st.wanted) return 'ok';
    return st.failed && !st.drawn ? 'failed' : 'loading';
  }

  /** Marks a tile as just used: the Map's order is the order of use. */
  touch(key, t) {
    this.tiles.delete(key);
    this.tiles.set(key, t);
  }

  load(key, url) {
    const img = new Image();
    const t = { img, state: 'loading', at: performance.now() };
    this.tiles.set(key, t);
    this.loading++;
    // Tile services ask for the page's origin (their terms, or a key bound to
    // it); the dashboard itself sends no referrer, and the hash never leaves.
    img.referrerPolicy = 'strict-origin';
    img.decoding = 'async';
    img.onload = () => {
      t.state = 'ok';
      this.done();
    };
    img.onerror = () => {
      t.state = 'error';
      t.at = performance.now();
      this.done();
    };
    img.src = url;
  }

  done() {
    this.loading--;
    // Drop the least recently drawn tiles beyond the bound (not those still loading).
    const keep = Math.max(MAX_KEPT, 2 * this.stats.wanted);
    for (const [key, t] of this.tiles) {
      if (this.tiles.size <= keep) break;
      if (t.state !== 'loading') this.tiles.delete(key);
    }
    this.onChange();
  }
}
