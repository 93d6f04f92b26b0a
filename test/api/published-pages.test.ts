import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { asBytes } from '../support/bytes.js';

let t: TestApp;
let v1Id: string;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
  await createInstitution(t, { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' });
  const v1 = await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3 });
  v1Id = (v1 as { id: string }).id;
});
afterAll(async () => t.close());

const bytes = (url: string, headers: Record<string, string> = {}) => request(t.app).get(url).set(headers).buffer(true).parse(asBytes);

describe('published pages', () => {
  it('when a version-addressed page is opened, then it is immutable with a strong ETag, 304 on If-None-Match, in both languages', async () => {
    const zh = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1');
    expect(zh.status).toBe(200);
    expect(zh.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(zh.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}(-gzip|-br)?"$/);
    expect(zh.headers['content-security-policy']).toContain("script-src 'self'");
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('合计向4个项目发放碳减排贷款<span class="fig">13773.43万元</span>');
    expect(zh.text).toContain('href="/disclosures/CITIC/2022Q3/v/1.json"');
    const en = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1?lang=en');
    expect(en.text).toContain('<html lang="en">');
    expect(en.headers.etag).not.toBe(zh.headers.etag);
    const again = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1').set('If-None-Match', zh.headers.etag);
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(zh.headers.etag);
    expect(again.text ?? '').toBe('');
  });

  it('when the quarter page is opened, then it revalidates (no-cache) with its ETag and varies by cookie', async () => {
    const page = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers.vary).toContain('Cookie');
    expect(page.text).toContain('href="/disclosures/CITIC/2022Q3?lang=en"');
    expect((await request(t.app).get('/disclosures/CITIC/2022Q3').set('If-None-Match', page.headers.etag)).status).toBe(304);
    const en = await request(t.app).get('/disclosures/CITIC/2022Q3').set('Cookie', 'cerf_lang=en');
    expect(en.text).toContain('<html lang="en">');
  });

  it('when the browser accepts brotli or gzip, then the kept compressed copy decodes to the same bytes', async () => {
    const plain = await bytes('/disclosures/CITIC/2022Q3/v/1', { 'Accept-Encoding': 'identity' });
    const br = await bytes('/disclosures/CITIC/2022Q3/v/1', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    // the client may have decoded it already
    const decoded = (body: Buffer, decode: (b: Buffer) => Buffer) => (body.equals(plain.body as Buffer) ? body : decode(body));
    expect(decoded(br.body as Buffer, brotliDecompressSync).equals(plain.body as Buffer)).toBe(true);
    const gz = await bytes('/disclosures/CITIC/2022Q3/v/1', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(gz.body as Buffer, gunzipSync).equals(plain.body as Buffer)).toBe(true);
    expect(Number(br.headers['content-length'])).toBeLessThan((plain.body as Buffer).length);
  });

  it('when a restatement is published, then it has its own address and the old version keeps its bytes', async () => {
    const before = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1');
    await publishDisclosure(t.database.db, {
      institutionCode: 'CITIC',
      quarter: '2022Q3',
      version: 2,
      restatesVersionId: v1Id,
      horizons: { ...CITIC_2022Q3, quarter: { ...CITIC_2022Q3.quarter, loanAmountWanYuan: '13800.00' } },
    });
    const v2 = await request(t.app).get('/disclosures/CITIC/2022Q3/v/2');
    expect(v2.status).toBe(200);
    expect(v2.text).toContain('13800.00');
    const still = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1');
    expect(still.text).toBe(before.text);
    expect(still.headers.etag).toBe(before.headers.etag);
    expect((await request(t.app).get('/disclosures/CITIC/2022Q3/v/3')).status).toBe(404);
  });

  it('when a signed-in reader or a query asks for the quarter page, then the ordinary page answers (no store)', async () => {
    const res = await request(t.app).get('/disclosures/CITIC/2022Q3?lang=en');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']?.toString()).toContain('cerf_lang=en');
  });
});
