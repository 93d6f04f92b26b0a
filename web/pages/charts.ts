/**
 * Inline SVG charts rendered on the server (no chart library in the browser, no script). Values are
 * decimal strings; they become plot coordinates only, and every figure printed is formatted from the
 * original string. The value axis has round ticks (d3-scale `nice` and `ticks`), bars carry their
 * value, the rate line breaks where a quarter has no loans (no value), and the drawing is 340 units
 * wide so that its 11-unit labels stay at least 11 px on a 390 px phone and larger on wider screens.
 */
import { scaleLinear } from 'd3-scale';
import { html, type Html } from './html.js';

export type Point = { label: string; value: string | null };
/** How a chart prints a value (ticks and bar labels): the page's number format. */
export type ChartFormat = { value: (v: string) => string; tick: (v: number) => string; empty: string };

const WIDTH = 340;
const HEIGHT = 230;
const PAD = { left: 52, right: 8, top: 26, bottom: 30 };
const FONT = 11;

/** Plot position only: a decimal string as a JS number is fine for pixels, never for figures. */
const plotNumber = (value: string | null) => (value === null ? null : Number(value));

const defaultFormat: ChartFormat = { value: (v) => v, tick: (v) => String(v), empty: '—' };

function layout(points: Point[]) {
  const values = points.map((p) => plotNumber(p.value)).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = values.length ? Math.max(...values) : 0;
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .range([HEIGHT - PAD.bottom, PAD.top])
    .nice(5);
  const innerW = WIDTH - PAD.left - PAD.right;
  const step = points.length ? innerW / points.length : innerW;
  // one quarter label every `every` points, so that labels (about 6 characters) never overlap
  const every = Math.max(1, Math.ceil((FONT * 3.6) / step));
  return { y, step, every, x: (i: number) => PAD.left + step * i + step / 2, baseline: HEIGHT - PAD.bottom };
}

function frame(title: string, desc: string, s: ReturnType<typeof layout>, points: Point[], format: ChartFormat, marks: Html): Html {
  const ticks = s.y.ticks(5).map((v) => {
    const y = s.y(v).toFixed(1);
    return html`<line class="grid" x1="${PAD.left}" y1="${y}" x2="${WIDTH - PAD.right}" y2="${y}"/><text class="tick" x="${PAD.left - 4}" y="${(
      s.y(v) + 4
    ).toFixed(1)}" text-anchor="end">${format.tick(v)}</text>`;
  });
  const labels = points.map((p, i) =>
    i % s.every === 0 || i === points.length - 1
      ? html`<text class="label" x="${s.x(i).toFixed(1)}" y="${HEIGHT - 10}" text-anchor="middle">${p.label}</text>`
      : '',
  );
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg" font-size="${FONT}">
<title>${title}</title><desc>${desc}</desc>
${ticks}
<line class="axis" x1="${PAD.left}" y1="${s.baseline}" x2="${WIDTH - PAD.right}" y2="${s.baseline}"/>
${marks}${labels}</svg>`;
}

const describe = (points: Point[], format: ChartFormat) =>
  points.map((p) => `${p.label}: ${p.value === null ? format.empty : format.value(p.value)}`).join('; ');

/** Bars with their values printed on them (turned upright when the bars are narrow); a quarter without a value has no bar. */
export function barChart(title: string, points: Point[], format: ChartFormat = defaultFormat): Html {
  const s = layout(points);
  const width = Math.max(3, s.step * 0.62);
  const upright = s.step < 44;
  const bars = points.map((p, i) => {
    const v = plotNumber(p.value);
    if (v === null || p.value === null) return html``;
    const y = s.y(v);
    const x = s.x(i);
    const shown = format.value(p.value);
    const label = upright
      ? html`<text class="value" transform="translate(${(x + 4).toFixed(1)},${(y - 3).toFixed(1)}) rotate(-90)" text-anchor="start">${shown}</text>`
      : html`<text class="value" x="${x.toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${shown}</text>`;
    return html`<rect class="bar" x="${(x - width / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${(
      s.baseline - y
    ).toFixed(1)}"><title>${p.label}: ${shown}</title></rect>${label}`;
  });
  return frame(title, describe(points, format), s, points, format, html`${bars}`);
}

/**
 * A line through the quarters that have a value; a quarter without one (no loans) breaks the line,
 * so it never joins across an empty quarter. Each point carries its value.
 */
export function lineChart(title: string, points: Point[], format: ChartFormat = defaultFormat): Html {
  const s = layout(points);
  const segments: string[] = [];
  let current = '';
  points.forEach((p, i) => {
    const v = plotNumber(p.value);
    if (v === null) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${s.x(i).toFixed(1)},${s.y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  const dots = points.map((p, i) => {
    const v = plotNumber(p.value);
    if (v === null || p.value === null) return '';
    const shown = format.value(p.value);
    const [cx, cy] = [s.x(i).toFixed(1), s.y(v).toFixed(1)];
    const label =
      i % s.every === 0 || i === points.length - 1
        ? html`<text class="value" x="${cx}" y="${(s.y(v) - 7).toFixed(1)}" text-anchor="middle">${shown}</text>`
        : '';
    return html`<circle class="dot" cx="${cx}" cy="${cy}" r="3.5"><title>${p.label}: ${shown}</title></circle>${label}`;
  });
  const paths = segments.map((d) => html`<path class="line" d="${d}"/>`);
  return frame(title, describe(points, format), s, points, format, html`${paths}${dots}`);
}
