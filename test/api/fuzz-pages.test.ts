/**
 * Fuzzing the pages: every page a reader can reach by following links (anonymous, bank, verifier,
 * operator; the signed-in ones with their session), then each of those addresses with one path segment
 * replaced by a generated value (broken percent-encoding, NUL, over-long, unknown names and ids) and
 * generated query strings, read and posted without the form's token. No answer is a 5xx (but the queue board's 503 where no job
 * system runs, a state of the service): a page the
 * address cannot name answers 400 or 404, a post without its token 403. The suite runs a fixed seed
 * and a bounded count; `FUZZ_RUNS` and `FUZZ_SEED=random` run more.
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { signInToPages } from '../factories/sessions.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { HEAP_SLACK_BYTES, settledHeap } from '../support/heap.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261207);
const CRAWL_LIMIT = 60;

/** A 5xx only for a state of the service: the queue board answers 503 where no job system runs (as in this test). */
const fine = (path: string, status: number) => status < 500 || (status === 503 && path.startsWith('/operator/queues'));

type Role = 'anonymous' | 'bank' | 'verifier' | 'operator';
let t: TestApp;
const cookies: Record<Role, string> = { anonymous: '', bank: '', verifier: '', operator: '' };
const reached: { role: Role; path: string }[] = [];

/** The same-origin links of a page, without their query and fragment. */
const linksOf = (html: string) =>
  [...html.matchAll(/href="(\/[^"#?]*)/g)]
    .map((m) => m[1])
    .filter((p) => !p.startsWith('/static/') && !p.endsWith('.csv') && !p.endsWith('.xlsx'));

async function crawl(role: Role, starts: string[]) {
  const seen = new Set<string>();
  const queue = [...starts];
  while (queue.length && seen.size < CRAWL_LIMIT) {
    const path = queue.shift()!;
    if (seen.has(path) || path === '/signout') continue;
    seen.add(path);
    const res = await request(t.app).get(path).set('Cookie', cookies[role]);
    expect(fine(path, res.status), `${role} GET ${path}: ${res.status}`).toBe(true);
    if (res.type === 'text/html') queue.push(...linksOf(res.text));
  }
  for (const path of seen) reached.push({ role, path });
}

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
  const bank = await createInstitution(t);
  const verifier = await createInstitution(t, { kind: 'verifier' });
  cookies.bank = (await signInToPages(t, bank.apiKey)).join('; ');
  cookies.verifier = (await signInToPages(t, verifier.apiKey)).join('; ');
  cookies.operator = (await signInToPages(t, t.operatorKey)).join('; ');
  await crawl('anonymous', ['/', '/disclosures', '/statistics', '/problems', '/docs', '/signin', `/institutions/${bank.code}`]);
  await crawl('bank', ['/bank']);
  await crawl('verifier', ['/verify']);
  await crawl('operator', ['/operator']);
  baseline = await settledHeap();
}, PROCESS_WAIT_MS);
afterAll(async () => t?.close());
/** the heap after collection once the app is set up, before the fuzzing */
let baseline = 0;

const segment = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('%E0%A4%A', '%00', '%', '%zz', '%C0%AF', '..%2F..%2Fetc', 'a'.repeat(5000), '-1', '0', '1e309', 'null', '2022Q5', 'ZZZZ'),
  fc.uuid(),
  fc.integer().map(String),
);
const query = fc.dictionary(
  fc.constantFrom('lang', 'page', 'quarter', 'show', 'on', 'institution', 'status', 'eligibility', 'q', 'cursor', 'x'),
  segment,
  { maxKeys: 3 },
);

describe('fuzzing every page a reader reaches', () => {
  it('when the pages are crawled as each kind of reader, then some were reached in each role', () => {
    for (const role of ['anonymous', 'bank', 'verifier', 'operator'] as Role[])
      expect(reached.filter((r) => r.role === role).length, role).toBeGreaterThan(1);
  });

  it(
    `when ${RUNS} reached addresses are read and posted with a generated segment and query, then none answers 5xx`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 100_000 }), fc.nat({ max: 20 }), segment, query, fc.boolean(), async (pick, at, value, q, post) => {
          const { role, path } = reached[pick % reached.length];
          const parts = path.split('/');
          if (parts.length > 1) parts[1 + (at % (parts.length - 1))] = value;
          const qs = Object.entries(q)
            .map(([k, v]) => `${k}=${v}`)
            .join('&');
          const address = `${parts.join('/')}${qs ? `?${qs}` : ''}`;
          const res = post
            ? await request(t.app).post(address).set('Cookie', cookies[role]).type('form').send({ reason: value, code: value })
            : await request(t.app).get(address).set('Cookie', cookies[role]);
          expect(
            fine(address, res.status),
            `${role} ${post ? 'POST' : 'GET'} ${address.slice(0, 200)}: ${res.status} ${res.text.slice(0, 200)}`,
          ).toBe(true);
        }),
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
