/**
 * Property (corrections reach every figure they change), through the API with the clock moved across
 * two years: for any sequence of loans, applications, approvals (at once or late), rejections of an
 * approval, repayments, amendments of a project's reduction and compilations of ended quarters, once
 * the jobs are done every bank-quarter's latest version equals a fresh compile from the records:
 *  - the same figures, every horizon and every area, as `computeContent` over the records now;
 *  - the since-inception loans and amount the test's own model gives: the loans disbursed on or
 *    before the quarter's end whose support is approved and not withdrawn, Σ principal rounded half up
 *    once to 0.01 万元.
 * A quarter compiled while the bank had nothing to count has no version only when the records still
 * give it nothing to count.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeContent, formatOn } from '../../app/disclosures/compile-version.js';
import type { Tx } from '../../db/client.js';
import { addDays } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, uniqueCode } from '../factories/disclosures.js';
import { loanRequest, type LoanRequest } from '../factories/loans.js';
import { get, openOperation, post } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

let t: TestApp;
let jobs: JobRuntime;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-01-03T04:00:00Z' });
  jobs = await startJobs(t);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

const YEARS = [2022, 2023];
const QUARTERS = YEARS.flatMap((y) => [1, 2, 3, 4].map((q) => `${y}Q${q}`));
const START = (i: number) => quarterPeriod(QUARTERS[i]).start;
const END = (i: number) => quarterPeriod(QUARTERS[i]).end;

type Event =
  | { kind: 'loan'; q: number; day: number; principalFen: bigint; project: number }
  | { kind: 'apply'; q: number; day: number; mask: number; late: boolean }
  | { kind: 'decide'; q: number; day: number }
  | { kind: 'reject'; q: number; day: number; which: number }
  | { kind: 'repay'; q: number; day: number; which: number }
  | { kind: 'amend'; q: number; day: number; which: number; reductionCt: bigint }
  | { kind: 'compile'; q: number; day: number; which: number };

const when = { q: fc.integer({ min: 0, max: 7 }), day: fc.integer({ min: 0, max: 89 }) };
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('loan' as const),
      ...when,
      principalFen: fc.bigInt({ min: 100_000n, max: 500_000_000n }),
      project: fc.integer({ min: 0, max: 2 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('apply' as const), ...when, mask: fc.integer({ min: 1, max: 255 }), late: fc.boolean() }),
    weight: 3,
  },
  fc.record({ kind: fc.constant('decide' as const), ...when }),
  fc.record({ kind: fc.constant('reject' as const), ...when, which: fc.nat() }),
  fc.record({ kind: fc.constant('repay' as const), ...when, which: fc.nat() }),
  fc.record({ kind: fc.constant('amend' as const), ...when, which: fc.nat(), reductionCt: fc.bigInt({ min: 1n, max: 30_000_000n }) }),
  { arbitrary: fc.record({ kind: fc.constant('compile' as const), ...when, which: fc.nat() }), weight: 3 },
);

const scaled2 = (units: bigint) => `${units / 100n}.${(units % 100n).toString().padStart(2, '0')}`;
const halfUp = (num: bigint, den: bigint) => (2n * num + den) / (2n * den);

const dateOf = (q: number, day: number) => {
  const d = addDays(START(q), day);
  const date = d > END(q) ? END(q) : d;
  // the 2023 notice continued the facility; applications of 2023-01-01…28 are kept clear of that gap here
  return date >= '2023-01-01' && date <= '2023-01-28' ? '2023-01-29' : date;
};

async function ensureOperation(quarter: string) {
  if ((await get(t, t.operatorKey, `/api/v1/operations/${quarter}`)).status === 404) await openOperation(t, quarter, '100000000000.00');
}
const openJobs = async () => (await jobs.health()).outbox.filter((r) => r.status === 'pending' || r.status === 'enqueued').length;

const stats = { versions: 0, corrections: 0 };

type ModelLoan = { id: string; body: LoanRequest; disbursedOn: string; principalFen: bigint; project: number; covered: boolean };
type ModelApplication = { id: string; loans: ModelLoan[]; status: 'submitted' | 'approved' | 'rejected' };

async function run(events: Event[]) {
  t.setNow('2022-01-03T04:00:00Z');
  const bank = await createInstitution(t, { code: uniqueCode('CP') });
  const projects = [0, 1, 2].map((p) => ({
    ref: `${bank.code}-P${p}`,
    name: `更正性质项目${p}`,
    subArea: p === 2 ? 'CE.SOLAR' : 'CE.WIND',
    province: '内蒙古自治区',
    totalInvestment: '1000000000.00',
    annualReductionTonnes: '100000.00',
    reductionBasis: 'feasibility_study',
    evidence: { title: '可行性研究报告', sha256: String(p + 1).repeat(64) },
  }));
  const loans: ModelLoan[] = [];
  const compiledHere = new Set<string>();
  const applications: ModelApplication[] = [];
  const timeline = events
    .map((e, i) => ({ e, i, date: dateOf(e.q, e.day) }))
    .sort((a, b) => (a.date === b.date ? a.i - b.i : a.date < b.date ? -1 : 1));

  for (const { e, date } of timeline) {
    t.setNow(`${date}T04:00:00Z`);
    const current = QUARTERS.findIndex((_, i) => date >= START(i) && date <= END(i));
    switch (e.kind) {
      case 'loan': {
        const body = loanRequest({
          principal: scaled2(e.principalFen),
          annualRatePercent: '3.50',
          disbursedOn: date,
          maturesOn: addDays(date, 3 * 365),
          project: projects[e.project],
        });
        const res = await post(t, bank.apiKey, '/api/v1/loans', body);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        loans.push({ id: res.body.id, body, disbursedOn: date, principalFen: e.principalFen, project: e.project, covered: false });
        break;
      }
      case 'apply': {
        const listed = applications.filter((a) => a.status !== 'rejected').flatMap((a) => a.loans.map((l) => l.id));
        const free = loans.filter((l) => !listed.includes(l.id) && l.disbursedOn <= date);
        const picked = free.filter((_, i) => (e.mask >> i) & 1);
        if (!picked.length) break;
        await ensureOperation(QUARTERS[current]);
        const applied = await post(t, bank.apiKey, '/api/v1/applications', {
          operation: QUARTERS[current],
          loanIds: picked.map((l) => l.id),
        });
        expect(applied.status, JSON.stringify(applied.body)).toBe(201);
        const application: ModelApplication = { id: applied.body.id, loans: picked, status: 'submitted' };
        applications.push(application);
        if (!e.late) await decide(application);
        break;
      }
      case 'decide': {
        const waiting = applications.find((a) => a.status === 'submitted');
        if (waiting) await decide(waiting);
        break;
      }
      case 'reject': {
        const approved = applications.filter((a) => a.status === 'approved');
        if (!approved.length) break;
        const application = approved[e.which % approved.length];
        const res = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/reject`, { reason: 'property: withdrawn' });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        application.status = 'rejected';
        for (const l of application.loans) l.covered = false;
        break;
      }
      case 'repay': {
        const running = loans.filter((l) => l.disbursedOn < date);
        if (!running.length) break;
        const l = running[e.which % running.length];
        const res = await post(t, bank.apiKey, `/api/v1/loans/${l.id}/repayments`, {
          repaidOn: date,
          amount: scaled2(l.principalFen / 10n || 1n),
        });
        // a loan repaid in full earlier, or repaid twice on one day beyond what is outstanding, is refused
        expect([201, 422], JSON.stringify(res.body)).toContain(res.status);
        break;
      }
      case 'amend': {
        if (!loans.length) break;
        const l = loans[e.which % loans.length];
        projects[l.project] = { ...projects[l.project], annualReductionTonnes: scaled2(e.reductionCt) };
        const body = { ...l.body, project: { ...l.body.project, ...projects[l.project] } };
        const res = await post(t, bank.apiKey, `/api/v1/loans/${l.id}/amendments`, {
          reason: 'property: the project’s reduction',
          loan: body,
        });
        expect([201, 422], JSON.stringify(res.body)).toContain(res.status);
        if (res.status === 201) l.body = body;
        else expect(res.body.code).toBe('content_unchanged');
        break;
      }
      case 'compile': {
        if (current === 0) break;
        const quarter = QUARTERS[e.which % current];
        expect((await post(t, t.operatorKey, '/api/v1/disclosures/compile', { quarter })).status).toBe(202);
        compiledHere.add(quarter);
        break;
      }
    }
  }

  async function decide(application: ModelApplication) {
    const res = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, { reason: 'property' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    application.status = 'approved';
    for (const l of application.loans) l.covered = true;
  }

  t.setNow('2024-01-10T04:00:00Z');
  await eventually(async () => (await openJobs()) === 0, 'the jobs');
  expect((await jobs.health()).outbox.filter((r) => r.status === 'failed')).toEqual([]);

  for (const quarter of QUARTERS) {
    const { end } = quarterPeriod(quarter);
    const counted = loans.filter((l) => l.covered && l.disbursedOn <= end);
    const res = await get(t, bank.apiKey, `/api/v1/disclosures/${bank.code}/${quarter}`);
    if (res.status === 404) {
      // a quarter this run compiled has no version only while the records give the bank nothing to count
      if (compiledHere.has(quarter)) expect(counted.length, `${quarter} has no version`).toBe(0);
      continue;
    }
    expect(res.status, quarter).toBe(200);
    const latest = res.body;
    stats.versions += 1;
    if (latest.reason) stats.corrections += 1;
    // the model: since inception
    expect(latest.basis.loans, `${quarter} loans`).toBe(counted.length);
    expect(latest.horizons.sinceInception.loanAmountWanYuan, `${quarter} amount`).toBe(
      scaled2(
        halfUp(
          counted.reduce((s, l) => s + l.principalFen, 0n),
          10_000n,
        ),
      ),
    );
    // a fresh compile of the records now
    const fresh = await computeContent(t.database.db as unknown as Tx, {
      institution: { id: bank.id, code: bank.code, nameZh: latest.institution.nameZh, nameEn: latest.institution.nameEn },
      quarter,
      version: latest.version,
      previousVersion: latest.previousVersion,
      restatesVersion: latest.restatesVersion,
      format: await formatOn(t.database.db as unknown as Tx, bank.id, end),
    });
    expect(latest.horizons, `${quarter} horizons`).toEqual(JSON.parse(JSON.stringify(fresh.horizons)));
    expect(latest.byArea ?? null, `${quarter} areas`).toEqual(JSON.parse(JSON.stringify(fresh.byArea ?? null)));
  }
}

describe('corrections keep every quarter the figure of the records', () => {
  it(
    'whatever the sequence of loans, applications, late approvals, rejections, repayments, amendments and compilations over two years, every bank-quarter’s latest version equals a fresh compile from the records',
    async () => {
      const example: Event[] = [
        { kind: 'loan', q: 3, day: 80, principalFen: 100_000_000n, project: 0 },
        { kind: 'apply', q: 3, day: 85, mask: 1, late: true },
        { kind: 'loan', q: 4, day: 40, principalFen: 30_000_000n, project: 1 },
        { kind: 'apply', q: 4, day: 45, mask: 1, late: false },
        { kind: 'compile', q: 5, day: 2, which: 4 },
        { kind: 'compile', q: 5, day: 3, which: 3 },
        // December's loan approved after the next year's first quarter was compiled
        { kind: 'decide', q: 5, day: 10 },
        { kind: 'amend', q: 5, day: 20, which: 0, reductionCt: 5_000_000n },
        { kind: 'repay', q: 5, day: 30, which: 1 },
        { kind: 'reject', q: 5, day: 40, which: 0 },
      ];
      // an approval withdrawn right after its quarter's compilation was asked for, before the fan-out's
      // job for the bank ran: the bank has nothing left to count, and no version may appear from the
      // fan-out's sums
      const withdrawnBeforeTheJob: Event[] = [
        { kind: 'loan', q: 0, day: 0, principalFen: 100_000n, project: 0 },
        { kind: 'apply', q: 1, day: 0, mask: 1, late: false },
        { kind: 'compile', q: 2, day: 0, which: 1 },
        { kind: 'reject', q: 3, day: 0, which: 0 },
      ];
      await fc.assert(fc.asyncProperty(fc.array(eventArb, { minLength: 8, maxLength: 16 }), run), {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 8),
        examples: [[example], [withdrawnBeforeTheJob]],
      });
      // the example alone corrects quarters of two years
      expect(stats.corrections).toBeGreaterThan(0);
      console.log(`latest versions compared: ${stats.versions}; of them corrections: ${stats.corrections}`);
    },
    PROCESS_TEST_MS,
  );
});
