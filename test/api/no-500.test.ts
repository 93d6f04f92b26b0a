/**
 * Every documented route, called by every kind of caller with malformed path parameters and bodies,
 * answers 2xx/4xx — never 500. The routes come from the OpenAPI registry, so a new route is covered
 * the day it is documented.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describedRoutes } from '../../server/openapi.js';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let keys: Record<string, string | null>;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  const bank = await createInstitution(t, { code: 'NO500B' });
  const verifier = await createInstitution(t, { code: 'NO500V', kind: 'verifier' });
  keys = { anonymous: null, operator: t.operatorKey, bank: bank.apiKey, verifier: verifier.apiKey };
});
afterAll(async () => t.close());

const PARAM_VALUES = ['a'.repeat(36), 'x', '00000000-0000-0000-0000-000000000000', '2022Q3', '9'.repeat(30), '%E4%B8%AD'];
const BODIES: unknown[] = [{}, { x: 1 }, [], { quarter: '2099Q9', amount: '-1', reason: '' }, 'null'];

describe('no 500s', () => {
  it('when any documented route gets malformed ids and bodies from any caller, then it never answers 500', async () => {
    const routes = describedRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const route of routes) {
      for (const value of PARAM_VALUES) {
        const path = route.path.replace(/:(\w+)/g, () => value);
        for (const [who, key] of Object.entries(keys)) {
          const bodies = route.method === 'get' ? [undefined] : BODIES;
          for (const body of bodies) {
            let call = request(t.app)[route.method](path);
            if (key) call = call.set(bearer(key));
            const res =
              body === undefined
                ? await call
                : await call.set('content-type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));
            // 503 is a stated condition (e.g. no job system in this process), not a crash
            if (res.status >= 500 && res.status !== 503)
              failures.push(
                `${route.method.toUpperCase()} ${path} as ${who} with ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
              );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
