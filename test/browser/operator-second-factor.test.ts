/** An operator signs in to the pages with a second factor (TOTP, RFC 6238) in Chromium: enrolment, a replayed code refused, a recovery code. */
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../platform/totp.js';
import { bearer } from '../support/harness.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const NOW = new Date('2026-03-02T02:00:10Z');
const OPERATOR = { name: 'totp-operator', password: 'totp-password-2026' };

let live: LiveService;
let browser: Browser;
beforeAll(async () => {
  live = await startLiveService({ now: () => NOW });
  const res = await request(live.url).post('/api/v1/institutions/PBOC/users').set(bearer(live.operatorKey)).send(OPERATOR);
  if (res.status !== 201) throw new Error(`user: ${res.status}`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('an operator with a second factor', () => {
  it('when the operator enrols, signs out and enters the same code again, then it is refused as replayed and a recovery code signs in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const signInWithPassword = async () => {
      await page.goto(`${live.url}/signin?lang=en`);
      await page.fill('#institution', 'PBOC');
      await page.fill('#user', OPERATOR.name);
      await page.fill('#password', OPERATOR.password);
      await page.click('form[action="/signin/password"] button[type=submit]');
      await page.waitForURL(/\/signin\/second-factor/);
    };

    await signInWithPassword();
    expect(await page.textContent('h1')).toBe('Set up the second factor');
    expect(await page.textContent('#totp-uri')).toContain('otpauth://totp/');
    // the operator pages stay closed until the factor is passed
    const closed = await context.request.get(`${live.url}/operator`, { maxRedirects: 0 });
    expect(closed.status()).toBe(303);
    await expectBasicAccessibility(page);
    await screenshot(page, 'operator-totp-enrol');
    const secret = (await page.textContent('#totp-secret'))!.trim();
    const code = totpCode(secret, NOW);
    await page.fill('#code', code);
    await page.click('form[action="/signin/second-factor/enrol"] button[type=submit]');
    await page.waitForSelector('#recovery-codes');
    const recoveryCodes = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    await screenshot(page, 'operator-totp-recovery-codes');
    await page.click('main a');
    await page.waitForURL(/\/operator$/);
    expect(await page.textContent('h1')).toBe('Operations overview');

    await page.click('header form[action="/signout"] button[type=submit]');
    await page.waitForURL(`${live.url}/`);
    await signInWithPassword();
    expect(await page.textContent('h1')).toBe('Second factor');
    await page.fill('#code', code);
    await page.click('form[action="/signin/second-factor"] button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('totp_replayed');
    expect(page.url()).toContain('/signin/second-factor');
    await screenshot(page, 'operator-totp-replayed');

    await page.fill('#code', recoveryCodes[0]);
    await page.click('form[action="/signin/second-factor"] button[type=submit]');
    await page.waitForURL(/\/operator$/);
    expect(await page.textContent('h1')).toBe('Operations overview');
    await context.close();
  });
});
