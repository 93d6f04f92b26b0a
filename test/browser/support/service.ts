/**
 * The real service (startService: HTTP on a free port, real PostgreSQL database of its own, real
 * Redis) for browser tests, plus Debian's chromium driven by playwright-core. Never downloads a browser.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { parseEnv } from '../../../schemas/env.js';
import { startService, type RunningService } from '../../../process/service.js';
import { createTestDatabase } from '../../support/harness.js';

export const ARTIFACTS_DIR = path.resolve('.test-artifacts');

export type LiveService = { service: RunningService; url: string; operatorKey: string; close(): Promise<void> };

export async function startLiveService(options: { now?: () => Date; workers?: 'inline' | 'off' } = {}): Promise<LiveService> {
  const database = await createTestDatabase();
  const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
  const env = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    DATA_DIR: os.tmpdir(),
    LOG_LEVEL: 'silent',
    CERF_WORKERS: options.workers ?? 'off',
    CERF_BOOTSTRAP_OPERATOR_KEY: operatorKey,
  });
  const service = await startService(env, { now: options.now });
  return {
    service,
    url: service.url,
    operatorKey,
    close: async () => {
      await service.stop();
      await database.close();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Basic accessibility of the page in view: a page language, exactly one h1, every visible form control
 * labelled (label[for], aria-label or aria-labelledby), and no CSP violations reported.
 */
export async function expectBasicAccessibility(page: Page) {
  const report = await page.evaluate(() => {
    const lang = document.documentElement.getAttribute('lang');
    const h1 = document.querySelectorAll('h1').length;
    const unlabelled: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input, select, textarea'))) {
      const input = el as HTMLInputElement;
      if (input.type === 'hidden' || input.type === 'submit') continue;
      const labelled =
        (input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`)) ||
        input.getAttribute('aria-label') ||
        input.getAttribute('aria-labelledby') ||
        input.closest('label');
      if (!labelled) unlabelled.push(input.outerHTML.slice(0, 80));
    }
    return { lang, h1, unlabelled };
  });
  expect(report.lang).toMatch(/^(zh-CN|en)$/);
  expect(report.h1).toBe(1);
  expect(report.unlabelled).toEqual([]);
}

/** Tab order through a form follows its fields in document order (no positive tabindex jumps). */
export async function expectFormFocusOrder(page: Page, formSelector: string) {
  const fields = await page.$$eval(
    `${formSelector} input:not([type=hidden]), ${formSelector} select, ${formSelector} textarea, ${formSelector} button`,
    (els) => els.map((e) => e.id || e.getAttribute('name') || e.textContent?.trim() || ''),
  );
  await page.focus(`${formSelector} :is(input:not([type=hidden]), select, textarea, button)`);
  const visited = [
    await page.evaluate(
      () => document.activeElement?.id || document.activeElement?.getAttribute('name') || document.activeElement?.textContent?.trim() || '',
    ),
  ];
  for (let i = 1; i < fields.length; i++) {
    await page.keyboard.press('Tab');
    visited.push(
      await page.evaluate(
        () =>
          document.activeElement?.id || document.activeElement?.getAttribute('name') || document.activeElement?.textContent?.trim() || '',
      ),
    );
  }
  expect(visited).toEqual(fields);
}
