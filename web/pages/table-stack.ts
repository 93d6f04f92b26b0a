/**
 * Signed-in tables stack into cards on a phone as the public ones do: each table with a head row gets the
 * class `stack`, and each body cell that has none the `data-label` of its column heading (the stacked
 * card shows it before the value). Run once over a signed-in page's HTML, so every list of every role
 * stacks the same way; a table marked `no-stack` (or without a head row) is left as it is.
 */

const textOf = (markup: string) =>
  markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const spanOf = (attrs: string) => Number(/\bcolspan="(\d+)"/.exec(attrs)?.[1] ?? 1);

/** Column headings, one per column (a heading spanning two columns labels both). */
function headingsOf(thead: string): string[] {
  const labels: string[] = [];
  for (const [, attrs, inner] of thead.matchAll(/<th\b([^>]*)>([\s\S]*?)<\/th>/g)) {
    const label = textOf(inner);
    for (let i = 0; i < spanOf(attrs); i++) labels.push(label);
  }
  return labels;
}

/** One body row with each data cell labelled by its column (row headings are the card's title). */
function labelRow(row: string, labels: string[]): string {
  let column = 0;
  return row.replace(/<(td|th)\b([^>]*)>/g, (tag, name: string, attrs: string) => {
    const at = column;
    const span = spanOf(attrs);
    column += span;
    if (name === 'th' || span > 1 || /\bdata-label=/.test(attrs) || !labels[at]) return tag;
    return `<td${attrs} data-label="${labels[at]}">`;
  });
}

function stackTable(whole: string, attrs: string, inner: string): string {
  if (/\bno-stack\b/.test(attrs)) return whole;
  const head = /<thead\b[^>]*>([\s\S]*?)<\/thead>/.exec(inner);
  if (!head) return whole;
  const labels = headingsOf(head[1]);
  const body = inner.replace(/(<tbody\b[^>]*>)([\s\S]*?)(<\/tbody>)/g, (_m, open: string, rows: string, close: string) => {
    return open + rows.replace(/<tr\b[^>]*>[\s\S]*?<\/tr>/g, (row) => labelRow(row, labels)) + close;
  });
  const classed = /\bclass="/.test(attrs)
    ? attrs.replace(/\bclass="([^"]*)"/, (_m, c: string) => (/\bstack\b/.test(c) ? `class="${c}"` : `class="${c} stack"`))
    : `${attrs} class="stack"`;
  return `<table${classed}>${body}</table>`;
}

/** Every table of a page's HTML stacked and labelled (see the file's note). */
export const stackTables = (page: string): string =>
  page.replace(/<table\b([^>]*)>([\s\S]*?)<\/table>/g, (whole, attrs: string, inner: string) => stackTable(whole, attrs, inner));
