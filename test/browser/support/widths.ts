/**
 * Measuring a signed-in page on a screen: the pages of an area found by following its links, and for one
 * page at one width and language, how wide it is, which table scrolls sideways, which control is off
 * screen, which table is not stacked on a phone, and axe-core's serious and critical findings.
 */
import type { Page } from 'playwright-core';
import { axeViolations, type SetAside } from './axe.js';

/** The pages of an area reachable from its home: links inside the area, no downloads, no queue board. */
export async function pagesOf(page: Page, origin: string, home: string, maxPages: number): Promise<string[]> {
  const seen = new Set<string>([home]);
  const queue = [home];
  while (queue.length && seen.size < maxPages) {
    const path = queue.shift()!;
    await page.goto(`${origin}${path}`);
    const hrefs = await page.$$eval('main a[href], nav.subnav a[href], header.site nav a[href]', (as) =>
      as.filter((a) => !a.hasAttribute('download')).map((a) => a.getAttribute('href')!),
    );
    for (const href of hrefs) {
      const url = new URL(href, origin);
      if (url.origin !== origin || !url.pathname.startsWith(home)) continue;
      if (/\/queues|\.(csv|json|pdf|xlsx)$/.test(url.pathname) || /export=/.test(url.search)) continue;
      url.searchParams.delete('lang');
      const key = url.pathname + url.search;
      if (!seen.has(key) && seen.size < maxPages) {
        seen.add(key);
        queue.push(key);
      }
    }
  }
  return [...seen];
}

export type Width = {
  path: string;
  scroll: number;
  view: number;
  tables: string[];
  offscreen: string[];
  unstacked: string[];
  axe: string[];
};

/** The serious and critical axe-core findings of the page as it stands, by rule and first nodes. */
export async function seriousFindings(page: Page, setAside: SetAside[] = []): Promise<string[]> {
  return (await axeViolations(page, setAside))
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function measure(page: Page, origin: string, path: string, lang: string, width: number): Promise<Width> {
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${origin}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
  const m = await page.evaluate(() => {
    const view = document.documentElement.clientWidth;
    const name = (el: Element) => (el.querySelector('caption')?.textContent ?? el.getAttribute('aria-label') ?? el.className).trim();
    const tables = Array.from(document.querySelectorAll('main .table-wrap'))
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => `${name(w)}: ${w.scrollWidth}px in ${w.clientWidth}px`);
    const offscreen = Array.from(document.querySelectorAll('main button, main input:not([type=hidden]), main select, main a'))
      .filter((el) => {
        // a control inside a closed <details> is laid out but not shown: it is reached by opening it
        const r = el.getBoundingClientRect();
        return r.width > 0 && el.checkVisibility() && (r.right > view + 1 || r.left < -1);
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()} ${el.textContent?.trim().slice(0, 30) ?? ''} at ${Math.round(el.getBoundingClientRect().right)}px`,
      );
    const unstacked = Array.from(document.querySelectorAll('main table'))
      .filter((t) => getComputedStyle(t).display === 'table')
      .map((t) => t.querySelector('caption')?.textContent?.trim() ?? t.className);
    return { scroll: document.documentElement.scrollWidth, view, tables, offscreen, unstacked };
  });
  return { path, ...m, unstacked: width < 500 ? m.unstacked : [], axe: await seriousFindings(page) };
}

/** What a measured page does wrong, each line naming the page, its language and width. */
export function faultsOf(m: Width, path: string, lang: string, width: number): string[] {
  const where = `${path} (${lang}, ${width}px)`;
  return [
    ...(m.scroll > m.view ? [`${where}: page ${m.scroll}px wide in ${m.view}px`] : []),
    ...m.tables.map((t) => `${where}: table ${t}`),
    ...m.offscreen.map((o) => `${where}: off screen ${o}`),
    ...m.unstacked.map((u) => `${where}: not stacked ${u}`),
    ...m.axe.map((a) => `${where}: axe ${a}`),
  ];
}
