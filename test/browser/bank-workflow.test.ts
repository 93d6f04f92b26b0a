import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanRequest } from '../factories/loans.js';
import { loanCells, xlsxFile } from '../factories/uploads.js';
import { bearer } from '../support/harness.js';
import { expectNoSeriousAxeViolations } from './support/axe.js';
import { CITIC_2022Q3, publishDisclosure } from './support/seed-disclosures.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

const PASSWORD = 'bank-pass-2026';
let live: LiveService;
let browser: Browser;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bank-browser-'));

beforeAll(async () => {
  live = await startLiveService({ workers: 'inline' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

/** A bank with a password user and a compiled draft for 2025Q4. */
async function bankWithDraft(code: string) {
  const api = () => request(live.url);
  const created = await api()
    .post('/api/v1/institutions')
    .set(bearer(live.operatorKey))
    .send({ code, nameZh: '上传测试银行', nameEn: 'Upload Test Bank', kind: 'bank', eligibleFrom: '2021-11-08' })
    .expect(201);
  await api()
    .post(`/api/v1/institutions/${code}/users`)
    .set(bearer(live.operatorKey))
    .send({ name: 'clerk', password: PASSWORD })
    .expect(201);
  await publishDisclosure(live.service.database.db, {
    institutionCode: code,
    quarter: '2025Q4',
    horizons: CITIC_2022Q3,
    status: 'compiled',
  });
  return { apiKey: created.body.apiKey as string };
}

const viewports = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

describe('a bank', () => {
  for (const viewport of viewports) {
    it(`when it uploads an XLSX with one bad row, reads the report, fixes the file, uploads again and submits its draft (${viewport.width} px)`, async () => {
      const code = `BW${viewport.name.toUpperCase().slice(0, 4)}`;
      const bank = await bankWithDraft(code);
      const loans = [loanRequest(), loanRequest(), loanRequest()];
      const rows = loans.map(loanCells);
      const bad = rows.map((r) => ({ ...r }));
      bad[1]['borrower.creditCode'] = '91110108MA01234567';
      const badFile = path.join(dir, `${code}-loans.xlsx`);
      const goodFile = path.join(dir, `${code}-loans-fixed.xlsx`);
      writeFileSync(badFile, await xlsxFile('loans', bad));
      writeFileSync(goodFile, await xlsxFile('loans', rows));

      const context = await browser.newContext({ viewport, acceptDownloads: true });
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      // our own checks (labels, headings) and axe-core: no serious or critical violation on any bank page
      const accessible = async () => {
        await expectBasicAccessibility(page);
        await expectNoSeriousAxeViolations(page);
      };
      const fitsWidth = async () =>
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

      // sign in: the bank lands on its own loans
      await page.goto(`${live.url}/signin`);
      await page.fill('#institution', code);
      await page.fill('#user', 'clerk');
      await page.fill('#password', PASSWORD);
      await page.click('form[action="/signin/password"] button[type=submit]');
      await page.waitForURL(/\/bank$/);
      expect(await page.textContent('h1')).toBe('本行贷款与支持');
      await accessible();
      await fitsWidth();

      // the upload with one bad row: the report names row, column and rule; nothing is written
      await page.click('nav.subnav >> text=文件上传');
      await page.waitForURL(/\/bank\/uploads$/);
      await accessible();
      await page.selectOption('#u-kind', 'loans');
      await page.setInputFiles('#u-file', badFile);
      await Promise.all([page.waitForURL(/\/bank\/uploads\/[0-9a-f-]{36}$/), page.click('form.upload button[type=submit]')]);
      await page.waitForSelector('#h-errors', { timeout: PROCESS_WAIT_MS });
      expect(await page.textContent('[role=alert]')).toContain('未写入任何数据');
      const errorRows = await page.$$eval('#h-errors ~ .table-wrap tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      expect(errorRows).toHaveLength(1);
      expect(errorRows[0]).toContain('3');
      expect(errorRows[0]).toContain('borrower.creditCode');
      expect(errorRows[0]).toContain('invalid_credit_code');
      await accessible();
      await fitsWidth();
      await screenshot(page, `bank-upload-refused-${viewport.width}`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载错误报告（CSV）')]);
      const report = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
      // the report downloaded from the Chinese page is in Chinese: its headings and the rule's words
      expect(report.split('\r\n')[0]).toBe('行,列,规则,说明');
      expect(report).toMatch(/\n3,borrower\.creditCode,invalid_credit_code,不是有效的统一社会信用代码/);
      const none = await request(live.url).get('/api/v1/loans').set(bearer(bank.apiKey)).expect(200);
      expect(none.body.items).toHaveLength(0);

      // the fixed file goes through
      await page.goto(`${live.url}/bank/uploads`);
      await page.setInputFiles('#u-file', goodFile);
      await Promise.all([page.waitForURL(/\/bank\/uploads\/[0-9a-f-]{36}$/), page.click('form.upload button[type=submit]')]);
      await page.waitForSelector('p.notice:has-text("已写入")', { timeout: PROCESS_WAIT_MS });
      expect(await page.textContent('#upload-status')).toBe('已完成');
      await screenshot(page, `bank-upload-done-${viewport.width}`);
      await page.click('nav.subnav >> text=贷款');
      await page.waitForURL(/\/bank$/);
      expect(await page.locator('main table tbody tr').count()).toBe(3);
      await page.fill('#f-q', loans[1].loanRef);
      await Promise.all([page.waitForURL(/q=/), page.click('form.filters button[type=submit]')]);
      expect(await page.locator('main table tbody tr').count()).toBe(1);
      await fitsWidth();

      // the draft is submitted for verification
      await page.click('nav.subnav >> text=披露稿');
      await page.waitForURL(/\/bank\/disclosures$/);
      await accessible();
      await Promise.all([page.waitForURL(/done=1/), page.click('form[action="/bank/disclosures/2025Q4/submit"] button')]);
      expect(await page.textContent('main')).toContain('已提交');
      await fitsWidth();
      await screenshot(page, `bank-disclosures-${viewport.width}`);
      // every page of the bank's section, in both languages
      for (const href of ['/bank/applications', '/bank/tranches', '/bank/margin-calls', '/bank/evidence', '/bank/uploads']) {
        for (const lang of ['?lang=zh', '?lang=en']) {
          await page.goto(`${live.url}${href}${lang}`);
          expect(await page.locator('h1').count()).toBe(1);
          await accessible();
          await fitsWidth();
        }
      }
      expect(cspViolations).toEqual([]);
      await context.close();

      const version = await request(live.url).get(`/api/v1/disclosures/${code}/2025Q4`).set(bearer(bank.apiKey)).expect(200);
      expect(version.body.status).toBe('submitted');
    });
  }
});
