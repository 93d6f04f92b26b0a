import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportLoans, submitLoan } from '../factories/disclosures.js';
import { bearer, type TestApp } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from './support/seed-disclosures.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const BANK = 'VWBANK';
const VERIFIER = 'VWAUDIT';
const PASSWORD = 'verifier-pass-2022';
let live: LiveService;
let browser: Browser;
let sampleSize = 0;

beforeAll(async () => {
  live = await startLiveService();
  const api = () => request(live.url);
  const created = await api()
    .post('/api/v1/institutions')
    .set(bearer(live.operatorKey))
    .send({ code: BANK, nameZh: '核验测试银行', nameEn: 'Verification Test Bank', kind: 'bank', eligibleFrom: '2021-11-08' })
    .expect(201);
  const bank = { id: created.body.id as string, apiKey: created.body.apiKey as string };
  await api()
    .post('/api/v1/institutions')
    .set(bearer(live.operatorKey))
    .send({ code: VERIFIER, nameZh: '核验事务所', nameEn: 'Audit Partners', kind: 'verifier', eligibleFrom: '2021-11-08' })
    .expect(201);
  await api()
    .post(`/api/v1/institutions/${VERIFIER}/users`)
    .set(bearer(live.operatorKey))
    .send({ name: 'auditor', password: PASSWORD })
    .expect(201);

  // three loans through the API, covered by approved support (rows, as the disclosure tests do)
  const asTestApp = { app: live.url, database: live.service.database } as unknown as TestApp;
  const loans = [];
  for (const [i, principal] of ['300000000.00', '120000000.00', '80000000.00'].entries()) {
    const id = await submitLoan(asTestApp, bank.apiKey, { principal, disbursedOn: `2022-08-1${i}` });
    loans.push({ id, principalFen: BigInt(principal.replace('.', '')) });
  }
  await supportLoans(asTestApp, bank.id, loans);
  // the compiled version (written directly: the compile job is not what this test is about), then submit and assign by the API
  await publishDisclosure(live.service.database.db, {
    institutionCode: BANK,
    quarter: '2022Q3',
    horizons: CITIC_2022Q3,
    status: 'compiled',
  });
  await api().post(`/api/v1/disclosures/${BANK}/2022Q3/submit`).set(bearer(bank.apiKey)).expect(200);
  await api()
    .post(`/api/v1/disclosures/${BANK}/2022Q3/assign`)
    .set(bearer(live.operatorKey))
    .send({ verifier: VERIFIER, seed: 'browser-1', materialityThreshold: '200000000.00', randomSampleSize: 1 })
    .expect(200);
  const queue = await api().get('/api/v1/verification/assignments').set(bearer(live.operatorKey)).expect(200);
  const detail = await api().get(`/api/v1/verification/assignments/${queue.body.items[0].id}`).set(bearer(live.operatorKey)).expect(200);
  sampleSize = detail.body.sample.length;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('a verifier', () => {
  it('when it signs in, checks every sampled loan and verifies, then the page shows the verdict and the disclosure is verified', async () => {
    // the material loan (300 000 000 > 200 000 000) and one random draw among the other two
    expect(sampleSize).toBe(2);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    // sign in with the user's password: lands on the queue
    await page.goto(`${live.url}/signin`);
    await page.fill('#institution', VERIFIER);
    await page.fill('#user', 'auditor');
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/signin/password"] button[type=submit]');
    await page.waitForURL(/\/verify$/);
    expect(await page.textContent('h1')).toBe('待核验的信息披露');
    const openRows = await page.$$eval('#q-open ~ table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(openRows).toHaveLength(1);
    expect(openRows[0]).toContain('核验测试银行');
    expect(openRows[0]).toContain('2022Q3');
    await expectBasicAccessibility(page);
    await screenshot(page, 'verify-queue');

    // the disclosure: figures and the sample
    await page.click('main >> text=核验测试银行');
    await page.waitForURL(/\/verify\/[0-9a-f-]{36}$/);
    const detailUrl = page.url();
    expect(await page.textContent('h1')).toContain('2022Q3');
    expect(await page.textContent('table.figures')).toContain('13773.43');
    expect(await page.locator('table.sample tbody tr').count()).toBe(2);
    expect(await page.textContent('table.sample')).toContain('300000000.00');
    await expectBasicAccessibility(page);
    await screenshot(page, 'verify-disclosure');

    // a verdict before any finding is refused with the rule named, on the page
    await page.fill('#summary', '尚未核查');
    await page.click('form.verdict-form button[type=submit]');
    await page.waitForURL(/error=sample_not_checked/);
    expect(await page.textContent('[role=alert]')).toContain('sample_not_checked');
    await expectBasicAccessibility(page);
    await screenshot(page, 'verify-refused');

    // pass on all five checks of each sampled loan
    const forms = page.locator('form.finding-form');
    expect(await forms.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      await page
        .locator('form.finding-form')
        .nth(i)
        .locator('input[name=note_evidence]')
        .fill(`证据核对一致 ${i + 1}`);
      await Promise.all([page.waitForURL(/saved=1/), page.locator('form.finding-form').nth(i).locator('button[type=submit]').click()]);
      await page.waitForLoadState('load');
      expect(await page.locator('table.findings tbody tr').count()).toBe(5 * (i + 1));
      await page.goto(detailUrl);
    }
    expect(await page.locator('table.findings td.pass').count()).toBe(10);
    expect(await page.locator('table.findings td.fail').count()).toBe(0);
    await expectBasicAccessibility(page);
    await screenshot(page, 'verify-findings');

    // the verdict
    await page.selectOption('#verdict', 'verified');
    await page.fill('#summary', '抽样贷款与证据一致。');
    await Promise.all([page.waitForURL(/saved=1/), page.click('form.verdict-form button[type=submit]')]);
    expect(await page.textContent('p.verdict')).toContain('核验通过');
    expect(await page.textContent('main')).toContain('抽样贷款与证据一致。');
    expect(await page.locator('form.finding-form').count()).toBe(0);
    await expectBasicAccessibility(page);
    await screenshot(page, 'verify-verdict');

    // English on the same page
    await page.click('a.lang');
    await page.waitForURL(/lang=en/);
    expect(await page.textContent('p.verdict')).toContain('Verdict given');
    await expectBasicAccessibility(page);

    // the queue now lists it as done
    await page.goto(`${live.url}/verify?lang=zh`);
    expect(await page.textContent('#q-done ~ table')).toContain('核验测试银行');
    expect(cspViolations).toEqual([]);
    await context.close();

    // and the API agrees: the version is verified (publication follows by job)
    const version = await request(live.url).get(`/api/v1/disclosures/${BANK}/2022Q3`).set(bearer(live.operatorKey)).expect(200);
    expect(['verified', 'published']).toContain(version.body.status);
    expect(version.body.verification).toMatchObject({ verifier: VERIFIER, verdict: 'verified' });
  });
});
