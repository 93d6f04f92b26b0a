/**
 * A project financed by two banks, in Chromium: the public home page says the national totals count it
 * once (zh, en; 1280 and 390 px), and an operator finds it on the shared-projects page.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { validCreditCode } from '../factories/loans.js';
import { verifyAndPublish } from '../factories/verification.js';
import { bearer, type TestApp } from '../support/harness.js';
import { expectNoSeriousAxeViolations } from './support/axe.js';
import { passSecondFactor, type Factor } from './support/second-factor.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const NOW = new Date('2022-10-20T04:00:00Z');
const OPERATOR = { name: 'totals-operator', password: 'totals-password-2022' };
const BORROWER = { name: '某某风能有限公司', creditCode: validCreditCode(5151) };
const WIND = {
  name: '某某风电场（二期）',
  province: '内蒙古自治区',
  subArea: 'CE.WIND',
  totalInvestment: '100000000.00',
  annualReductionTonnes: '1000.00',
  evidence: { title: '可行性研究报告', sha256: 'b'.repeat(64) },
};

let live: LiveService;
let browser: Browser;
const factors = new Map<string, Factor>();

beforeAll(async () => {
  live = await startLiveService({ now: () => NOW, workers: 'inline' });
  const t = { app: live.url, database: live.service.database, operatorKey: live.operatorKey } as unknown as TestApp;
  const a = await createInstitution(t, { code: uniqueCode('SBA'), nameZh: '甲银行', nameEn: 'Bank A' });
  const b = await createInstitution(t, { code: uniqueCode('SBB'), nameZh: '乙银行', nameEn: 'Bank B' });
  const verifier = await createInstitution(t, { code: uniqueCode('SBV'), kind: 'verifier' });
  // A lends 80,000,000 (800 t attributed), B 60,000,000 (600 t) to one project of 1,000 t a year
  const fromA = await submitLoan(t, a.apiKey, {
    borrower: BORROWER,
    project: { ...WIND, ref: 'A-W2' },
    principal: '80000000.00',
    disbursedOn: '2022-08-15',
  });
  // Since the register of projects (docs/projects.md), B may lend only the 20,000,000 that A left of the
  // investment; the totals still count once what was recorded before that rule: B's loan is raised to
  // 60,000,000 as it stood then (the loan and its project's funded total, as a migration of such data writes)
  const fromB = await submitLoan(t, b.apiKey, {
    borrower: BORROWER,
    project: { ...WIND, ref: 'B-W2', name: '某某风电场(二期)' },
    principal: '20000000.00',
    disbursedOn: '2022-09-01',
  });
  const { db } = live.service.database;
  await db.execute(sql`update loans set principal_fen = 6000000000, outstanding_fen = 6000000000 where id = ${fromB}::uuid`);
  await db.execute(sql`update projects set funded_fen = 6000000000 where id = (select project_id from loans where id = ${fromB}::uuid)`);
  await supportLoans(t, a.id, [{ id: fromA, principalFen: 8_000_000_000n }]);
  await supportLoans(t, b.id, [{ id: fromB, principalFen: 6_000_000_000n }]);
  await request(live.url).post('/api/v1/disclosures/compile').set(bearer(live.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  for (const bank of [a, b]) await verifyAndPublish(t, { bank, verifier, quarter: '2022Q3' });
  await request(live.url).post('/api/v1/institutions/PBOC/users').set(bearer(live.operatorKey)).send(OPERATOR).expect(201);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

async function checkPage(page: Page, width: number) {
  await expectBasicAccessibility(page);
  await expectNoSeriousAxeViolations(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe('a project two banks finance', () => {
  for (const width of [1280, 390]) {
    it(`when the public opens the home page, then the national totals say the project and its reduction count once (${width} px)`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${live.url}/?lang=zh`);
      const zh = await page.textContent('main');
      expect(zh).toContain('其中 1 个项目由多家银行共同支持');
      expect(zh).toContain('碳减排量 400.00 吨');
      await checkPage(page, width);
      await screenshot(page, `shared-projects-home-${width}`);
      await page.goto(`${live.url}/?lang=en`);
      expect(await page.textContent('main')).toMatch(/financed by several banks/);
      await checkPage(page, width);
      await context.close();
    });
  }

  it('when an operator opens the shared-projects page, then the project is listed with both banks and what was counted once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${live.url}/signin`);
    await page.fill('#institution', 'PBOC');
    await page.fill('#user', OPERATOR.name);
    await page.fill('#password', OPERATOR.password);
    await page.click('form[action="/signin/password"] button[type=submit]');
    await passSecondFactor(page, factors, OPERATOR.name, NOW);
    await page.waitForURL(/\/operator$/);
    await page.click('a[href="/operator/shared-projects"]');
    await page.waitForURL(/\/operator\/shared-projects/);
    const main = await page.textContent('main');
    expect(main).toContain(BORROWER.creditCode);
    expect(main).toContain('甲银行');
    expect(main).toContain('乙银行');
    await checkPage(page, 1280);
    await screenshot(page, 'shared-projects-operator');
    await context.close();
  });
});
