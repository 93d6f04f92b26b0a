/**
 * The job payloads as the outbox carries them (JSON) and as the processors parse them (zod): a quarter's
 * per-bank sums go from the fan-out to the bank's compile job through JSON and come back exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SubAreaSums, TopProjectSums } from '../../domain/disclosures/compile.js';
import { outboxJobs } from '../../app/outbox-jobs.js';
import { BankSumsJson, CompileJob } from '../../schemas/disclosures.js';

const fen = fc.bigInt({ min: 0n, max: 10n ** 30n });
const count = fc.nat({ max: 1_000_000 });
const horizon = fc.record({
  projects: count,
  loans: count,
  principalFen: fen,
  rateWeightedPpmFen: fen,
  reductionLowerUnits: fen,
  reductionTerms: count,
});
const subArea: fc.Arbitrary<SubAreaSums> = fc.record(
  { subArea: fc.string(), basis: fc.string(), quarter: horizon, yearToDate: horizon, sinceInception: horizon },
  { requiredKeys: ['subArea', 'quarter', 'yearToDate', 'sinceInception'] },
);
const topProject: fc.Arbitrary<TopProjectSums> = fc.record({
  ref: fc.string(),
  name: fc.string(),
  subArea: fc.string(),
  num: fen,
  den: fc.bigInt({ min: 1n, max: 10n ** 30n }),
});
const bankSums = fc.record({ subAreas: fc.array(subArea, { maxLength: 5 }), topProjects: fc.array(topProject, { maxLength: 3 }) });

/** What the outbox row stores and the queue hands back: JSON. */
const throughJson = (payload: unknown): unknown => JSON.parse(JSON.stringify(payload));

const compilePayload = {
  institutionId: '00000000-0000-4000-8000-000000000001',
  quarter: '2022Q3',
  version: 1,
  previousVersionId: null,
  restatesVersionId: null,
};

describe('job payloads', () => {
  it("when a bank's quarter sums travel in a compile job as JSON, then the compile job parses back the same bigints", () => {
    fc.assert(
      fc.property(bankSums, (sums) => {
        const job = outboxJobs.compile('B001', { ...compilePayload, precomputed: z.encode(BankSumsJson, sums) });
        const parsed = CompileJob.parse(throughJson(job.payload));
        expect(parsed.precomputed).toEqual(sums);
      }),
    );
  });

  it('when a bigint is written as { $bigint: "…" }, then that is its JSON form', () => {
    const sums = { subAreas: [], topProjects: [{ ref: 'P1', name: 'n', subArea: 'CE.WIND', num: 12n, den: 7n }] };
    expect(throughJson(z.encode(BankSumsJson, sums))).toEqual({
      subAreas: [],
      topProjects: [{ ref: 'P1', name: 'n', subArea: 'CE.WIND', num: { $bigint: '12' }, den: { $bigint: '7' } }],
    });
  });

  it('when the sums carried are malformed, then the parse fails naming the field', () => {
    const bad = { subAreas: [], topProjects: [{ ref: 'P1', name: 'n', subArea: 'CE.WIND', num: { $bigint: '1.5' }, den: 7 }] };
    const parsed = CompileJob.safeParse({ ...compilePayload, precomputed: bad });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['precomputed.topProjects.0.num.$bigint', 'precomputed.topProjects.0.den']));
  });

  it('when a compile job carries no sums, then it parses without them (the compile job computes them)', () => {
    expect(CompileJob.parse(throughJson(outboxJobs.compile('B001', compilePayload).payload)).precomputed).toBeUndefined();
  });
});
