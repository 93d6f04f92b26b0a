/**
 * Inline SVG charts rendered on the server (no chart library in the browser, no script). Values are
 * decimal strings; they become plot coordinates only, and every figure printed is formatted from the
 * original string. The value axis has round ticks (d3-scale `nice` and `ticks`), bars carry their
 * value, the rate line breaks where a quarter has no loans (no value), and the drawing is 340 units
 * wide so that its 11-unit labels stay at least 11 px on a 390 px phone and larger on wider screens.
 * Room is made for every printed label (the widest tick sets the left margin, the tallest upright bar
 * label the top one), and quarter labels are thinned from the last one so that none overlaps another.
 */
import { scaleLinear } from 'd3-scale';
import { html, type Html } from './html.js';

/** `value` is plotted; `printed` (the published, rounded figure) is what the chart prints, `value` when absent. */
export type Point = { label: string; value: string | null; printed?: string | null };
/** How a chart prints a value (ticks and bar labels): the page's number format. */
export type ChartFormat = { value: (v: string) => string; tick: (v: number) => string; empty: string };

const WIDTH = 340;
const HEIGHT = 230;
const PAD = { left: 52, right: 8, top: 26, bottom: 30 };
const FONT = 11;

/** Plot position only: a decimal string as a JS number is fine for pixels, never for figures. */
const plotNumber = (value: string | null) => (value === null ? null : Number(value));

const defaultFormat: ChartFormat = { value: (v) => v, tick: (v) => String(v), empty: '—' };

/** The width of a label in drawing units (digits and Latin letters about 0.62 em, CJK characters 1 em). */
export const textWidth = (text: string) => [...text].reduce((w, c) => w + (/[\u2e80-\uffff]/.test(c) ? FONT : FONT * 0.62), 0);

const printedOf = (p: Point) => (p.printed === undefined ? p.value : p.printed);

function layout(points: Point[], format: ChartFormat, uprightValues = false) {
  const values = points.map((p) => plotNumber(p.value)).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = values.length ? Math.max(...values) : 0;
  const domain = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice(5);
  const left = Math.max(PAD.left, Math.ceil(Math.max(0, ...domain.ticks(5).map((v) => textWidth(format.tick(v)))) + 8));
  const innerW = WIDTH - left - PAD.right;
  const step = points.length ? innerW / points.length : innerW;
  const widest = Math.max(0, ...points.map((p) => textWidth(p.label)));
  // labels drawn upright above bars need their length above the tallest bar
  const upright = uprightValues && step < 44;
  const valueRoom = upright
    ? Math.max(
        0,
        ...points
          .map((p) => printedOf(p))
          .filter((v): v is string => v !== null && v !== undefined)
          .map((v) => textWidth(format.value(v))),
      ) + 6
    : FONT + 6;
  const y = domain.range([HEIGHT - PAD.bottom, Math.max(PAD.top, Math.min(valueRoom, HEIGHT - PAD.bottom - 40))]);
  // one quarter label every `every` points, so that no two labels (or printed values) overlap
  const every = Math.max(1, Math.ceil((widest + 6) / step));
  return { y, step, every, upright, left, x: (i: number) => left + step * i + step / 2, baseline: HEIGHT - PAD.bottom };
}

/** Quarter labels are kept from the last one backwards, `every` points apart. */
const labelled = (s: { every: number }, points: Point[], i: number) => (points.length - 1 - i) % s.every === 0;

function frame(title: string, desc: string, s: ReturnType<typeof layout>, points: Point[], format: ChartFormat, marks: Html): Html {
  const ticks = s.y.ticks(5).map((v) => {
    const y = s.y(v).toFixed(1);
    return html`<line class="grid" x1="${s.left}" y1="${y}" x2="${WIDTH - PAD.right}" y2="${y}"/><text class="tick" x="${s.left - 4}" y="${(
      s.y(v) + 4
    ).toFixed(1)}" text-anchor="end">${format.tick(v)}</text>`;
  });
  const labels = points.map((p, i) =>
    labelled(s, points, i)
      ? html`<text class="label" x="${s.x(i).toFixed(1)}" y="${HEIGHT - 10}" text-anchor="middle">${p.label}</text>`
      : '',
  );
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg" font-size="${FONT}">
<title>${title}</title><desc>${desc}</desc>
${ticks}
<line class="axis" x1="${s.left}" y1="${s.baseline}" x2="${WIDTH - PAD.right}" y2="${s.baseline}"/>
${marks}${labels}</svg>`;
}

const describe = (points: Point[], format: ChartFormat) =>
  points
    .map((p) => {
      const printed = printedOf(p);
      return `${p.label}: ${printed === null || printed === undefined ? format.empty : format.value(printed)}`;
    })
    .join('; ');

/** Bars with their values printed on them (turned upright when the bars are narrow); a quarter without a value has no bar. */
export function barChart(title: string, points: Point[], format: ChartFormat = defaultFormat): Html {
  const s = layout(points, format, true);
  const width = Math.max(3, s.step * 0.62);
  const upright = s.upright;
  const bars = points.map((p, i) => {
    const v = plotNumber(p.value);
    if (v === null || p.value === null) return html``;
    const y = s.y(v);
    const x = s.x(i);
    const shown = format.value(printedOf(p) ?? p.value);
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
  const s = layout(points, format);
  const valueEvery = Math.max(
    s.every,
    Math.ceil(
      (Math.max(
        0,
        ...points
          .map((p) => printedOf(p))
          .filter((v): v is string => Boolean(v))
          .map((v) => textWidth(format.value(v))),
      ) +
        6) /
        s.step,
    ),
  );
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
    const shown = format.value(printedOf(p) ?? p.value);
    const [cx, cy] = [s.x(i).toFixed(1), s.y(v).toFixed(1)];
    const label = labelled({ every: valueEvery }, points, i)
      ? html`<text class="value" x="${cx}" y="${(s.y(v) - 7).toFixed(1)}" text-anchor="middle">${shown}</text>`
      : '';
    return html`<circle class="dot" cx="${cx}" cy="${cy}" r="3.5"><title>${p.label}: ${shown}</title></circle>${label}`;
  });
  const paths = segments.map((d) => html`<path class="line" d="${d}"/>`);
  return frame(title, describe(points, format), s, points, format, html`${paths}${dots}`);
}
