// map.js — a canvas map of segments (GeoJSON LineStrings) and premises (points)
// with its own projection: no library, no internet needed.
//
// Coordinates are projected once (local equirectangular around the data's
// centre, metres) into typed arrays; a view transform (scale, offset) maps
// metres to pixels. Segments are drawn as one path per status, so 20,000
// segments cost a handful of stroke() calls. An optional layer beneath
// (basemap.js, the operator's tiles) is drawn first, from this projection.

const R = 6371008.8; // mean Earth radius, metres

export class FiberMap {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{segmentStatuses: string[], premiseStatuses: string[], colors: object}} opts
   */
  constructor(canvas, opts) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.segStatuses = opts.segmentStatuses;
    this.premStatuses = opts.premiseStatuses;
    this.colors = opts.colors;
    this.formatNumber = opts.formatNumber || ((n) => String(n));
    this.hidden = new Set();
    this.lat0 = null;
    this.lon0 = null;
    this.kx = 1;
    // segments: one flat coordinate array, an offset table, a status per segment
    this.segs = [];          // original objects (for details)
    this.segCoords = [];     // number[] while loading, then Float64Array
    this.segStart = [];      // first point index of each segment
    this.segStatus = [];     // status index
    this.prems = [];
    this.premXY = [];
    this.premStatus = [];
    this.bounds = null;      // [minx, miny, maxx, maxy] in metres
    this.scale = 1;          // pixels per metre
    this.ox = 0;             // pixel x of x = 0
    this.oy = 0;             // pixel y of y = 0
    this.userMoved = false;
    this.selected = null;
    this.pending = false;
    this.onDraw = null;
    this.base = null;        // a layer drawn beneath the network: draw(ctx, map) (basemap.js)
  }

  // ---- data ----------------------------------------------------------------------

  setOrigin(lat, lon) {
    if (this.lat0 !== null) return;
    this.lat0 = lat;
    this.lon0 = lon;
    this.kx = Math.cos((lat * Math.PI) / 180) * R * (Math.PI / 180);
    this.ky = R * (Math.PI / 180);
  }

  grow(x, y) {
    const b = this.bounds;
    if (!b) { this.bounds = [x, y, x, y]; return; }
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }

  addSegments(items) {
    for (const s of items) {
      const g = s.geometry;
      if (!g || g.type !== 'LineString' || !Array.isArray(g.coordinates) || g.coordinates.length < 2) continue;
      const c = g.coordinates;
      this.setOrigin(c[0][1], c[0][0]);
      this.segs.push(s);
      this.segStart.push(this.segCoords.length / 2);
      this.segStatus.push(Math.max(0, this.segStatuses.indexOf(s.status)));
      for (const [lon, lat] of c) {
        const x = (lon - this.lon0) * this.kx;
        const y = (lat - this.lat0) * this.ky;
        this.segCoords.push(x, y);
        this.grow(x, y);
      }
    }
  }

  addPremises(items) {
    for (const p of items) {
      if (typeof p.lat !== 'number' || typeof p.lon !== 'number') continue;
      this.setOrigin(p.lat, p.lon);
      const x = (p.lon - this.lon0) * this.kx;
      const y = (p.lat - this.lat0) * this.ky;
      this.prems.push(p);
      this.premXY.push(x, y);
      this.premStatus.push(Math.max(0, this.premStatuses.indexOf(p.status)));
      this.grow(x, y);
    }
  }

  /** How many segments (premises) there are of each status. */
  countSegments() {
    const n = new Array(this.segStatuses.length).fill(0);
    for (const s of this.segStatus) n[s]++;
    return n;
  }

  countPremises() {
    const n = new Array(this.premStatuses.length).fill(0);
    for (const s of this.premStatus) n[s]++;
    return n;
  }

  // ---- view ----------------------------------------------------------------------

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const hgt = this.canvas.clientHeight;
    if (!w || !hgt) return;
    const cw = Math.round(w * dpr);
    const ch = Math.round(hgt * dpr);
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      const cx = this.canvas.width ? (this.canvas.width / 2 - this.ox) / this.scale : null;
      const cy = this.canvas.width ? (this.canvas.height / 2 - this.oy) / -this.scale : null;
      this.canvas.width = cw;
      this.canvas.height = ch;
      if (!this.userMoved || cx === null) this.fit();
      else this.centerOn(cx, cy);
    }
  }

  fit() {
    const b = this.bounds;
    const w = this.canvas.width;
    const hgt = this.canvas.height;
    if (!b || !w || !hgt) return;
    const pad = 16 * (window.devicePixelRatio || 1);
    const bw = Math.max(b[2] - b[0], 10);
    const bh = Math.max(b[3] - b[1], 10);
    this.scale = Math.min((w - 2 * pad) / bw, (hgt - 2 * pad) / bh);
    this.centerOn((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
  }

  centerOn(x, y) {
    this.ox = this.canvas.width / 2 - x * this.scale;
    this.oy = this.canvas.height / 2 + y * this.scale;
  }

  reset() {
    this.userMoved = false;
    this.fit();
    this.draw();
  }

  /** Zooms by factor around the pixel (px, py) of the canvas (device pixels). */
  zoom(factor, px = this.canvas.width / 2, py = this.canvas.height / 2) {
    const next = Math.max(1e-4, Math.min(this.scale * factor, 200));
    const f = next / this.scale;
    this.ox = px - (px - this.ox) * f;
    this.oy = py - (py - this.oy) * f;
    this.scale = next;
    this.userMoved = true;
    this.request();
  }

  pan(dx, dy) {
    this.ox += dx;
    this.oy += dy;
    this.userMoved = true;
    this.request();
  }

  toggle(kind, status, visible) {
    const key = `${kind}:${status}`;
    if (visible) this.hidden.delete(key);
    else this.hidden.add(key);
    this.request();
  }

  /** Draws on the next animation frame (coalesced). */
  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  // ---- drawing -------------------------------------------------------------------

  draw() {
    const ctx = this.ctx;
    const { width: w, height: hgt } = this.canvas;
    if (!w || !hgt) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = this.colors.background;
    ctx.fillRect(0, 0, w, hgt);
    if (this.base) this.base.draw(ctx, this);
    const coords = this.segCoords;
    const start = this.segStart;
    const n = this.segs.length;
    const s = this.scale;
    const ox = this.ox;
    const oy = this.oy;
    // visible window in metres, to skip what is off screen
    const minx = -ox / s;
    const maxx = (w - ox) / s;
    const maxy = oy / s;
    const miny = (oy - hgt) / s;

    // bucket segment indices by status once per draw
    const buckets = this.segStatuses.map(() => []);
    for (let i = 0; i < n; i++) buckets[this.segStatus[i]].push(i);

    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    const lw = Math.max(1.5, Math.min(6, 1.2 + s * 0.6)) * dpr;
    for (let k = 0; k < buckets.length; k++) {
      if (this.hidden.has(`seg:${this.segStatuses[k]}`) || !buckets[k].length) continue;
      ctx.beginPath();
      for (const i of buckets[k]) {
        const a = start[i];
        const b = i + 1 < n ? start[i + 1] : coords.length / 2;
        // quick reject by the first point and the segment's extent is overkill; test first/last
        const x0 = coords[2 * a];
        const y0 = coords[2 * a + 1];
        const x1 = coords[2 * (b - 1)];
        const y1 = coords[2 * (b - 1) + 1];
        if ((x0 < minx && x1 < minx) || (x0 > maxx && x1 > maxx) || (y0 < miny && y1 < miny) || (y0 > maxy && y1 > maxy)) continue;
        ctx.moveTo(ox + x0 * s, oy - y0 * s);
        for (let j = a + 1; j < b; j++) ctx.lineTo(ox + coords[2 * j] * s, oy - coords[2 * j + 1] * s);
      }
      ctx.strokeStyle = this.colors[`seg:${this.segStatuses[k]}`];
      ctx.lineWidth = lw;
      ctx.stroke();
    }

    // premises: small dots, one path per status
    const pr = Math.max(1.5, Math.min(5, 1 + s * 0.4)) * dpr;
    const pxy = this.premXY;
    const pb = this.premStatuses.map(() => []);
    for (let i = 0; i < this.prems.length; i++) pb[this.premStatus[i]].push(i);
    for (let k = 0; k < pb.length; k++) {
      if (this.hidden.has(`prem:${this.premStatuses[k]}`) || !pb[k].length) continue;
      ctx.beginPath();
      const small = pr <= 2.5 * dpr; // squares are much cheaper than arcs, and look the same that small
      for (const i of pb[k]) {
        const x = pxy[2 * i];
        const y = pxy[2 * i + 1];
        if (x < minx || x > maxx || y < miny || y > maxy) continue;
        const px = ox + x * s;
        const py = oy - y * s;
        if (small) {
          ctx.rect(px - pr, py - pr, 2 * pr, 2 * pr);
        } else {
          ctx.moveTo(px + pr, py);
          ctx.arc(px, py, pr, 0, 2 * Math.PI);
        }
      }
      ctx.fillStyle = this.colors[`prem:${this.premStatuses[k]}`];
      ctx.fill();
      if (!small) {
        ctx.lineWidth = Math.max(1, dpr * 0.75);
        ctx.strokeStyle = this.colors.premiseOutline;
        ctx.stroke();
      }
    }

    // selection highlight
    if (this.selected) {
      ctx.lineWidth = lw + 4 * dpr;
      ctx.strokeStyle = this.colors.selection;
      if (this.selected.kind === 'seg') {
        const i = this.selected.index;
        const a = start[i];
        const b = i + 1 < n ? start[i + 1] : coords.length / 2;
        ctx.beginPath();
        ctx.moveTo(ox + coords[2 * a] * s, oy - coords[2 * a + 1] * s);
        for (let j = a + 1; j < b; j++) ctx.lineTo(ox + coords[2 * j] * s, oy - coords[2 * j + 1] * s);
        ctx.globalAlpha = 0.5;
        ctx.stroke();
        ctx.globalAlpha = 1;
      } else {
        const i = this.selected.index;
        ctx.beginPath();
        ctx.arc(ox + pxy[2 * i] * s, oy - pxy[2 * i + 1] * s, pr + 4 * dpr, 0, 2 * Math.PI);
        ctx.lineWidth = 2 * dpr;
        ctx.stroke();
      }
    }
    this.drawScale(ctx, w, hgt, dpr);
    if (this.onDraw) this.onDraw();
  }

  drawScale(ctx, w, hgt, dpr) {
    // a scale bar with a round number of metres, about 100 css px long
    const target = (100 * dpr) / this.scale;
    if (!isFinite(target) || target <= 0) return;
    const p = 10 ** Math.floor(Math.log10(target));
    const m = [1, 2, 5, 10].map((f) => f * p).filter((v) => v <= target).pop() || p;
    const len = m * this.scale;
    const x = 12 * dpr;
    const y = hgt - 14 * dpr;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x - 6 * dpr, y - 18 * dpr, len + 12 * dpr + 60 * dpr, 26 * dpr);
    ctx.strokeStyle = '#1b1f24';
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.moveTo(x, y - 6 * dpr);
    ctx.lineTo(x, y);
    ctx.lineTo(x + len, y);
    ctx.lineTo(x + len, y - 6 * dpr);
    ctx.stroke();
    ctx.fillStyle = '#1b1f24';
    ctx.font = `${12 * dpr}px system-ui, sans-serif`;
    ctx.fillText(m >= 1000 ? `${this.formatNumber(m / 1000)} km` : `${this.formatNumber(m)} m`, x + len + 6 * dpr, y);
  }

  // ---- picking -------------------------------------------------------------------

  /** The segment or premise nearest to a canvas pixel (device pixels), within tol. */
  pick(px, py, tol) {
    const s = this.scale;
    const x = (px - this.ox) / s;
    const y = (this.oy - py) / s;
    const t = tol / s;
    let best = null;
    let bestD = t * t;
    const pxy = this.premXY;
    for (let i = 0; i < this.prems.length; i++) {
      if (this.hidden.has(`prem:${this.premStatuses[this.premStatus[i]]}`)) continue;
      const dx = pxy[2 * i] - x;
      const dy = pxy[2 * i + 1] - y;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = { kind: 'prem', index: i }; }
    }
    if (best) return best;
    bestD = t * t;
    const c = this.segCoords;
    const n = this.segs.length;
    for (let i = 0; i < n; i++) {
      if (this.hidden.has(`seg:${this.segStatuses[this.segStatus[i]]}`)) continue;
      const a = this.segStart[i];
      const b = i + 1 < n ? this.segStart[i + 1] : c.length / 2;
      for (let j = a; j + 1 < b; j++) {
        const d = distSq(x, y, c[2 * j], c[2 * j + 1], c[2 * j + 2], c[2 * j + 3]);
        if (d < bestD) { bestD = d; best = { kind: 'seg', index: i }; }
      }
    }
    return best;
  }

  select(hit) {
    this.selected = hit;
    this.request();
    if (!hit) return null;
    return hit.kind === 'seg' ? this.segs[hit.index] : this.prems[hit.index];
  }
}

function distSq(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const l = dx * dx + dy * dy;
  let t = l ? ((px - ax) * dx + (py - ay) * dy) / l : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}
