// Small inline-SVG charts for the risk signals view: stacked bars and lines over time buckets.
// No library: the console is served offline, and a few dozen lines draw what it needs.

const NS = 'http://www.w3.org/2000/svg';
const W = 520;
const H = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 26 };

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Axis and tooltip numbers: whole numbers as they are, others with one decimal. */
const count = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function niceMax(value) {
  if (value <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p;
  return 10 * p;
}

function timeLabel(ms, spanMs) {
  const d = new Date(ms);
  if (spanMs > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()}`;
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function frame(title, buckets, max, format) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(el('title', {}, title));
  const plotH = H - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid' }));
    svg.append(el('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, format(max * f)));
  }
  const span = buckets.length ? buckets[buckets.length - 1].start - buckets[0].start : 0;
  const step = Math.max(1, Math.ceil(buckets.length / 6));
  const bw = (W - PAD.left - PAD.right) / Math.max(1, buckets.length);
  buckets.forEach((b, i) => {
    if (i % step !== 0) return;
    svg.append(el('text', { x: PAD.left + bw * i, y: H - 8, class: 'axis' }, timeLabel(b.start, span)));
  });
  return { svg, plotH, bw, y: (v) => PAD.top + plotH * (1 - Math.min(v, max) / max) };
}

function legend(series) {
  const box = document.createElement('div');
  box.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    item.className = `key ${s.className}`;
    item.textContent = s.label;
    box.append(item);
  }
  return box;
}

function card(title, svg, series) {
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  fig.append(cap, svg, legend(series));
  return fig;
}

/** Stacked bars: one bar per bucket, one segment per series ({ key, label, className }). */
export function stackedBars(title, buckets, series, format = count) {
  const max = niceMax(Math.max(0, ...buckets.map((b) => series.reduce((t, s) => t + (b[s.key] ?? 0), 0))));
  const { svg, bw, y } = frame(title, buckets, max, format);
  buckets.forEach((b, i) => {
    let base = 0;
    for (const s of series) {
      const v = b[s.key] ?? 0;
      if (v <= 0) continue;
      const top = y(base + v);
      const rect = el('rect', {
        x: PAD.left + bw * i + bw * 0.1,
        y: top,
        width: Math.max(1, bw * 0.8),
        height: Math.max(0.5, y(base) - top),
        class: `bar ${s.className}`,
      });
      rect.append(el('title', {}, `${s.label}: ${format(v)}`));
      svg.append(rect);
      base += v;
    }
  });
  return card(title, svg, series);
}

/** Lines: one polyline per series; null values break the line. `max` fixes the scale (e.g. 1 for rates). */
export function lines(title, buckets, series, { format = count, max } = {}) {
  const values = buckets.flatMap((b) => series.map((s) => b[s.key]).filter((v) => typeof v === 'number'));
  const top = max ?? niceMax(Math.max(0, ...values));
  const { svg, bw, y } = frame(title, buckets, top, format);
  for (const s of series) {
    let points = [];
    const flush = () => {
      if (points.length === 1) {
        const [px, py] = points[0];
        svg.append(el('circle', { cx: px, cy: py, r: 2.5, class: `dot ${s.className}` }));
      } else if (points.length > 1) {
        svg.append(el('polyline', { points: points.map((p) => p.join(',')).join(' '), class: `line ${s.className}` }));
      }
      points = [];
    };
    buckets.forEach((b, i) => {
      const v = b[s.key];
      if (typeof v === 'number') points.push([PAD.left + bw * (i + 0.5), y(v)]);
      else flush();
    });
    flush();
  }
  return card(title, svg, series);
}
