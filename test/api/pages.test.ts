import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';

let t: TestApp;
let verifierKey: string;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
  await createInstitution(t, { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' });
  await createInstitution(t, { code: 'DRAFTY', nameZh: '草稿银行', nameEn: 'Drafty Bank' });
  verifierKey = (await createInstitution(t, { code: 'VERI', kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier Co' })).apiKey;
  await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3, verifierCode: 'VERI' });
  await publishDisclosure(t.database.db, { institutionCode: 'DRAFTY', quarter: '2022Q3', horizons: CITIC_2022Q3, status: 'compiled' });
});
afterAll(async () => t.close());

/** Cookie jar + CSRF token scraped from a page, as a browser would hold them. */
async function browse(path: string, cookies: string[] = []) {
  const res = await request(t.app).get(path).set('Cookie', cookies.join('; '));
  const set = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const jar = new Map(cookies.map((c) => [c.split('=')[0], c]));
  for (const c of set) jar.set(c.split('=')[0], c.split(';')[0]);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { res, cookies: [...jar.values()], token };
}

describe('public pages', () => {
  it('when the home page is opened, then it is Chinese, carries a strict CSP and shows the published totals', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="zh-CN">');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.text).toContain('13773.43');
    expect(res.text.match(/<h1[ >]/g)).toHaveLength(1);
  });

  it('when ?lang=en is given, then the same page answers in English and the choice is remembered in a cookie', async () => {
    const first = await browse('/disclosures/CITIC/2022Q3?lang=en');
    expect(first.res.text).toContain('<html lang="en">');
    expect(first.res.text).toContain('China CITIC Bank');
    expect(first.cookies.some((c) => c.startsWith('cerf_lang=en'))).toBe(true);
    const again = await browse('/disclosures', first.cookies);
    expect(again.res.text).toContain('<html lang="en">');
    // the switch link keeps the page
    expect(first.res.text).toContain('href="/disclosures/CITIC/2022Q3?lang=zh"');
  });

  it('when a disclosure page is rendered, then the statement follows the real template with the published figures', async () => {
    const res = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(res.text).toContain('中信银行碳减排贷款信息披露（2022年第三季度）');
    // each figure with its unit is kept on one line (never "13773 / .43万元" on a phone)
    expect(res.text).toContain('<span class="fig">13773.43万元</span>');
    expect(res.text.replace(/<\/?span[^>]*>/g, '')).toContain(
      '合计向4个项目发放碳减排贷款13773.43万元，贷款加权平均利率4.29%，带动的年度碳减排量为19457.55吨二氧化碳当量',
    );
    expect(res.text).toContain('以下信息不存在虚假记载、重大遗漏或误导性陈述');
    expect(res.text).toContain('核验所');
  });

  it('when a disclosure is not published, then neither its page, the index nor downloads show it', async () => {
    expect((await request(t.app).get('/disclosures/DRAFTY/2022Q3')).status).toBe(404);
    const index = await request(t.app).get('/disclosures.json');
    expect(index.body.items.map((i: { institution: { code: string } }) => i.institution.code)).toEqual(['CITIC']);
    expect((await request(t.app).get('/disclosures?q=草稿')).text).not.toContain('DRAFTY/2022Q3');
  });

  it('when the CSV of a disclosure is downloaded, then it has one row per scope and horizon with the published figures', async () => {
    const res = await request(t.app).get('/disclosures/CITIC/2022Q3.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    // the printed figures, then the exact figures and the reduction's method shares beside them (empty for a version without them)
    expect(lines[0]).toBe(
      'institutionCode,quarter,version,scope,horizon,projects,loanAmountWanYuan,weightedAverageRatePercent,annualReductionTonnes,' +
        'exact.loanAmountWanYuan,exact.weightedAverageRatePercent,exact.annualReductionTonnes,' +
        'reductionMethods.feasibility_study,reductionMethods.environmental_impact_assessment,reductionMethods.third_party_assessment',
    );
    expect(lines).toContain('CITIC,2022Q3,1,total,quarter,4,13773.43,4.29,19457.55,,,,,,');
    expect(lines).toContain('CITIC,2022Q3,1,total,sinceInception,11,79967.43,4.40,235229.33,,,,,,');
  });
});

describe('sessions, CSRF and roles', () => {
  it('when a form is posted without its CSRF token, then it is refused with 403 and nobody is signed in', async () => {
    const page = await browse('/signin');
    const res = await request(t.app).post('/signin/key').set('Cookie', page.cookies.join('; ')).type('form').send({ apiKey: verifierKey });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringContaining('cerf_sid=')]));
  });

  it('when a verifier signs in with its API key, then the session cookie is httpOnly and SameSite=Lax and opens /verify but not /operator', async () => {
    const page = await browse('/signin');
    const res = await request(t.app)
      .post('/signin/key')
      .set('Cookie', page.cookies.join('; '))
      .type('form')
      .send({ apiKey: verifierKey, _csrf: page.token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/verify');
    const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cerf_sid='))!;
    expect(sid).toMatch(/HttpOnly/i);
    expect(sid).toMatch(/SameSite=Lax/i);
    const cookies = [...page.cookies, sid.split(';')[0]];
    expect((await browse('/verify', cookies)).res.status).toBe(200);
    expect((await browse('/operator', cookies)).res.status).toBe(403);
  });

  it('when nobody is signed in, then role pages redirect to sign-in', async () => {
    const res = await request(t.app).get('/operator');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/signin?next=%2Foperator');
  });

  it('when an operator signs in with a password set through the API, then it goes on to the second factor', async () => {
    await createUser(t, 'PBOC', 'checker', { password: 'correct horse battery' });
    const page = await browse('/signin');
    const res = await request(t.app)
      .post('/signin/password')
      .set('Cookie', page.cookies.join('; '))
      .type('form')
      .send({ institution: 'PBOC', user: 'checker', password: 'correct horse battery', _csrf: page.token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/signin/second-factor');
  });

  it('when the same user name fails sign-in five times, then the sixth attempt is refused with 429 even with the right password', async () => {
    await createUser(t, 'PBOC', 'target', { password: 'the real password!' });
    const page = await browse('/signin');
    const attempt = (password: string) =>
      request(t.app)
        .post('/signin/password')
        .set('Cookie', page.cookies.join('; '))
        .type('form')
        .send({ institution: 'PBOC', user: 'target', password, _csrf: page.token });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong guess')).status).toBe(401);
    expect((await attempt('the real password!')).status).toBe(429);
  });

  it('when the API is called, then it keeps answering problem+json, not pages', async () => {
    const res = await request(t.app).get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
  });
});
