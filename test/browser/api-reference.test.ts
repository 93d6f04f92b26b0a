/**
 * The API reference at /docs in Chromium, with no network beyond the service: Scalar renders the
 * operations from /openapi.json, shows none of the features that need Scalar's own servers (Ask AI,
 * Deploy on Scalar).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

let live: LiveService;
let browser: Browser;
let page: Page;
const outside: string[] = [];

beforeAll(async () => {
  live = await startLiveService();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // offline: every request leaving the service is refused and remembered
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(live.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('the API reference at /docs', () => {
  it('when it is opened offline, then the operations render, nothing asks Scalar’s servers, and there is no Ask AI or Deploy button', async () => {
    await page.goto(`${live.url}/docs`);
    await page.getByText('Carbon Emission Reduction Facility', { exact: false }).first().waitFor({ timeout: PROCESS_WAIT_MS });
    await page.waitForLoadState('networkidle');
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/Ask AI|Deploy on Scalar/);
    expect(outside).toEqual([]);
    await screenshot(page, 'api-reference-1280');
  });
});
