/**
 * Drill: PostgreSQL restarts (`pg_ctl restart -m fast`) while two clients post loan batches, each with
 * its own Idempotency-Key and retrying the same key while the service answers 503: the restart comes
 * after both clients have written, and the load ends once both have written again after it (counted in
 * writes, not in time, so a busy machine only makes the drill longer). The service process
 * survives; every answer is a 2xx, a 503 with Retry-After, or (for a retry) a 409 naming the key's state;
 * afterwards every 2xx's loans exist once, a repeat of every answered key replays it, and no key is left
 * "in progress".
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPostgresServer, type EmbeddedPostgres } from '../../devtools/postgres-server.js';
import { waitFor } from '../../process/embedded/process-tools.js';
import { loanRequest } from '../factories/loans.js';
import { call, createBankThrough, startServiceProcess, type Answer, type ServiceProcess } from '../support/processes.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'pg-restart-operator-key-0123456789abcdef';
const skip = process.env.TEST_DRIVER === 'pglite';
let server: EmbeddedPostgres;
let service: ServiceProcess | null = null;

beforeAll(async () => {
  if (skip) return;
  server = await startPostgresServer();
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query('create database cerf');
  await admin.end();
});
afterAll(async () => {
  await service?.stop(5_000);
  await server?.stop();
});

type Sent = { key: string; refs: string[]; body: unknown; answers: Answer[] };

/** Posts batches of 5 loans, one Idempotency-Key each, retrying the same key on 503 or 409 in_use, until `until()`; `written` hears of each 200. */
async function client(name: string, url: string, bankKey: string, until: () => boolean, written: () => void): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let n = 0; !until(); n++) {
    const loans = Array.from({ length: 5 }, (_, i) =>
      loanRequest({ loanRef: `${name}-${n}-${i}`, project: { ref: `${name}-P${n}-${i}` } }),
    );
    const request: Sent = { key: `${name}-${n}`, refs: loans.map((l) => l.loanRef), body: { loans }, answers: [] };
    sent.push(request);
    for (let attempt = 0; attempt < 200; attempt++) {
      const answer = await call(url, 'POST', '/api/v1/loans/batch', { key: bankKey, body: request.body, idempotencyKey: request.key });
      request.answers.push(answer);
      if (answer.status === 200) written();
      const retry = answer.status === 503 || (answer.status === 409 && answer.body?.code === 'idempotency_key_in_use');
      if (!retry) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return sent;
}

describe('a PostgreSQL restart under write load', () => {
  it.skipIf(skip)(
    'when PostgreSQL restarts while two clients post loans, then the process survives, answers 2xx or 503, and no write is lost, doubled or left in progress',
    async () => {
      service = await startServiceProcess({
        DATABASE_URL: server.url('cerf'),
        REDIS_URL: inject('redisUrl'),
        CERF_QUEUE_PREFIX: `pgr${process.pid}`,
        CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
      });
      const bank = await createBankThrough(service.url, OPERATOR_KEY);

      let stopped = false;
      const writes = { A: 0, B: 0 };
      const clients = (['A', 'B'] as const).map((name) =>
        client(
          name,
          service!.url,
          bank.apiKey,
          () => stopped,
          () => (writes[name] += 1),
        ),
      );
      const bothWrote = (a: number, b: number) => async () => writes.A >= a && writes.B >= b;
      await waitFor(bothWrote(2, 2), 'both clients to write', PROCESS_WAIT_MS);
      await server.restart('fast');
      // the load goes on after PostgreSQL is back, until both clients have written twice more
      await waitFor(async () => (await call(service!.url, 'GET', '/readyz')).status === 200, 'ready again', PROCESS_WAIT_MS);
      await waitFor(bothWrote(writes.A + 2, writes.B + 2), 'both clients to write after the restart', PROCESS_WAIT_MS);
      stopped = true;
      const sent = (await Promise.all(clients)).flat();

      expect(service.exited()).toBeNull();
      const answers = sent.flatMap((s) => s.answers);
      const statuses = new Map<number, number>();
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      // the drill must have hit the outage (the writes before and after it were waited for above)
      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      for (const a of answers) {
        if (a.status === 503) {
          expect(a.headers.get('retry-after')).toMatch(/^\d+$/);
          expect(a.headers.get('content-type')).toContain('application/problem+json');
          expect(a.body.code).toBe('database_unavailable');
        } else if (a.status === 409) {
          expect(['idempotency_key_in_use', 'idempotency_key_committed']).toContain(a.body.code);
        } else {
          expect(a.status, a.text).toBe(200);
        }
      }

      const db = new pg.Client({ connectionString: server.url('cerf') });
      await db.connect();
      try {
        // every request ends answered: the write with its loans, or the key settled as committed
        for (const s of sent) {
          const last = s.answers[s.answers.length - 1];
          expect([200, 409]).toContain(last.status);
          if (last.status === 409) expect(last.body.code).toBe('idempotency_key_committed');
        }
        const stored = await db.query<{ loan_ref: string; n: string }>(
          `select loan_ref, count(*) as n from loans where loan_ref = any($1) group by loan_ref`,
          [sent.flatMap((s) => s.refs)],
        );
        const counts = new Map(stored.rows.map((r) => [r.loan_ref, Number(r.n)]));
        for (const s of sent) {
          for (const ref of s.refs) expect(counts.get(ref), ref).toBe(1);
        }
        // no key stays "in progress": the claims the outage interrupted are settled once the database is back
        await waitFor(
          async () => Number((await db.query(`select count(*) from idempotency_keys where response_status = 0`)).rows[0].count) === 0,
          'every key settled',
          PROCESS_WAIT_MS,
        );
        // a repeat of every answered key replays its first answer and writes nothing
        const before = Number((await db.query('select count(*) from loans')).rows[0].count);
        for (const s of sent) {
          const first = s.answers[s.answers.length - 1];
          const repeat = await call(service.url, 'POST', '/api/v1/loans/batch', { key: bank.apiKey, body: s.body, idempotencyKey: s.key });
          expect(repeat.headers.get('idempotent-replayed'), s.key).toBe('true');
          expect(repeat.status).toBe(first.status);
          if (first.status === 200) expect(repeat.body).toEqual(first.body);
        }
        expect(Number((await db.query('select count(*) from loans')).rows[0].count)).toBe(before);
      } finally {
        await db.end();
      }
    },
    PROCESS_TEST_MS,
  );
});
