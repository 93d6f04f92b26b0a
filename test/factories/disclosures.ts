/**
 * Helpers for disclosure tests: loans through the API, approved support over them (rows written with
 * Drizzle until the applications API exists), the real job runtime on a random queue prefix, and
 * polling until the database shows what the jobs should have done.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import request from 'supertest';
import { eq, inArray, sql } from 'drizzle-orm';
import { applicationLoans, applications, institutions, loans as loanTable, operations, users } from '../../db/schema/index.js';
import { startJobRuntime, randomPrefix, type JobRuntime } from '../../jobs/runtime.js';
import { createLogger } from '../../platform/logger.js';
import { bearer, type TestApp } from '../support/harness.js';
import { loanRequest, type LoanRequest } from './loans.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Submits a loan through the API; returns its id. */
export async function submitLoan(t: TestApp, bankKey: string, overrides: DeepPartial<LoanRequest>): Promise<string> {
  const res = await request(t.app).post('/api/v1/loans').set(bearer(bankKey)).send(loanRequest(overrides));
  if (res.status !== 201 && res.status !== 200) throw new Error(`submitLoan: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Covers loans by an application in the given status (one operation per quarter, created when missing). */
export async function supportLoans(
  t: TestApp,
  bankId: string,
  loans: { id: string; principalFen: bigint }[],
  status: 'approved' | 'disbursed' | 'submitted' | 'rejected' = 'approved',
  quarter = '2022Q4',
) {
  const db = t.database.db;
  const [operator] = await db
    .select({ id: users.id })
    .from(users)
    .innerJoin(institutions, eq(institutions.id, users.institutionId))
    .where(eq(institutions.kind, 'operator'))
    .limit(1);
  let [operation] = await db.select().from(operations).where(eq(operations.quarter, quarter));
  if (!operation) {
    [operation] = await db
      .insert(operations)
      .values({ quarter, opensOn: '2022-10-01', closesOn: '2022-12-31', volumeFen: 10n ** 15n, createdBy: operator.id })
      .returning();
  }
  const requested = loans.reduce((s, l) => s + (l.principalFen * 6n) / 10n, 0n);
  const [application] = await db
    .insert(applications)
    .values({
      institutionId: bankId,
      operationId: operation.id,
      appliedOn: '2022-10-08',
      status,
      policyVersion: '2021-11-launch',
      requestedFen: requested,
      approvedFen: status === 'approved' || status === 'disbursed' ? requested : null,
    })
    .returning();
  const facts = new Map(
    (
      await db
        .select({
          id: loanTable.id,
          principalFen: loanTable.principalFen,
          maturesOn: loanTable.maturesOn,
          disbursedOn: loanTable.disbursedOn,
          eligibility: loanTable.eligibility,
        })
        .from(loanTable)
        .where(
          inArray(
            loanTable.id,
            loans.map((l) => l.id),
          ),
        )
    ).map((l) => [l.id, l]),
  );
  await db.insert(applicationLoans).values(
    loans.map((l) => ({
      applicationId: application.id,
      loanId: l.id,
      principalFen: l.principalFen,
      requestedSupportFen: (l.principalFen * 6n) / 10n,
      active: status === 'rejected' ? 0 : 1,
      loanPrincipalFen: facts.get(l.id)!.principalFen,
      loanMaturesOn: facts.get(l.id)!.maturesOn,
      loanDisbursedOn: facts.get(l.id)!.disbursedOn,
      loanEligibility: facts.get(l.id)!.eligibility,
    })),
  );
  return application.id;
}

/** The real job runtime, workers inline, on a random prefix, plugged into the app's services. */
export async function startJobs(
  t: TestApp,
  options: {
    redisUrl?: string;
    prefix?: string;
    fetch?: typeof fetch;
    plug?: boolean;
    workerName?: string;
    workers?: 'inline' | 'off';
    retry?: { attempts?: number; backoffMs?: number };
  } = {},
): Promise<JobRuntime> {
  const runtime = await startJobRuntime({
    database: t.database,
    redisUrl: options.redisUrl ?? inject('redisUrl'),
    logger: createLogger('silent'),
    workers: options.workers ?? 'inline',
    now: t.deps.now,
    prefix: options.prefix ?? randomPrefix(),
    relayIntervalMs: 50,
    reconcileIntervalMs: 200,
    reconcileGraceMs: 0,
    catchUp: false,
    fetch: options.fetch,
    workerName: options.workerName,
    retry: options.retry,
  });
  if (options.plug ?? true) t.deps.services.jobs = runtime;
  return runtime;
}

/** Stops the runtime and deletes its queues' keys. */
export async function stopJobs(runtime: JobRuntime) {
  for (const q of Object.values(runtime.queues)) await q.obliterate({ force: true }).catch(() => undefined);
  await runtime.stop();
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = PROCESS_WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const uniqueCode = (prefix: string) => `${prefix}${randomUUID().slice(0, 6).toUpperCase()}`;

/**
 * A fault in the real database: every new disclosure version of `bank` is refused (a trigger raising an
 * exception) until the returned function drops it.
 */
export async function refuseVersionsOf(t: TestApp, bank: { id: string; code: string }): Promise<() => Promise<void>> {
  const fn = `refuse_${bank.code.toLowerCase()}`;
  await t.database.db.execute(
    sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin
       if new.institution_id = '${bank.id}' then raise exception 'versions of ${bank.code} refused for the test'; end if; return new; end $$`),
  );
  await t.database.db.execute(sql.raw(`create trigger ${fn} before insert on disclosure_versions for each row execute function ${fn}()`));
  return async () => {
    await t.database.db.execute(sql.raw(`drop trigger ${fn} on disclosure_versions`));
    await t.database.db.execute(sql.raw(`drop function ${fn}()`));
  };
}
