/**
 * HTML by tagged templates: every interpolated value is escaped unless it is already `Html` (built by
 * this same tag); arrays are joined; null, undefined and false render nothing.
 */
export class Html {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

type Value = Html | string | number | bigint | boolean | null | undefined | Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Trusted markup made elsewhere (e.g. an SVG this code built from escaped parts). */
export const raw = (text: string) => new Html(text);

/** A table's head: one row of column headings. */
export const headRow = (headings: readonly Value[]) =>
  html`<thead><tr>${headings.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>`;

/** Plain cells (a cell that needs attributes is written out instead). */
export const cells = (values: readonly Value[]) => values.map((c) => html`<td>${c}</td>`);

/** A table row of plain cells. */
export const cellRow = (values: readonly Value[]) => html`<tr>${cells(values)}</tr>`;

/** Cells of figures (class "num", right-aligned). */
export const numCells = (values: readonly Value[]) => values.map((c) => html`<td class="num">${c}</td>`);
