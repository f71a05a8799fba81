// Small DOM helpers shared by every page.

/** h('div.card#id', {attrs}, ...children): builds an element; `on*` attributes become listeners. */
export function h(spec, attrs, ...children) {
  if (attrs == null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    if (attrs != null) children.unshift(attrs);
    attrs = {};
  }
  const tag = spec.match(/^[\w-]*/)[0];
  const id = (spec.match(/#([\w-]+)/) || [])[1];
  const classes = [...spec.matchAll(/\.([\w-]+)/g)].map((m) => m[1]);
  const el = document.createElementNS(svgTags.has(tag) ? SVG : 'http://www.w3.org/1999/xhtml', tag || 'div');
  if (id) el.id = id;
  if (classes.length) el.setAttribute('class', classes.join(' '));
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.setAttribute('class', [el.getAttribute('class'), value].filter(Boolean).join(' '));
    else if (key === 'text') el.textContent = value;
    else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const svgTags = new Set(['svg', 'path', 'line', 'rect', 'circle', 'g', 'text', 'polyline', 'polygon', 'title', 'desc']);

export function clear(el, ...children) { el.replaceChildren(); append(el, children); return el; }

/** Tells screen readers something happened (polite live region). */
export function announce(message) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => { live.textContent = message; }, 50);
}

export function loading(text = 'Loading…') {
  return h('div.loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), ' ', text);
}

/** A readable error with an optional retry button. */
export function errorBox(error, retry) {
  return h('div.alert.alert-error', { role: 'alert' },
    h('strong', 'Something went wrong. '), error?.message || String(error),
    retry ? h('button.btn.btn-small', { type: 'button', onclick: retry }, 'Try again') : null);
}

export function notice(text, kind = 'info') {
  return h(`div.alert.alert-${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function pageHeader(title, subtitle, ...actions) {
  return h('header.page-header',
    h('div', h('h1#page-title', { tabindex: '-1' }, title), subtitle ? h('p.subtitle', subtitle) : null),
    actions.length ? h('div.actions', actions) : null);
}

export function duration(seconds) {
  if (seconds == null || Number.isNaN(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function day(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function titleCase(text = '') {
  return String(text).replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

export function sentence(text = '') {
  const t = String(text).replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** A 0–100 score's band, for colour: good, fair, weak. */
export function band(score) {
  if (score == null) return 'none';
  return score >= 75 ? 'good' : score >= 55 ? 'fair' : 'weak';
}

export function scorePill(score, label) {
  const value = score == null ? '–' : Math.round(score);
  return h(`span.pill.pill-${band(score)}`, { 'aria-label': `${label ? label + ': ' : ''}${value} out of 100` }, value);
}

export function navigate(path) {
  window.dispatchEvent(new CustomEvent('parley:navigate', { detail: path }));
}

export function link(href, ...children) { return h('a', { href }, ...children); }

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div.field', h('label', { for: id }, label), input, hint ? h('p.hint', { id: hintId }, hint) : null);
}

export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
