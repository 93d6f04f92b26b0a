import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanRequest } from '../factories/loans.js';
import { bearer } from '../support/harness.js';
import { expectNoSeriousAxeViolations } from './support/axe.js';
import { passSecondFactor, type Factor } from './support/second-factor.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

// the service clock: 2023-06-01 in Shanghai, so the operation is 2023Q2
const NOW = new Date('2023-06-01T04:00:00Z');
const MAKER = { name: 'maker-operator', password: 'maker-password-2023' };
const CHECKER = { name: 'checker-operator', password: 'checker-password-2023' };

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function expectCreated(res: request.Response, what: string) {
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function checkPage(page: Page) {
  await expectBasicAccessibility(page);
  await expectNoSeriousAxeViolations(page);
}

/** Signs an operator in with its password and its second factor (`factors`: what each one enrolled). */
async function signIn(live: LiveService, page: Page, user: { name: string; password: string }, factors: Map<string, Factor>) {
  await page.goto(`${live.url}/signin?lang=zh`);
  await page.fill('#institution', 'PBOC');
  await page.fill('#user', user.name);
  await page.fill('#password', user.password);
  await page.click('form[action="/signin/password"] button[type=submit]');
  await passSecondFactor(page, factors, user.name, NOW);
  await page.waitForURL(/\/operator$/);
}

/** Submits the form holding `button` and waits for the page it redirects to. */
async function submit(page: Page, button: string, url: RegExp) {
  await Promise.all([page.waitForURL(url), page.click(button)]);
}

describe('an operator in the pages', () => {
  for (const width of [1280, 390]) {
    it(`when it opens an operation, allocates, has it booked, revalues collateral and closes it (${width} px), then the API agrees`, async () => {
      const live = await startLiveService({ now: () => NOW });
      try {
        const api = () => request(live.url);
        const op = bearer(live.operatorKey);
        const factors = new Map<string, Factor>();
        // the second operator is created at once (bootstrap); the third one takes four eyes: the second confirms it
        const maker = await expectCreated(await api().post('/api/v1/institutions/PBOC/users').set(op).send(MAKER), `user ${MAKER.name}`);
        const proposedChecker = await api().post('/api/v1/institutions/PBOC/users').set(op).send(CHECKER);
        expect(proposedChecker.status).toBe(202);
        await api().post(`/api/v1/approvals/${proposedChecker.body.id}/confirm`).set(bearer(maker.apiKey)).send({}).expect(200);
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        const cspViolations: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
        });
        const shot = (name: string) => screenshot(page, `operator-${width}-${name}`);

        // the bank is registered in the pages: its API key is shown once
        await signIn(live, page, MAKER, factors);
        await page.click('main nav.subnav >> text=机构与用户');
        await page.waitForURL(/\/operator\/institutions$/);
        await page.fill('#in-code', 'OPPB');
        await page.selectOption('#in-kind', 'bank');
        await page.fill('#in-zh', '页面测试银行');
        await page.fill('#in-en', 'Page Test Bank');
        await page.fill('#in-from', '2021-11-08');
        await page.click('form[action="/operator/institutions"] button[type=submit]');
        await page.waitForSelector('[role=status]');
        const shown = await page.locator('[role=status] code').allTextContents();
        const bankKey = shown.find((s) => s.startsWith('cerf_'))!;
        expect(bankKey).toBeTruthy();
        expect(await page.textContent('#inst-OPPB')).toContain('页面测试银行');
        await checkPage(page);
        await shot('institutions');

        // opening: the form proposes it (four eyes), the other operator confirms it, then the row
        await page.click('main nav.subnav >> text=按季操作');
        await page.waitForURL(/\/operator\/operations$/);
        await page.fill('#op-quarter', '2023Q2');
        await page.fill('#op-volume', '100000000.00');
        await submit(page, 'form[action="/operator/operations"] button[type=submit]', /proposed=/);
        const approvalId = new URL(page.url()).searchParams.get('proposed')!;
        expect(await page.textContent('[role=status]')).toContain('已提议，待另一位操作员确认');
        expect(await page.textContent('[role=status]')).toContain('2023Q2');
        expect(await page.locator('#op-2023Q2').count()).toBe(0);
        await checkPage(page);
        await shot('proposed');
        // the proposer sees its own proposal on the acts to confirm, without a confirm button
        await Promise.all([page.waitForURL(/\/operator\/approvals/), page.click('[role=status] a')]);
        expect(await page.locator(`#approval-${approvalId} form[action$="/confirm"]`).count()).toBe(0);
        // the checker, signed in in its own browser context, confirms it there
        const checkerContext = await browser.newContext({ viewport: { width, height: 900 } });
        const checkerPage = await checkerContext.newPage();
        await signIn(live, checkerPage, CHECKER, factors);
        await checkerPage.goto(`${live.url}/operator/approvals`);
        await submit(checkerPage, `#approval-${approvalId} form[action$="/confirm"] button[type=submit]`, /done=confirmed/);
        await checkPage(checkerPage);
        await checkerContext.close();
        await page.goto(`${live.url}/operator/operations`);
        expect(await page.textContent('#op-2023Q2')).toContain('开放');
        // opening it again is refused with the rule named
        await page.fill('#op-quarter', '2023Q2');
        await page.fill('#op-volume', '1.00');
        await submit(page, 'form[action="/operator/operations"] button[type=submit]', /error=operation_exists/);
        expect(await page.textContent('[role=alert]')).toContain('operation_exists');
        await checkPage(page);
        await shot('operations');

        // the bank applies (its own API): two loans, support 900,000.00, a bond pledged
        const bankAuth = bearer(bankKey);
        const loans = [
          loanRequest({ principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' }),
          loanRequest({ principal: '500000.00', disbursedOn: '2023-05-20', maturesOn: '2026-05-20' }),
        ];
        for (const loan of loans) await expectCreated(await api().post('/api/v1/loans').set(bankAuth).send(loan), 'loan');
        const application = await expectCreated(
          await api()
            .post('/api/v1/applications')
            .set(bankAuth)
            .send({
              operation: '2023Q2',
              loanRefs: loans.map((l) => l.loanRef),
              collateral: [{ type: 'central_government_bond', ref: 'CGB-2306', faceValue: '1000000.00', marketValue: '1000000.00' }],
            }),
          'application',
        );

        // allocation by the rule approves it
        await page.goto(`${live.url}/operator/operations`);
        await submit(page, '#op-2023Q2 form[action$="/allocate"] button', /done=/);
        expect(await page.textContent('[role=status]')).toContain('900000.00');

        // the other operator books the disbursement (maker–checker), on the overview
        await page.click('header form[action="/signout"] button[type=submit]');
        await page.waitForURL(`${live.url}/`);
        await signIn(live, page, CHECKER, factors);
        await submit(page, `section[aria-labelledby=h-approved] #app-${application.id} button[type=submit]`, /done=disbursed/);

        // the tranche is live; the collateral is revalued below the exposure: a margin call
        await page.click('main nav.subnav >> text=再贷款资金：展期与归还');
        await page.waitForURL(/\/operator\/tranches$/);
        // 900,000.00 元 = 90.00 万元
        expect(await page.textContent('main table')).toContain('90.00 万元');
        await checkPage(page);
        await shot('tranches');
        await page.click('main nav.subnav >> text=押品重估');
        await page.waitForURL(/\/operator\/collateral$/);
        const bondRow = page.locator('tr', { hasText: 'CGB-2306' });
        await bondRow.locator('input[name=marketValue]').fill('800000.00');
        await Promise.all([page.waitForURL(/done=/), bondRow.locator('button[type=submit]').click()]);
        expect(await page.textContent('[role=status]')).toContain('800000.00');
        await checkPage(page);
        await shot('collateral');

        // closing
        await page.click('main nav.subnav >> text=按季操作');
        await page.waitForURL(/\/operator\/operations$/);
        await submit(page, '#op-2023Q2 form[action$="/close"] button', /done=/);
        expect(await page.textContent('#op-2023Q2')).toContain('已关闭');
        expect(await page.locator('#op-2023Q2 form').count()).toBe(0);
        await checkPage(page);
        await shot('closed');

        // the other workflow pages render and pass the checks, in both languages
        for (const path of ['/operator', '/operator/loans', '/operator/disclosures', '/operator/conflicts'])
          for (const lang of ['zh', 'en']) {
            await page.goto(`${live.url}${path}?lang=${lang}`);
            await checkPage(page);
          }
        expect(cspViolations).toEqual([]);
        await context.close();

        // the API agrees
        const operation = await api().get('/api/v1/operations/2023Q2').set(op).expect(200);
        expect(operation.body).toMatchObject({ status: 'closed', volume: '100000000.00', disbursed: '900000.00' });
        const detail = await api().get(`/api/v1/applications/${application.id}`).set(op).expect(200);
        expect(detail.body).toMatchObject({ status: 'disbursed', decidedBy: MAKER.name, disbursedBy: CHECKER.name });
        const calls = await api().get('/api/v1/margin-calls').set(op);
        expect(calls.status).toBe(200);
        expect(JSON.stringify(calls.body.items)).toContain('OPPB');
      } finally {
        await live.close();
      }
    });
  }
});
