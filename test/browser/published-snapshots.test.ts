import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from './support/seed-disclosures.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

let live: LiveService;
let browser: Browser;
let dir: string;
beforeAll(async () => {
  live = await startLiveService();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-browser-signed-'));
  await request(live.url)
    .post('/api/v1/institutions')
    .set(bearer(live.operatorKey))
    .send({ code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank', kind: 'bank', eligibleFrom: '2021-11-08' })
    .expect(201);
  const db = live.service.database.db;
  await publishDisclosure(db, { institutionCode: 'CITIC', quarter: '2022Q2', horizons: CITIC_2022Q3, publishedOn: '2022-07-20' });
  await publishDisclosure(db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3, publishedOn: '2022-11-28' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a member of the public checking a publication', () => {
  it('when they open a version-addressed page and download its JSON, then openssl verifies the signature with the published key', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const first = await page.goto(`${live.url}/disclosures/CITIC/2022Q3/v/1`);
    expect(first!.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(await page.textContent('.statement')).toContain('合计向4个项目发放碳减排贷款13773.43万元');
    await expectBasicAccessibility(page);
    await screenshot(page, 'published-version-zh');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/v/1.json"]')]);
    const json = readFileSync((await download.path())!);
    const content = JSON.parse(json.toString('utf8'));
    expect(content.period).toBeUndefined(); // the seeded content has no period; the compiled one carries it
    expect(content.horizons.quarter.loanAmountWanYuan).toBe('13773.43');
    const sig = await page.request.get(`${live.url}/disclosures/CITIC/2022Q3/v/1.json.sig`);
    const kid = sig.headers()['cerf-signing-key'];
    const keys = await (await page.request.get(`${live.url}/.well-known/cerf-signing-keys.json`)).json();
    const key = keys.keys.find((k: { kid: string }) => k.kid === kid);
    writeFileSync(path.join(dir, 'file.json'), json);
    writeFileSync(path.join(dir, 'file.json.sig'), await sig.body());
    writeFileSync(path.join(dir, 'key.pem'), key.publicKeyPem);
    execFileSync('openssl', ['base64', '-d', '-A', '-in', path.join(dir, 'file.json.sig'), '-out', path.join(dir, 'sig.bin')]);
    const out = execFileSync(
      'openssl',
      [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        path.join(dir, 'key.pem'),
        '-rawin',
        '-in',
        path.join(dir, 'file.json'),
        '-sigfile',
        path.join(dir, 'sig.bin'),
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain('Signature Verified Successfully');
    const api = await (await page.request.get(`${live.url}/api/v1/disclosures/CITIC/2022Q3`)).json();
    expect(createHash('sha256').update(json).digest('hex')).toBe(api.contentSha256);
    await context.close();
  });

  it("when they reload the quarter's page, then it answers 304 to its ETag; the bank's page shows its timeliness", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${live.url}/disclosures/CITIC/2022Q3`);
    expect(first!.headers()['cache-control']).toBe('no-cache');
    const etag = first!.headers().etag;
    await page.reload();
    expect(await page.textContent('h1')).toContain('中信银行');
    // a conditional request from the page with the ETag it was given: 304
    const status = await page.evaluate(
      async (tag) => (await fetch(location.href, { headers: { 'If-None-Match': tag }, cache: 'no-store' })).status,
      etag,
    );
    expect(status).toBe(304);

    await page.goto(`${live.url}/institutions/CITIC?lang=en`);
    const section = await page.textContent('section[aria-labelledby="h-timeliness"]');
    expect(section).toContain('1 quarters on time, 1 late');
    expect(section).toContain('29 days late');
    await expectBasicAccessibility(page);
    await screenshot(page, 'institution-timeliness-en');
    await context.close();
  });
});
