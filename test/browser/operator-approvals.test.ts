import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/harness.js';
import { passSecondFactor } from './support/second-factor.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const NOW = new Date('2023-06-01T04:00:00Z');
const SECOND = { name: 'second-operator', password: 'second-password-2023' };

let live: LiveService;
let browser: Browser;
let approvalId: string;
const api = () => request(live.url);

beforeAll(async () => {
  live = await startLiveService({ now: () => NOW });
  const op = bearer(live.operatorKey);
  const second = await api().post('/api/v1/institutions/PBOC/users').set(op).send(SECOND);
  if (second.status !== 201) throw new Error(`second operator: ${second.status} ${JSON.stringify(second.body)}`);
  const proposed = await api().post('/api/v1/operations').set(op).send({ quarter: '2023Q2', volume: '100000000.00' });
  if (proposed.status !== 202) throw new Error(`operation: ${proposed.status} ${JSON.stringify(proposed.body)}`);
  approvalId = proposed.body.id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('four eyes in the operator pages', () => {
  it('when another operator proposed opening an operation, then the second operator sees it pending and confirms it, and the operation opens', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${live.url}/signin`);
    await page.fill('#institution', 'PBOC');
    await page.fill('#user', SECOND.name);
    await page.fill('#password', SECOND.password);
    await page.click('form[action="/signin/password"] button[type=submit]');
    // an operator's page session passes the second factor (enrolled at this first sign-in)
    await passSecondFactor(page, new Map(), SECOND.name, NOW);
    await page.waitForURL(/\/operator$/);

    await page.click('a[href="/operator/approvals"]');
    await page.waitForURL(/\/operator\/approvals$/);
    const row = page.locator(`#approval-${approvalId}`);
    await expect(row.textContent()).resolves.toContain('2023Q2');
    await expect(row.textContent()).resolves.toContain('bootstrap operator');
    expect((await api().get('/api/v1/operations/2023Q2').set(bearer(live.operatorKey))).status).toBe(404);
    await expectBasicAccessibility(page);
    await screenshot(page, 'operator-approvals-pending');

    await page.fill(`#confirm-comment-${approvalId}`, 'volume agreed at the committee');
    await row.locator('form.approve button[type=submit]').click();
    await page.waitForURL(/done=confirmed/);
    await expect(page.locator('p.notice').textContent()).resolves.toMatch(/已确认|Confirmed/);
    await expect(page.locator(`#approval-${approvalId}`).count()).resolves.toBe(0);

    const opened = await api().get('/api/v1/operations/2023Q2').set(bearer(live.operatorKey));
    expect(opened.body).toMatchObject({ quarter: '2023Q2', volume: '100000000.00' });
    const approval = await api().get(`/api/v1/approvals/${approvalId}`).set(bearer(live.operatorKey));
    expect(approval.body).toMatchObject({
      status: 'confirmed',
      decidedBy: { name: SECOND.name },
      decisionNote: 'volume agreed at the committee',
    });
    await context.close();
  });
});
