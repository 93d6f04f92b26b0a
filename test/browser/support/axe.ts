/**
 * axe-core in the page under test: the script is added through playwright (a CDP evaluation, not a
 * page <script>, so the strict CSP of our pages is left as it is), then `axe.run` reports the page's
 * violations; the test fails on any serious or critical one, naming the rule and the first nodes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** A rule not applied inside the element(s) `inside` selects (markup of a third-party app, named in the test). */
export type SetAside = { rule: string; inside: string };

export async function axeViolations(page: Page, setAside: SetAside[] = []): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (aside) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    const setAsideHere = (id: string, target: string[]) =>
      aside.some((a) => a.rule === id && target.length === 1 && document.querySelector(target[0])?.closest(a.inside));
    return result.violations
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !setAsideHere(v.id, n.target)) }))
      .filter((v) => v.nodes.length > 0)
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
      }));
  }, setAside);
}

/** No serious or critical axe-core violation on the page as it stands. */
export async function expectNoSeriousAxeViolations(page: Page) {
  const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The page is no wider than its viewport: nothing scrolls sideways. */
export async function expectNoHorizontalOverflow(page: Page) {
  const { scroll, view } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    view: document.documentElement.clientWidth,
  }));
  expect(scroll, `page is ${scroll}px wide in a ${view}px viewport`).toBeLessThanOrEqual(view);
}
