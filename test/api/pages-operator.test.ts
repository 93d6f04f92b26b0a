import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let cookies: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  await createInstitution(t, { code: 'UPDB', nameZh: '旧名银行', nameEn: 'Old Name Bank' });
  const page = await browse('/signin');
  const res = await request(t.app)
    .post('/signin/key')
    .set('Cookie', page.cookies.join('; '))
    .type('form')
    .send({ apiKey: t.operatorKey, _csrf: page.token });
  const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cerf_sid='))!;
  cookies = [...page.cookies, sid.split(';')[0]];
});
afterAll(async () => t.close());

async function browse(path: string, jar: string[] = cookies) {
  const res = await request(t.app).get(path).set('Cookie', jar.join('; '));
  const set = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const all = new Map(jar.map((c) => [c.split('=')[0], c]));
  for (const c of set) all.set(c.split('=')[0], c.split(';')[0]);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { res, cookies: [...all.values()], token };
}
async function submit(from: string, action: string, form: Record<string, string>) {
  const page = await browse(from);
  return request(t.app)
    .post(action)
    .set('Cookie', page.cookies.join('; '))
    .type('form')
    .send({ ...form, _csrf: page.token });
}

describe('operator workflow pages', () => {
  it('when an institution is changed in the page, then the same use case as PATCH changes it; nothing filled in is an incomplete form', async () => {
    const done = await submit('/operator/institutions', '/operator/institutions/update', { code: 'UPDB', nameZh: '新名银行' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toMatch(/^\/operator\/institutions\?done=/);
    const api = await request(t.app).get('/api/v1/institutions/UPDB').set(bearer(t.operatorKey)).expect(200);
    expect(api.body).toMatchObject({ nameZh: '新名银行', nameEn: 'Old Name Bank' });
    const empty = await submit('/operator/institutions', '/operator/institutions/update', { code: 'UPDB' });
    expect(empty.headers.location).toBe('/operator/institutions?error=invalid_input');
    const unknown = await submit('/operator/institutions', '/operator/institutions/update', { code: 'NOPE', nameEn: 'x' });
    expect(unknown.headers.location).toContain('error=not_found');
    const shown = await browse(unknown.headers.location);
    expect(shown.res.text).toContain('role="alert"');
  });

  it('when an operation is opened twice or with a bad volume, then the page names the rule and the field', async () => {
    const opened = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1000000.00' });
    expect(opened.headers.location).toMatch(/done=2023Q2/);
    const twice = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1000000.00' });
    expect(twice.headers.location).toContain('error=operation_exists');
    const bad = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1.234' });
    expect(bad.headers.location).toBe('/operator/operations?error=invalid_input');
    const page = await browse('/operator/operations?lang=en');
    expect(page.res.text).toContain('id="op-2023Q2"');
    expect(page.res.text).toContain('1000000.00');
  });

  it('when a bank signs in, then the operator workflow pages are forbidden to it', async () => {
    const bank = await createInstitution(t, { code: 'NOOP' });
    const signin = await browse('/signin', []);
    const res = await request(t.app)
      .post('/signin/key')
      .set('Cookie', signin.cookies.join('; '))
      .type('form')
      .send({ apiKey: bank.apiKey, _csrf: signin.token });
    const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cerf_sid='))!;
    const jar = [...signin.cookies, sid.split(';')[0]];
    for (const path of ['/operator/operations', '/operator/disclosures', '/operator/institutions'])
      expect((await browse(path, jar)).res.status).toBe(403);
  });
});
