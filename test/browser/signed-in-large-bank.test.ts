/**
 * A bank with 1,000 loans on real screens: every page of its area (its loans paged 200 at a time, the
 * second page and a loan's own page among them) measured in Chromium at 1280 and 390 px, in Chinese and
 * English: no page wider than its viewport, no table scrolling sideways, every control on screen, every
 * table stacked on a phone, and no serious or critical axe-core finding.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanRequest } from '../factories/loans.js';
import { bearer } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from './support/seed-disclosures.js';
import { launchChromium, startLiveService, type LiveService } from './support/service.js';
import { faultsOf, measure, pagesOf } from './support/widths.js';

const NOW = new Date('2026-11-22T04:00:00Z');
const LOANS = 1000;
/** Pages visited at most (the area's lists, their second pages and a few detail pages). */
const MAX_PAGES = 40;

let live: LiveService;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  live = await startLiveService({ now: () => NOW, workers: 'inline' });
  const api = () => request(live.url);
  const created = await api()
    .post('/api/v1/institutions')
    .set(bearer(live.operatorKey))
    .send({ code: 'LARGEBANK', nameZh: '千笔贷款银行', nameEn: 'Thousand Loans Bank', kind: 'bank', eligibleFrom: '2021-11-08' })
    .expect(201);
  const apiKey = created.body.apiKey as string;
  const loans = Array.from({ length: LOANS }, () => loanRequest());
  const batch = await api().post('/api/v1/loans/batch').set(bearer(apiKey)).send({ loans }).expect(200);
  expect(batch.body.summary).toMatchObject({ created: LOANS, error: 0 });
  await publishDisclosure(live.service.database.db, {
    institutionCode: 'LARGEBANK',
    quarter: '2025Q4',
    horizons: CITIC_2022Q3,
    status: 'compiled',
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${live.url}/signin`);
  await page.fill('#apiKey', apiKey);
  await page.click('form[action="/signin/key"] button[type=submit]');
  await page.waitForURL(/\/bank/);
}, 900_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await live?.close();
});

describe('a bank with 1,000 loans on real screens', () => {
  it('when it opens every page of its area at 1280 and 390 px in Chinese and English, then nothing is wider than the screen, every table fits or stacks, and axe finds nothing serious', async () => {
    // the area's pages (the loans' own pages among them: the list links 200 of them first), then the
    // loans' next pages, which the first page links to: 1,000 loans are five pages
    const found = await pagesOf(page, live.url, '/bank', MAX_PAGES);
    await page.goto(`${live.url}/bank?lang=en`);
    expect(await page.locator('nav.pager a[rel=next]').getAttribute('href')).toBe('/bank?lang=en&page=2');
    const paths = [
      ...new Set([
        ...found.filter((p) => !p.startsWith('/bank/loans/')).concat(found.filter((p) => p.startsWith('/bank/loans/')).slice(0, 2)),
        '/bank?page=2',
        '/bank?page=5',
      ]),
    ];
    const faults: string[] = [];
    for (const width of [1280, 390])
      for (const lang of ['zh', 'en'])
        for (const path of paths) {
          faults.push(...faultsOf(await measure(page, live.url, path, lang, width), path, lang, width));
        }
    expect(faults).toEqual([]);
  });
});
