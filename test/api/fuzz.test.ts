/**
 * Fuzzing the API from its own description: every operation of /openapi.json, called as each kind of
 * caller (anonymous, bank, verifier, operator) with generated path parameters, query parameters,
 * bodies and content types (wrong types, huge and NUL-containing strings, broken percent-encoding,
 * unknown fields, forged cursors). No answer is a 5xx the operation does not document for a state of
 * the service (503 jobs_not_running where no job system runs); every 4xx of the API is a problem+json
 * whose `code` the operation documents (or one the API's door answers for any route: a malformed
 * path, an unknown route, the limits). The suite runs a fixed seed and a bounded count; `npm run fuzz` runs
 * many more with a random seed (FUZZ_RUNS, FUZZ_SEED).
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { HEAP_SLACK_BYTES, settledHeap } from '../support/heap.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261207);

let t: TestApp;
let keys: Record<string, string | null>;
type Op = { method: string; path: string; params: { name: string; in: string }[]; codes: Map<number, Set<string> | null> };
let ops: Op[] = [];

/** codes every API answer may carry whatever the operation (the door's own limits) */
const DOOR = new Set([
  'rate_limited',
  'payload_too_large',
  'unauthorized',
  'invalid_idempotency_key',
  'bad_request',
  'not_found',
  'no_such_route',
  'method_not_allowed',
]);

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
  const bank = await createInstitution(t);
  const verifier = await createInstitution(t, { kind: 'verifier' });
  keys = { anonymous: null, bank: bank.apiKey, verifier: verifier.apiKey, operator: t.operatorKey };
  const spec = (await request(t.app).get('/openapi.json')).body;
  for (const [path, item] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const codes = new Map<number, Set<string> | null>();
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
        const examples = response.content?.['application/problem+json']?.examples;
        codes.set(Number(status), examples ? new Set(Object.keys(examples)) : null);
      }
      ops.push({ method, path, params: [...(item.parameters ?? []), ...(op.parameters ?? [])], codes });
    }
  }
  ops = ops.filter((o) => o.path.startsWith('/api/'));
  baseline = await settledHeap();
}, PROCESS_WAIT_MS);
afterAll(async () => t?.close());
/** the heap after collection once the app is set up, before the fuzzing */
let baseline = 0;

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '%E0%A4%A',
    '%00',
    '%',
    '%zz',
    '..%2F..%2Fetc',
    'a'.repeat(5000),
    '\u0000',
    '-1',
    '0',
    '1e309',
    'null',
    'CITIC',
    '2022Q3',
    'eyJ4IjoxfQ',
  ),
  fc.uuid(),
  fc.integer().map(String),
);
const encode = (s: string) => (/%[0-9A-Fa-f]{0,2}/.test(s) ? s : encodeURIComponent(s));
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom('code', 'loans', 'kind', 'name', 'reason', 'quarter', 'url', 'events', 'unknownField'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty),
  ),
  fc.constant('x'.repeat(70_000)),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/json; charset=latin1',
);

describe('fuzzing every API operation', () => {
  it(
    `when ${RUNS} generated calls are made as each kind of caller, then none answers 5xx and every API problem names a code its operation documents`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 10_000 }),
          fc.constantFrom('anonymous', 'bank', 'verifier', 'operator'),
          fc.array(nasty, { minLength: 6, maxLength: 6 }),
          fc.dictionary(fc.string({ maxLength: 8 }), nasty, { maxKeys: 3 }),
          body,
          contentType,
          async (pick, role, values, extraQuery, payload, type) => {
            const op = ops[pick % ops.length];
            let i = 0;
            const path = op.path.replace(/\{[^}]+\}/g, () => encode(values[i++ % values.length]));
            const query = new URLSearchParams();
            for (const p of op.params.filter((x) => x.in === 'query')) query.set(p.name, values[i++ % values.length]);
            for (const [k, v] of Object.entries(extraQuery)) query.set(k, v);
            let req = request(t.app)[op.method as 'get'](`${path}?${query.toString()}`);
            if (keys[role]) req = req.set(bearer(keys[role]!));
            if (op.method !== 'get' && op.method !== 'delete')
              req = req.set('Content-Type', type).send(typeof payload === 'string' ? payload : JSON.stringify(payload));
            const res = await req;
            const where = `${op.method.toUpperCase()} ${path} as ${role}: ${res.status} ${res.text.slice(0, 300)}`;
            // a 5xx only where the operation documents it (a state of the service, e.g. 503 jobs_not_running), never from input
            if (res.status >= 500) expect([...(op.codes.get(res.status) ?? [])], where).toContain(res.body.code);
            if (res.status >= 400) {
              expect(res.type, where).toBe('application/problem+json');
              const documented = op.codes.get(res.status);
              if (documented && !DOOR.has(res.body.code)) expect([...documented], where).toContain(res.body.code);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    Math.max(PROCESS_WAIT_MS, RUNS * 100),
  );

  it('when the fuzzing is over, then the heap after collection is back within 16 MB of its baseline', async () => {
    const after = await settledHeap();
    expect(after - baseline, `baseline ${(baseline / 2 ** 20).toFixed(1)} MB, after ${(after / 2 ** 20).toFixed(1)} MB`).toBeLessThan(
      HEAP_SLACK_BYTES,
    );
  });
});
