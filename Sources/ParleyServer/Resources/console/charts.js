// Charts drawn with SVG (lines, rings, bars) and canvas (waveforms); no library.
import { h, band } from '/app/ui.js';

const colors = { good: '#1f9d55', fair: '#d99a0b', weak: '#d64535', none: '#9aa1b5' };

/** A ring showing a 0–100 score with the number in the middle. */
export function ring(score, label, size = 120) {
  const r = size / 2 - 9;
  const c = 2 * Math.PI * r;
  const value = score == null ? 0 : Math.max(0, Math.min(100, score));
  return h('svg.chart', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': `${label}: ${score == null ? 'not scored' : Math.round(score)} out of 100`, style: `width:${size}px` },
    h('circle', { cx: size / 2, cy: size / 2, r, fill: 'none', stroke: '#e8ebf3', 'stroke-width': 12 }),
    h('circle', { cx: size / 2, cy: size / 2, r, fill: 'none', stroke: colors[band(score)], 'stroke-width': 12, 'stroke-linecap': 'round',
      'stroke-dasharray': `${(c * value) / 100} ${c}`, transform: `rotate(-90 ${size / 2} ${size / 2})` }),
    h('text', { x: size / 2, y: size / 2 + 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle', style: `font-size:${size / 3.6}px;font-weight:700;fill:#1b2030` },
      score == null ? '–' : Math.round(score)),
    h('text', { x: size / 2, y: size / 2 + size / 5, 'text-anchor': 'middle', style: 'font-size:10px' }, 'of 100'));
}

/** A horizontal bar for a 0–100 value. */
export function bar(value, label, text) {
  const v = value == null ? 0 : Math.max(0, Math.min(100, value));
  return h(`div.bar.bar-${band(value)}`, { role: 'img', 'aria-label': `${label}: ${text ?? Math.round(v)}` }, h('span', { style: `width:${v}%` }));
}

/**
 * A line chart. series: [{values: [{x, y}], label, className}]; x numeric (or index), y numeric.
 * Options: yMin, yMax, xLabel(x), yLabel(y), height, markers: [{x, label}], bands: [{from, to}].
 */
export function lineChart(series, { label, yMin, yMax, xLabel = (x) => x, yLabel = (y) => Math.round(y), height = 200, width = 640, markers = [], bands = [], dots = false, area = false } = {}) {
  const pad = { l: 40, r: 12, t: 10, b: 26 };
  const all = series.flatMap((s) => s.values).filter((p) => p.y != null && !Number.isNaN(p.y));
  const svg = h('svg.chart', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
  if (!all.length) {
    svg.append(h('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'No data yet'));
    return svg;
  }
  const xs = all.map((p) => p.x);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  let y0 = yMin ?? Math.min(...all.map((p) => p.y));
  let y1 = yMax ?? Math.max(...all.map((p) => p.y));
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const Y = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (const b of bands) {
    svg.append(h('rect', { x: X(b.from), y: pad.t, width: Math.max(1.5, X(b.to) - X(b.from)), height: height - pad.t - pad.b, fill: b.color || 'rgba(217,154,11,.18)' }));
  }
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    svg.append(h('line.grid-line', { x1: pad.l, x2: width - pad.r, y1: Y(y), y2: Y(y) }),
      h('text', { x: pad.l - 6, y: Y(y) + 4, 'text-anchor': 'end' }, yLabel(y)));
  }
  const unique = [...new Set(xs)].sort((a, b) => a - b);
  const ticks = unique.length <= 6 ? unique : Array.from({ length: 6 }, (_, i) => x0 + ((x1 - x0) * i) / 5);
  for (const x of ticks) {
    const anchor = X(x) < pad.l + 20 ? 'start' : X(x) > width - pad.r - 20 ? 'end' : 'middle';
    svg.append(h('text', { x: X(x), y: height - 8, 'text-anchor': anchor }, xLabel(x)));
  }
  for (const m of markers) {
    svg.append(h('line', { x1: X(m.x), x2: X(m.x), y1: pad.t, y2: height - pad.b, stroke: m.color || '#d99a0b', 'stroke-dasharray': '3 3' }));
  }
  series.forEach((s, index) => {
    const pts = s.values.filter((p) => p.y != null && !Number.isNaN(p.y));
    if (!pts.length) return;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join('');
    if (area && index === 0) svg.append(h('path.area', { d: `${d}L${X(pts.at(-1).x)},${Y(y0)}L${X(pts[0].x)},${Y(y0)}Z` }));
    svg.append(h('path', { class: s.className || (index ? 'line-2' : 'line'), d }));
    if (dots || pts.length === 1) for (const p of pts) svg.append(h('circle.dot', { cx: X(p.x), cy: Y(p.y), r: 3.5 }, h('title', `${xLabel(p.x)}: ${yLabel(p.y)}`)));
  });
  return svg;
}

/**
 * Draws a waveform of `samples` (Float32Array) on a canvas, with pauses shaded and filler words marked.
 * Returns a function that draws the play head at `t` seconds.
 */
export function waveform(canvas, samples, durationSeconds, { pauses = [], fillers = [] } = {}) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 800;
  const height = canvas.clientHeight || 140;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext('2d');
  const peaks = new Float32Array(width);
  const per = Math.max(1, Math.floor(samples.length / width));
  let max = 0.0001;
  for (let x = 0; x < width; x++) {
    let peak = 0;
    const start = x * per;
    for (let i = start; i < start + per && i < samples.length; i += 4) peak = Math.max(peak, Math.abs(samples[i]));
    peaks[x] = peak;
    max = Math.max(max, peak);
  }
  const X = (t) => (t / durationSeconds) * width;
  return function draw(now = -1) {
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.fillStyle = 'rgba(217,154,11,.16)';
    for (const p of pauses) g.fillRect(X(p.start), 0, Math.max(1, X(p.end) - X(p.start)), height);
    const mid = height / 2;
    for (let x = 0; x < width; x++) {
      const a = (peaks[x] / max) * (mid - 8);
      g.fillStyle = now >= 0 && x <= X(now) ? '#3a3fc1' : '#9ea3e6';
      g.fillRect(x, mid - a, 1, Math.max(1, a * 2));
    }
    g.fillStyle = '#b42318';
    g.font = '11px system-ui, sans-serif';
    for (const f of fillers) {
      const x = X(f.time);
      g.fillRect(x - 1, 0, 2, height);
      g.beginPath(); g.moveTo(x - 5, 0); g.lineTo(x + 5, 0); g.lineTo(x, 7); g.fill();
    }
    if (now >= 0) { g.fillStyle = '#1b2030'; g.fillRect(X(now) - 1, 0, 2, height); }
  };
}
