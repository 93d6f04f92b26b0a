import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/harness.js';
import { expectNoHorizontalOverflow, expectNoSeriousAxeViolations } from './support/axe.js';
import { CITIC_2022Q3, publishDisclosure } from './support/seed-disclosures.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';
import {
  expectBasicAccessibility,
  expectFormFocusOrder,
  launchChromium,
  screenshot,
  startLiveService,
  type LiveService,
} from './support/service.js';

let live: LiveService;
let browser: Browser;
beforeAll(async () => {
  live = await startLiveService();
  const bank = (code: string, nameZh: string, nameEn: string) =>
    request(live.url)
      .post('/api/v1/institutions')
      .set(bearer(live.operatorKey))
      .send({ code, nameZh, nameEn, kind: 'bank', eligibleFrom: '2021-11-08' })
      .expect(201);
  await bank('CITIC', '中信银行', 'China CITIC Bank');
  await bank('BOSR', '上饶银行', 'Bank of Shangrao');
  const db = live.service.database.db;
  await publishDisclosure(db, {
    institutionCode: 'CITIC',
    quarter: '2022Q2',
    horizons: {
      quarter: { projects: 5, loanAmountWanYuan: '48165.00', weightedAverageRatePercent: '4.46', annualReductionTonnes: '174965.73' },
      yearToDate: { projects: 5, loanAmountWanYuan: '48165.00', weightedAverageRatePercent: '4.46', annualReductionTonnes: '174965.73' },
      sinceInception: {
        projects: 7,
        loanAmountWanYuan: '66194.00',
        weightedAverageRatePercent: '4.42',
        annualReductionTonnes: '215771.78',
      },
    },
  });
  await publishDisclosure(db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3 });
  await publishDisclosure(db, {
    institutionCode: 'BOSR',
    quarter: '2022Q3',
    horizons: {
      quarter: { projects: 1, loanAmountWanYuan: '10000.00', weightedAverageRatePercent: '4.20', annualReductionTonnes: '24428.00' },
      yearToDate: { projects: 2, loanAmountWanYuan: '11500.00', weightedAverageRatePercent: '4.14', annualReductionTonnes: '42674.43' },
      sinceInception: { projects: 2, loanAmountWanYuan: '11500.00', weightedAverageRatePercent: '4.14', annualReductionTonnes: '42674.43' },
    },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('a member of the public', () => {
  it('when they look for a bank, then they find its disclosure, switch to English on the same page and download the CSV', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    // home: the publishing institutions' totals of the latest quarter (2022Q3: 13773.43 + 10000.00 万元), not called national
    await page.goto(`${live.url}/`);
    expect(await page.textContent('h1')).toContain('已公布信息披露汇总');
    expect(await page.textContent('h1')).not.toContain('全国');
    expect(await page.textContent('#h-latest')).toContain('2022Q3');
    expect(await page.textContent('main')).toContain('2.38 亿元');
    expect(await page.textContent('main')).toContain('23,773.43 万元');
    expect(await page.textContent('main')).toContain('2 家金融机构');
    await expectBasicAccessibility(page);
    await screenshot(page, 'public-home');

    // the index, searched by name
    await page.click('nav >> text=信息披露');
    await expectBasicAccessibility(page);
    await expectFormFocusOrder(page, 'form.filters');
    await page.fill('#f-q', '中信');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=/);
    const rows = await page.$$eval('main tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.includes('中信银行'))).toBe(true);
    await screenshot(page, 'public-index-search');

    // the 2022Q3 disclosure
    await page.click('main tbody >> text=2022Q3');
    await page.waitForURL(/\/disclosures\/CITIC\/2022Q3$/);
    expect(await page.textContent('.statement')).toContain(
      '合计向4个项目发放碳减排贷款13773.43万元，贷款加权平均利率4.29%，带动的年度碳减排量为19457.55吨二氧化碳当量',
    );
    await expectBasicAccessibility(page);
    await screenshot(page, 'public-disclosure-zh');

    // switch language: same page, English
    await page.click('a.lang');
    await page.waitForURL(/\/disclosures\/CITIC\/2022Q3\?lang=en$/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toContain('China CITIC Bank');
    expect(await page.textContent('.statement')).toContain('issued carbon-reduction loans of RMB 13773.43');
    await screenshot(page, 'public-disclosure-en');

    // download the CSV of what the page shows
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
    expect(download.suggestedFilename()).toBe('cerf-CITIC-2022Q3.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv).toContain('CITIC,2022Q3,1,total,yearToDate,9,61938.43,4.42,194423.28');

    // the institution page charts both quarters
    await page.click('main p >> text=China CITIC Bank');
    await page.waitForURL(/\/institutions\/CITIC$/);
    expect(await page.locator('figure.chart svg').count()).toBe(3);
    expect(await page.textContent('figure.chart >> nth=0')).toContain('2022Q2');
    await screenshot(page, 'public-institution');

    // a phone-sized screen still shows the statement
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${live.url}/disclosures/CITIC/2022Q3`);
    await screenshot(page, 'public-disclosure-mobile');
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('when the public pages are read on a 390 px phone and at 1280 px, then nothing scrolls sideways, key figures stay visible and axe finds nothing serious', async () => {
    for (const width of [390, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 844 } });
      const page = await context.newPage();
      for (const lang of ['zh', 'en'])
        for (const path of [
          '/',
          '/disclosures',
          '/disclosures?quarter=2031Q1',
          '/disclosures?area=clean_energy',
          '/disclosures/CITIC/2022Q3',
          '/institutions/CITIC',
          '/signin',
        ]) {
          await page.goto(`${live.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
          await expectNoHorizontalOverflow(page);
          await expectBasicAccessibility(page);
          await expectNoSeriousAxeViolations(page);
          if (width === 390) await screenshot(page, `public-390-${lang}${path.replace(/[/?=&]+/g, '-')}`);
        }
      if (width === 390) {
        // the index's figures are all on screen (stacked), not behind a sideways scroll
        await page.goto(`${live.url}/disclosures?lang=zh`);
        const hidden = await page.$$eval(
          'main table.summary td.num',
          (tds) =>
            tds.filter((td) => {
              const r = td.getBoundingClientRect();
              return r.width === 0 || r.right > window.innerWidth || r.left < 0;
            }).length,
        );
        expect(hidden).toBe(0);
        // chart labels are at least 11 px on the phone
        await page.goto(`${live.url}/institutions/CITIC?lang=zh`);
        const smallest = await page.$$eval('figure.chart svg text', (texts) =>
          Math.min(...texts.map((t) => (t as SVGTextElement).getBoundingClientRect().height)),
        );
        expect(smallest).toBeGreaterThanOrEqual(11);
      }
      await context.close();
    }
  });

  it('when the API reference is opened, then Scalar loads /openapi.json and its own bundle from the service itself', async () => {
    const page = await browser.newPage();
    const loaded: string[] = [];
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    page.on('response', (r) => {
      if (r.ok()) loaded.push(new URL(r.url()).pathname);
    });
    await page.goto(`${live.url}/docs`);
    // the reference is drawn in the browser from the description the service serves, never from a CDN
    await expect.poll(() => messages.some((m) => m.startsWith('addDocument')), { timeout: PROCESS_WAIT_MS }).toBe(true);
    expect(loaded).toEqual(expect.arrayContaining(['/docs', '/docs/scalar.js', '/openapi.json']));
    // nothing from elsewhere ran: the strict CSP refuses Scalar's own calls home
    expect(messages.filter((m) => /Content Security Policy/.test(m)).every((m) => /scalar\.com/.test(m))).toBe(true);
    await screenshot(page, 'docs');
    await page.close();
  });
});
