/** While the database cannot be reached, pages answer an HTML 503 (not the API's JSON 500) and published pages already read are still served. */
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PublishedCache } from '../../web/pages/published-cache.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';

describe('the published cache', () => {
  it('when a read fails after the entry expired, then the last value read is served; with none, the failure stands', async () => {
    let now = 0;
    const cache = new PublishedCache<string>(5_000, 100, () => now);
    expect(await cache.get('a', async () => 'v1')).toBe('v1');
    now = 10_000;
    expect(await cache.get('a', async () => Promise.reject(new Error('connection refused')))).toBe('v1');
    now = 20_000;
    expect(await cache.get('a', async () => 'v2')).toBe('v2');
    await expect(cache.get('b', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });
});

describe.skipIf(process.env.TEST_DRIVER === 'pglite')('pages while the database is down', () => {
  let t: TestApp;
  let admin: pg.Client;
  beforeAll(async () => {
    t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
    await createInstitution(t, { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' });
    await createInstitution(t, { code: 'VERI', kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier Co' });
    await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3, verifierCode: 'VERI' });
    admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`alter database ${(t.database as unknown as { name: string }).name} allow_connections true`);
    await admin.end();
    await t.close();
  });

  it('when the database goes away, then a page answers an HTML 503 with Retry-After and a published page already read still answers', async () => {
    const first = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(first.status).toBe(200);
    const name = (t.database as unknown as { name: string }).name;
    await admin.query(`alter database ${name} allow_connections false`);
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
    const home = await request(t.app).get('/?lang=en');
    expect(home.status).toBe(503);
    expect(home.type).toBe('text/html');
    expect(home.headers['retry-after']).toBeDefined();
    expect(home.text).toMatch(/temporarily unavailable/i);
    const published = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(published.status).toBe(200);
    expect(published.text).toContain('13773.43');
  });
});
