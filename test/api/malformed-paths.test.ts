/**
 * An address a client mangled — malformed percent-encoding, NUL, an over-long segment — answers 400 or
 * 404 on every page route and API route, as every kind of visitor, never a 500 (and is not logged as a
 * fault of ours).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { signInToPages } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

/** Each page route with a parameter, the parameter written `{}`; a signed-in section names its role. */
const PAGE_ROUTES = [
  '/disclosures/{}/2026Q1',
  '/disclosures/{}/2026Q1.json',
  '/disclosures/{}/2026Q1.csv',
  '/disclosures/HX01/{}',
  '/disclosures/HX01/{}.json',
  '/institutions/{}',
  '/institutions/{}.csv',
  '/totals.{}',
  '/evidence/{}',
  '/bank/uploads/{}',
  '/bank/uploads/{}/errors.csv',
  '/bank/uploads/{}/status.json',
  '/verify/{}',
  '/operator/reconciliation/{}',
  '/operator/shared-projects/{}',
  '/operator/approvals/{}',
];
const SECTIONS = [
  ['/bank/', 'bank'],
  ['/verify/', 'verifier'],
  ['/operator/', 'operator'],
  ['/evidence/', 'signed-in'],
] as const;
const API_ROUTES = ['/api/v1/loans/{}', '/api/v1/disclosures/{}/2026Q1', '/api/v1/institutions/{}', '/api/v1/uploads/{}'];

/** Segments no address should carry: broken percent-encoding, NUL, an over-long segment, a lone surrogate. */
const MALFORMED = ['%E0%A4%A', '%', '%zz', '%00', 'a%00b', 'x'.repeat(4096), '%ED%A0%80', '%C0%AF'];

let t: TestApp;
const visitors: { name: string; role: string | null; cookies: string[]; key: string | null }[] = [];
beforeAll(async () => {
  t = await createTestApp();
  const bank = await createInstitution(t);
  const verifier = await createInstitution(t, { kind: 'verifier' });
  visitors.push(
    { name: 'the public', role: null, cookies: [], key: null },
    { name: 'a bank', role: 'bank', cookies: await signInToPages(t, bank.apiKey), key: bank.apiKey },
    { name: 'a verifier', role: 'verifier', cookies: await signInToPages(t, verifier.apiKey), key: verifier.apiKey },
    { name: 'an operator', role: 'operator', cookies: await signInToPages(t, t.operatorKey), key: t.operatorKey },
  );
});
afterAll(async () => t?.close());

describe('malformed addresses', () => {
  it('when any visitor asks a page route with a malformed segment, then the answer is a 400 or 404 (a sign-in or 403 outside its section), never a 5xx', async () => {
    const failures: string[] = [];
    for (const visitor of visitors) {
      for (const route of PAGE_ROUTES) {
        const section = SECTIONS.find(([prefix]) => route.startsWith(prefix))?.[1];
        const own = !section || section === visitor.role || (section === 'signed-in' && visitor.role !== null);
        const allowed = own ? [400, 404] : [303, 400, 403, 404];
        for (const segment of MALFORMED) {
          const path = route.replace('{}', segment);
          const res = await request(t.app).get(path).set('Cookie', visitor.cookies.join('; '));
          const type = String(res.headers['content-type']);
          if (!allowed.includes(res.status) || (res.status !== 303 && !/text\/html|application\/json/.test(type)))
            failures.push(`${visitor.name} ${path.slice(0, 80)} → ${res.status} ${type}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('when any caller asks an API route with a malformed segment, then the answer is a 4xx problem, never a 5xx', async () => {
    const failures: string[] = [];
    for (const visitor of visitors) {
      for (const route of API_ROUTES) {
        for (const segment of MALFORMED) {
          const path = route.replace('{}', segment);
          const res = await request(t.app)
            .get(path)
            .set(visitor.key ? bearer(visitor.key) : {});
          if (res.status < 400 || res.status >= 500 || !/application\/problem\+json/.test(String(res.headers['content-type'])))
            failures.push(`${visitor.name} ${path.slice(0, 80)} → ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('when a page address cannot be decoded, then its page says so in both languages', async () => {
    const res = await request(t.app).get('/disclosures/HX01/%E0%A4%A.json');
    expect(res.status).toBe(400);
    expect(res.text).toContain('地址无效');
    const en = await request(t.app).get('/disclosures/HX01/%E0%A4%A?lang=en');
    expect(en.status).toBe(400);
    expect(en.text).toContain('Invalid address');
  });
});
