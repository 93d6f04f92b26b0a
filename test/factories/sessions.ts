import request from 'supertest';
import { totpCode } from '../../platform/totp.js';
import type { TestApp } from '../support/harness.js';

/** What a factory remembers of each operator's second factor: its secret and unused recovery codes. */
const factors = new Map<string, { secret: string; recoveryCodes: string[] }>();

/** Cookie jar + CSRF token scraped from a page, as a browser would hold them. */
export async function browsePage(t: TestApp, path: string, cookies: string[] = []) {
  const res = await request(t.app).get(path).set('Cookie', cookies.join('; '));
  const jar = mergeCookies(cookies, res.headers['set-cookie']);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { res, cookies: jar, token };
}

export function mergeCookies(cookies: string[], set: unknown): string[] {
  const jar = new Map(cookies.map((c) => [c.split('=')[0], c]));
  for (const c of (set as string[] | undefined) ?? []) jar.set(c.split('=')[0], c.split(';')[0]);
  return [...jar.values()];
}

/**
 * Signs in to the pages with an API key and returns the cookies of the session. An operator passes the
 * second factor: enrolled at its first sign-in (code from the secret the page shows, at the app's clock),
 * a recovery code at later ones (the test clock may stand still, and a code is accepted once).
 */
export async function signInToPages(t: TestApp, apiKey: string): Promise<string[]> {
  const page = await browsePage(t, '/signin');
  const res = await request(t.app)
    .post('/signin/key')
    .set('Cookie', page.cookies.join('; '))
    .type('form')
    .send({ apiKey, _csrf: page.token });
  if (res.status !== 303) throw new Error(`signInToPages: ${res.status}`);
  let cookies = mergeCookies(page.cookies, res.headers['set-cookie']);
  if (!String(res.headers.location).startsWith('/signin/second-factor')) return cookies;
  const second = await browsePage(t, '/signin/second-factor', cookies);
  cookies = second.cookies;
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(second.res.text)?.[1];
  const known = factors.get(apiKey);
  if (secret) {
    const enrol = await request(t.app)
      .post('/signin/second-factor/enrol')
      .set('Cookie', cookies.join('; '))
      .type('form')
      .send({ code: totpCode(secret, t.deps.now()), _csrf: second.token });
    if (enrol.status !== 200) throw new Error(`signInToPages: enrolment ${enrol.status}`);
    const recoveryCodes = [...enrol.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    factors.set(apiKey, { secret, recoveryCodes });
    return mergeCookies(cookies, enrol.headers['set-cookie']);
  }
  if (!known) throw new Error('signInToPages: the operator enrolled its second factor outside this factory');
  const code = known.recoveryCodes.shift();
  const verified = await request(t.app)
    .post('/signin/second-factor')
    .set('Cookie', cookies.join('; '))
    .type('form')
    .send({ code, _csrf: second.token });
  if (verified.status !== 303) throw new Error(`signInToPages: second factor ${verified.status}`);
  return mergeCookies(cookies, verified.headers['set-cookie']);
}
