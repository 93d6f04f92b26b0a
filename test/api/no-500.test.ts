/**
 * Every documented route, called by every kind of caller with malformed path parameters and bodies,
 * answers 2xx/4xx — never 500. The routes come from the OpenAPI registry, so a new route is covered
 * the day it is documented.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeCursor } from '../../schemas/common.js';
import { describedRoutes } from '../../api/openapi.js';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

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
  it(
    'when any documented route gets malformed ids and bodies from any caller, then it never answers 500',
    async () => {
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
    },
    PROCESS_TEST_MS,
  );

  it('when any paged list gets a forged cursor from any caller, then it answers 422 invalid_cursor naming the cursor, never 500', async () => {
    const lists = describedRoutes().filter(
      // lists under a path with parameters are swept by their own tests (a forged cursor there meets a real parent first)
      (r) => r.method === 'get' && !r.path.includes(':') && r.query instanceof z.ZodObject && 'cursor' in (r.query as z.ZodObject).shape,
    );
    expect(lists.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/v1/loans', '/api/v1/disclosures', '/api/v1/webhooks/deliveries', '/api/v1/journal']),
    );
    const forged = [
      'nonsense',
      '%%%',
      encodeCursor([]),
      encodeCursor(['x', 'y']),
      encodeCursor(['x', 'y', 'z']),
      encodeCursor(['2022-08-15', 'not-a-uuid']),
      encodeCursor(['2022-02-30', '00000000-0000-0000-0000-000000000000']),
      encodeCursor(['2022Q9', 'BANK', 1]),
      encodeCursor(['2022Q3', 'BANK', 'one']),
      encodeCursor(['2022Q3', 'BANK', 1e30]),
      encodeCursor(['x'.repeat(300)]),
      encodeCursor([{ a: 1 }, null]),
      encodeCursor([null]),
      encodeCursor([-1]),
      encodeCursor([1.5]),
      encodeCursor(['9'.repeat(40)]),
      encodeCursor(['not a date', '00000000-0000-0000-0000-000000000000']),
      encodeCursor(['2022-08-15T00:00:00.000Z', 'x']),
      encodeCursor(['\u0000', '\u0000']),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('"text"').toString('base64url'),
    ];
    const failures: string[] = [];
    for (const route of lists) {
      for (const cursor of forged) {
        for (const [who, key] of Object.entries(keys)) {
          let call = request(t.app).get(`${route.path}?cursor=${encodeURIComponent(cursor)}`);
          if (key) call = call.set(bearer(key));
          const res = await call;
          const ok =
            [401, 403].includes(res.status) ||
            (res.status === 422 && res.body.code === 'invalid_cursor' && res.body.errors?.[0]?.path === 'cursor');
          if (!ok) failures.push(`GET ${route.path} cursor ${cursor} as ${who} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
