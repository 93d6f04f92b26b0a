/** Operators sign in to the pages with a second factor: TOTP (RFC 6238) enrolment, recovery codes, replays refused. */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../platform/totp.js';
import { createInstitution } from '../factories/institutions.js';
import { browsePage, mergeCookies } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const START = new Date('2026-03-02T02:00:10Z');
beforeAll(async () => {
  t = await createTestApp({ now: START });
});
afterAll(async () => t.close());

async function firstFactor(apiKey: string) {
  const page = await browsePage(t, '/signin');
  const res = await request(t.app)
    .post('/signin/key')
    .set('Cookie', page.cookies.join('; '))
    .type('form')
    .send({ apiKey, _csrf: page.token });
  return { res, cookies: mergeCookies(page.cookies, res.headers['set-cookie']) };
}

async function submitCode(cookies: string[], action: string, code: string) {
  const form = await browsePage(t, '/signin/second-factor', cookies);
  const res = await request(t.app).post(action).set('Cookie', form.cookies.join('; ')).type('form').send({ code, _csrf: form.token });
  return { res, cookies: mergeCookies(form.cookies, res.headers['set-cookie']) };
}

describe('an operator signing in to the pages', () => {
  let secret = '';
  let recoveryCodes: string[] = [];

  it('when an operator passes the first factor, then no operator page opens until the second factor is passed', async () => {
    const { res, cookies } = await firstFactor(t.operatorKey);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/signin/second-factor');
    const operator = await request(t.app).get('/operator').set('Cookie', cookies.join('; '));
    expect(operator.status).toBe(303);
    expect(operator.headers.location).toBe('/signin/second-factor?next=%2Foperator');
  });

  it('when an operator without a factor enrols, then a wrong code is refused and the right one shows recovery codes once', async () => {
    const { cookies } = await firstFactor(t.operatorKey);
    const page = await browsePage(t, '/signin/second-factor?lang=en', cookies);
    secret = /id="totp-secret">([A-Z2-7]+)</.exec(page.res.text)![1];
    expect(page.res.text).toContain('otpauth://totp/');
    const wrong = await submitCode(
      page.cookies,
      '/signin/second-factor/enrol',
      String((Number(totpCode(secret, START)) + 1) % 1_000_000).padStart(6, '0'),
    );
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.text).toContain('totp_invalid');
    const right = await submitCode(page.cookies, '/signin/second-factor/enrol', totpCode(secret, START));
    expect(right.res.status).toBe(200);
    recoveryCodes = [...right.res.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(10);
    expect((await request(t.app).get('/operator').set('Cookie', right.cookies.join('; '))).status).toBe(200);
    // stored hashed: no code appears in the table
    const stored = await t.database.db.execute(sql`select sha256 from recovery_codes`);
    const text = JSON.stringify(stored);
    for (const code of recoveryCodes) expect(text).not.toContain(code.replaceAll('-', ''));
  });

  it('when the same code is entered again at a later sign-in, then it is refused as totp_replayed; the next code signs in', async () => {
    const { cookies } = await firstFactor(t.operatorKey);
    const replay = await submitCode(cookies, '/signin/second-factor', totpCode(secret, START));
    expect(replay.res.status).toBe(401);
    expect(replay.res.text).toContain('totp_replayed');
    expect((await request(t.app).get('/operator').set('Cookie', replay.cookies.join('; '))).status).toBe(303);
    t.setNow(new Date(START.getTime() + 30_000));
    const next = await submitCode(cookies, '/signin/second-factor', totpCode(secret, new Date(START.getTime() + 30_000)));
    expect(next.res.status).toBe(303);
    expect(next.res.headers.location).toBe('/operator');
    expect((await request(t.app).get('/operator').set('Cookie', next.cookies.join('; '))).status).toBe(200);
    t.setNow(START);
  });

  it('when a recovery code is used, then it signs in once and is refused the second time', async () => {
    const first = await firstFactor(t.operatorKey);
    const used = await submitCode(first.cookies, '/signin/second-factor', recoveryCodes[0].toUpperCase());
    expect(used.res.status).toBe(303);
    const second = await firstFactor(t.operatorKey);
    const again = await submitCode(second.cookies, '/signin/second-factor', recoveryCodes[0]);
    expect(again.res.status).toBe(401);
    expect(again.res.text).toContain('totp_invalid');
  });

  it('when the API key a session was opened with is revoked, then the session opens no page', async () => {
    const bank = await createInstitution(t, { kind: 'verifier' });
    const { cookies } = await firstFactor(bank.apiKey);
    expect((await request(t.app).get('/verify').set('Cookie', cookies.join('; '))).status).toBe(200);
    const keyId = (await request(t.app).get('/api/v1/me').set(bearer(bank.apiKey))).body.key.id;
    expect((await request(t.app).post(`/api/v1/keys/${keyId}/revoke`).set(bearer(bank.apiKey))).status).toBe(200);
    expect((await request(t.app).get('/verify').set('Cookie', cookies.join('; '))).status).toBe(303);
  });
});
