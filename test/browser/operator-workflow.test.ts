import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanRequest } from '../factories/loans.js';
import { bearer } from '../support/harness.js';
import { passSecondFactor, type Factor } from './support/second-factor.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

// the service clock: 2023-06-01 in Shanghai, so the operation is 2023Q2
const NOW = new Date('2023-06-01T04:00:00Z');
const MAKER = { name: 'maker-operator', password: 'maker-password-2023' };
const CHECKER = { name: 'checker-operator', password: 'checker-password-2023' };

let live: LiveService;
let browser: Browser;
let applicationId: string;
const factors = new Map<string, Factor>();

const api = () => request(live.url);
async function expectCreated(res: request.Response, what: string) {
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  live = await startLiveService({ now: () => NOW });
  const op = bearer(live.operatorKey);
  const bank = await expectCreated(
    await api()
      .post('/api/v1/institutions')
      .set(op)
      .send({ code: 'OPWB', nameZh: '运营测试银行', nameEn: 'Operator Test Bank', kind: 'bank', eligibleFrom: '2021-11-08' }),
    'bank',
  );
  const bankAuth = bearer(bank.apiKey);
  // two eligible loans of 1,000,000.00 and 500,000.00: support 60 % = 600,000.00 + 300,000.00 = 900,000.00
  const loans = [
    loanRequest({ principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' }),
    loanRequest({ principal: '500000.00', disbursedOn: '2023-05-20', maturesOn: '2026-05-20' }),
  ];
  for (const loan of loans) await expectCreated(await api().post('/api/v1/loans').set(bankAuth).send(loan), 'loan');
  // the second operator is created at once (bootstrap); from then on operator acts take four eyes
  const maker = await expectCreated(await api().post('/api/v1/institutions/PBOC/users').set(op).send(MAKER), `user ${MAKER.name}`);
  const confirm = async (proposed: request.Response, what: string) => {
    if (proposed.status !== 202) throw new Error(`${what}: ${proposed.status} ${JSON.stringify(proposed.body)}`);
    const confirmed = await api().post(`/api/v1/approvals/${proposed.body.id}/confirm`).set(bearer(maker.apiKey)).send({});
    if (confirmed.status !== 200) throw new Error(`${what}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  };
  await confirm(await api().post('/api/v1/institutions/PBOC/users').set(op).send(CHECKER), `user ${CHECKER.name}`);
  await confirm(await api().post('/api/v1/operations').set(op).send({ quarter: '2023Q2', volume: '100000000.00' }), 'operation');
  const application = await expectCreated(
    await api()
      .post('/api/v1/applications')
      .set(bankAuth)
      .send({
        operation: '2023Q2',
        loanRefs: loans.map((l) => l.loanRef),
        collateral: [{ type: 'central_government_bond', ref: 'CGB-2305', faceValue: '1000000.00', marketValue: '1000000.00' }],
      }),
    'application',
  );
  expect(application).toMatchObject({ status: 'submitted', requested: '900000.00' });
  applicationId = application.id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

async function signIn(page: Page, user: { name: string; password: string }) {
  await page.goto(`${live.url}/signin`);
  await page.fill('#institution', 'PBOC');
  await page.fill('#user', user.name);
  await page.fill('#password', user.password);
  await page.click('form[action="/signin/password"] button[type=submit]');
  await passSecondFactor(page, factors, user.name, NOW);
  await page.waitForURL(/\/operator$/);
}

describe('two central-bank operators', () => {
  it('when one approves an application, then they cannot book it themselves (maker–checker) and the other operator books the disbursement', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    // operator 1 signs in and sees the operation and the application awaiting a decision
    await signIn(page, MAKER);
    expect(await page.textContent('h1')).toBe('运营概览');
    const operations = await page.textContent('section[aria-labelledby=h-operations]');
    expect(operations).toContain('2023Q2');
    // the volume of 100,000,000.00 元 reads 1.00 亿元, the exact yuan on hover
    expect(operations).toContain('1.00 亿元');
    expect(await page.getAttribute('section[aria-labelledby=h-operations] data[value="100000000.00"]', 'title')).toBe('100000000.00 元');
    const row = page.locator(`section[aria-labelledby=h-submitted] #app-${applicationId}`);
    expect(await row.textContent()).toContain('OPWB');
    // 900,000.00 元 = 90.00 万元
    expect(await row.textContent()).toContain('90.00 万元');
    await expectBasicAccessibility(page);
    await screenshot(page, 'operator-overview-zh');

    // approve in full with a reason
    await page.fill(`#approve-reason-${applicationId}`, '贷款合格，押品充足');
    await row.locator('form.approve button[type=submit]').click();
    await page.waitForURL(/done=approved/);
    expect(await page.textContent('[role=status]')).toContain('申请已批准');
    const approvedRow = page.locator(`section[aria-labelledby=h-approved] #app-${applicationId}`);
    expect(await approvedRow.textContent()).toContain(MAKER.name);

    // booking it themselves is refused on the page, named, not a 500
    await approvedRow.locator('button[type=submit]').click();
    await page.waitForURL(/error=maker_checker_violation/);
    expect(await page.textContent('[role=alert]')).toContain('maker_checker_violation');
    expect(await page.locator(`section[aria-labelledby=h-approved] #app-${applicationId}`).count()).toBe(1);
    await expectBasicAccessibility(page);
    await screenshot(page, 'operator-maker-checker-refused');
    const stillApproved = await api().get(`/api/v1/applications/${applicationId}`).set(bearer(live.operatorKey));
    expect(stillApproved.body).toMatchObject({ status: 'approved', approved: '900000.00', facilities: [] });

    // operator 1 signs out; operator 2 signs in and books the disbursement
    await page.click('header form[action="/signout"] button[type=submit]');
    await page.waitForURL(`${live.url}/`);
    await signIn(page, CHECKER);
    await page.locator(`section[aria-labelledby=h-approved] #app-${applicationId} button[type=submit]`).click();
    await page.waitForURL(/done=disbursed/);
    expect(await page.textContent('[role=status]')).toContain('发放已记账');
    expect(await page.locator(`#app-${applicationId}`).count()).toBe(0);
    // the new tranche of 900,000.00 matures in a year, outside the 90-day window
    expect(await page.textContent('section[aria-labelledby=h-operations]')).toContain('90.00 万元');
    await screenshot(page, 'operator-disbursed');

    // the same page in English
    await page.click('a.lang');
    await page.waitForURL(/lang=en/);
    expect(await page.textContent('h1')).toBe('Operations overview');
    await expectBasicAccessibility(page);
    await screenshot(page, 'operator-overview-en');

    // the API agrees
    const detail = await api().get(`/api/v1/applications/${applicationId}`).set(bearer(live.operatorKey));
    expect(detail.body).toMatchObject({ status: 'disbursed', decidedBy: MAKER.name, disbursedBy: CHECKER.name });
    expect(detail.body.facilities).toHaveLength(1);
    const tranche = await api().get(`/api/v1/facilities/${detail.body.facilities[0]}`).set(bearer(live.operatorKey));
    expect(tranche.body).toMatchObject({ institution: 'OPWB', principal: '900000.00', startOn: '2023-06-01', status: 'active' });

    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('when an operator opens the queue dashboard, then Bull Board answers inside the operator pages; anonymous visitors are sent to sign in', async () => {
    const anonymous = await api().get('/operator/queues/');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/signin\?next=/);

    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, CHECKER);
    const response = await page.goto(`${live.url}/operator/queues/`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('#root *');
    await screenshot(page, 'operator-queues');
    await context.close();
  });
});
