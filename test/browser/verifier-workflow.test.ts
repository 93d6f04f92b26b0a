import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disclosureUnderVerification } from '../factories/verification.js';
import { bearer, type TestApp } from '../support/harness.js';
import { expectNoSeriousAxeViolations } from './support/axe.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const PASSWORD = 'verifier-pass-2022';
let live: LiveService;
let browser: Browser;
let asTestApp: TestApp;

beforeAll(async () => {
  live = await startLiveService();
  asTestApp = { app: live.url, database: live.service.database, operatorKey: live.operatorKey } as unknown as TestApp;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

async function checkPage(page: Page) {
  await expectBasicAccessibility(page);
  await expectNoSeriousAxeViolations(page);
}

async function signIn(page: Page, institution: string) {
  await page.goto(`${live.url}/signin?lang=zh`);
  await page.fill('#institution', institution);
  await page.fill('#user', 'auditor');
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/signin/password"] button[type=submit]');
  await page.waitForURL(/\/verify$/);
}

describe('a verifier', () => {
  for (const width of [1280, 390]) {
    it(`when it records every check in one form, fails one, corrects it and verifies (${width} px), then the history keeps the correction`, async () => {
      const d = await disclosureUnderVerification(asTestApp, {
        principals: ['300000000.00', '120000000.00'],
        verifierPassword: PASSWORD,
      });
      expect(d.sample).toHaveLength(2);
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const cspViolations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      const shot = (name: string) => screenshot(page, `verify-${width}-${name}`);

      await signIn(page, d.verifier.code);
      expect(await page.textContent('h1')).toBe('待核验的信息披露');
      const openRows = await page.$$eval('#q-open ~ table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      expect(openRows).toHaveLength(1);
      expect(openRows[0]).toContain('更正测试银行');
      await checkPage(page);
      await shot('queue');

      await page.click('main >> text=更正测试银行');
      await page.waitForURL(/\/verify\/[0-9a-f-]{36}$/);
      const detailUrl = page.url();
      expect(await page.textContent('h1')).toContain('2022Q3');
      expect(await page.locator('table.sample tbody tr').count()).toBe(2);
      // nothing is chosen in advance: every outcome starts unset
      const chosen = await page.$$eval('form.findings-form select', (ss) => ss.map((s) => (s as HTMLSelectElement).value));
      expect(chosen).toHaveLength(10);
      expect(chosen.every((v) => v === '')).toBe(true);
      await checkPage(page);
      await shot('disclosure');

      // saving with nothing chosen records nothing
      await Promise.all([page.waitForURL(/error=invalid_input/), page.click('form.findings-form > button[type=submit]')]);
      expect(await page.textContent('[role=alert]')).toContain('invalid_input');
      await page.goto(detailUrl);

      // every check of both loans in one form, one of them failed
      for (const s of [1, 2])
        for (const check of ['area', 'amount', 'rate', 'reduction', 'evidence'])
          await page.selectOption(`#l${s}-${check}`, s === 1 && check === 'amount' ? 'fail' : 'pass');
      await page.fill('#l1-amount-note', '本金与合同不符');
      await Promise.all([page.waitForURL(/saved=1/), page.click('form.findings-form > button[type=submit]')]);
      expect(await page.locator('table.findings tbody tr').count()).toBe(10);
      expect(await page.locator('table.findings td.fail').count()).toBe(1);
      expect(await page.textContent('#h-record ~ p')).toContain('均已记录');
      await checkPage(page);

      // a verified verdict is refused while a check fails
      await page.selectOption('#verdict', 'verified');
      await page.fill('#summary', '抽样贷款与证据一致。');
      await Promise.all([page.waitForURL(/error=/), page.click('form.verdict-form button[type=submit]')]);
      expect(await page.textContent('[role=alert]')).toContain('verified_with_failed_findings');

      // the verifier corrects the failed finding: a reason is required, the old one stays struck through
      const failedRow = page.locator('table.findings tr.in-force', { has: page.locator('td.fail') });
      await failedRow.locator('details.correct summary').click();
      await failedRow.locator('select[name=outcome]').selectOption('pass');
      await failedRow.locator('input[name=note]').fill('复核合同后一致');
      await failedRow.locator('input[name=reason]').fill('误读了合同附件的金额');
      await checkPage(page);
      await shot('correcting');
      await Promise.all([page.waitForURL(/saved=1/), failedRow.locator('button[type=submit]').click()]);
      expect(await page.locator('table.findings tbody tr').count()).toBe(11);
      expect(await page.locator('table.findings tr.superseded').count()).toBe(1);
      expect(await page.locator('table.findings tr.superseded del').textContent()).toBe('不通过');
      expect(await page.locator('table.findings tr.in-force td.fail').count()).toBe(0);
      expect(await page.textContent('table.findings')).toContain('误读了合同附件的金额');
      await checkPage(page);
      await shot('corrected');

      await page.selectOption('#verdict', 'verified');
      await page.fill('#summary', '复核后抽样贷款与证据一致。');
      await Promise.all([page.waitForURL(/saved=1/), page.click('form.verdict-form button[type=submit]')]);
      expect(await page.textContent('p.verdict')).toContain('核验通过');
      expect(await page.locator('form.findings-form').count()).toBe(0);
      expect(await page.locator('details.correct').count()).toBe(0);
      await checkPage(page);
      await shot('verdict');

      await page.click('a.lang');
      await page.waitForURL(/lang=en/);
      expect(await page.textContent('p.verdict')).toContain('Verdict given');
      await checkPage(page);
      expect(cspViolations).toEqual([]);
      await context.close();

      const version = await request(live.url).get(`${d.path}`).set(bearer(live.operatorKey)).expect(200);
      expect(['verified', 'published']).toContain(version.body.status);
      expect(version.body.verification).toMatchObject({ verifier: d.verifier.code, verdict: 'verified' });
    });
  }
});
