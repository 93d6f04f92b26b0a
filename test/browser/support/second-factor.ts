/**
 * An operator's second factor in the browser: at the first sign-in the page shows the TOTP secret, the
 * test computes the code at the service's clock (as an authenticator app would) and keeps the recovery
 * codes shown once; later sign-ins use one of them (the service clock may stand still, and a code is
 * accepted once).
 */
import type { Page } from 'playwright-core';
import { totpCode } from '../../../platform/totp.js';

export type Factor = { secret: string; recoveryCodes: string[] };

export async function passSecondFactor(page: Page, factors: Map<string, Factor>, who: string, now: Date): Promise<void> {
  await page.waitForURL(/\/signin\/second-factor/);
  const secret = page.locator('#totp-secret');
  if (await secret.count()) {
    const value = (await secret.textContent())!.trim();
    await page.fill('#code', totpCode(value, now));
    await page.click('form[action="/signin/second-factor/enrol"] button[type=submit]');
    await page.waitForSelector('#recovery-codes');
    const recoveryCodes = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
    factors.set(who, { secret: value, recoveryCodes });
    await page.click('main a');
    return;
  }
  const factor = factors.get(who);
  if (!factor) throw new Error(`no second factor known for ${who}`);
  await page.fill('#code', factor.recoveryCodes.shift()!);
  await page.click('form[action="/signin/second-factor"] button[type=submit]');
}
