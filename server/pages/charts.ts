/**
 * Inline SVG charts rendered on the server (no chart library, no script). Values are decimal strings;
 * they are turned into plot coordinates only, never into figures shown as text (labels print the
 * original strings).
 */
import { html, type Html } from './html.js';

export type Point = { label: string; value: string | null };

const WIDTH = 480;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 14, bottom: 36 };

/** Plot position only: a decimal string as a JS number is fine for pixels, never for figures. */
const plotNumber = (value: string | null) => (value === null ? null : Number(value));

function scale(points: Point[]) {
  const values = points.map((p) => plotNumber(p.value)).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = values.length ? Math.max(...values) : 0;
  const top = max > 0 ? max * 1.1 : 1;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length ? innerW / points.length : innerW;
  return {
    x: (i: number) => PAD.left + step * i + step / 2,
    y: (v: number) => PAD.top + innerH - (v / top) * innerH,
    step,
    top,
    baseline: PAD.top + innerH,
  };
}

function frame(title: string, desc: string, s: ReturnType<typeof scale>, points: Point[], marks: Html): Html {
  const labels = points.map((p, i) => html`<text x="${s.x(i).toFixed(1)}" y="${HEIGHT - 14}" text-anchor="middle">${p.label}</text>`);
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title><desc>${desc}</desc>
<line class="axis" x1="${PAD.left}" y1="${s.baseline}" x2="${WIDTH - PAD.right}" y2="${s.baseline}"/>
<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${s.baseline}"/>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${formatTick(s.top)}</text>
<text x="${PAD.left - 6}" y="${s.baseline}" text-anchor="end">0</text>
${marks}${labels}</svg>`;
}

const formatTick = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(2));

/** A mark's tooltip: its label and value. */
const tooltip = (p: Point) => html`<title>${p.label}: ${p.value}</title>`;

const describe = (points: Point[]) => points.map((p) => `${p.label}: ${p.value ?? '—'}`).join('; ');

export function barChart(title: string, points: Point[]): Html {
  const s = scale(points);
  const width = Math.max(4, s.step * 0.6);
  const bars = points.map((p, i) => {
    const v = plotNumber(p.value);
    if (v === null) return html``;
    const y = s.y(v);
    const x = (s.x(i) - width / 2).toFixed(1);
    const height = (s.baseline - y).toFixed(1);
    return html`<rect class="bar" x="${x}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height}">${tooltip(p)}</rect>`;
  });
  return frame(title, describe(points), s, points, html`${bars}`);
}

export function lineChart(title: string, points: Point[]): Html {
  const s = scale(points);
  const coords = points
    .map((p, i) => ({ i, v: plotNumber(p.value), p }))
    .filter((c): c is { i: number; v: number; p: Point } => c.v !== null)
    .map((c) => ({ x: s.x(c.i), y: s.y(c.v), p: c.p }));
  const path = coords.map((c, k) => `${k === 0 ? 'M' : 'L'}${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ');
  const dots = coords.map(
    (c) =>
      html`<circle class="dot" cx="${c.x.toFixed(1)}" cy="${c.y.toFixed(1)}" r="3.5"><title>${c.p.label}: ${c.p.value}</title></circle>`,
  );
  return frame(title, describe(points), s, points, html`${path ? html`<path class="line" d="${path}"/>` : ''}${dots}`);
}
