/**
 * The daily runs, dated by their input (they read no clock): interest accrual, the maturity scan and
 * the coverage scan. The jobs (jobs/processors/daily.ts) and the operator routes (`POST
 * /facilities/accrue`, `/facilities/scan-maturities`, `/collateral/scan-coverage`) call these same
 * functions with the database or a transaction; each is idempotent per tranche and day.
 */
import type { Tx } from '../../db/client.js';
import { accrueFacilities, applicationsWithLiveFacilities, markMaturities } from '../../db/repositories/refinancing/tranches.js';
import type { Actor } from '../../domain/actor.js';
import type { IsoDate } from '../../domain/dates.js';
import { accounts } from '../../domain/ledger/accounts.js';
import { credit, debit, type EntryDraft } from '../../domain/ledger/entry.js';
import { appendEntries } from '../ledger/journal.js';
import { checkCoverage } from './collateral.js';
import { policyInForce } from './common.js';
import { checkPoolShortfalls } from './pool-shortfalls.js';

/**
 * Books interest on live tranches through `through` (a tranche already accrued through that date is
 * skipped): one set-based UPDATE computes each tranche's rounded segment interest exactly (the SQL
 * mirror of `accruedThroughFen`), then one balanced journal entry per bank books the day's sum. Runs in
 * a transaction of its own (a savepoint inside the caller's): the tranches and the journal move
 * together. `actor` is who asked (none for a job).
 */
export async function accrueInterest(db: Tx, input: { through: IsoDate; facilityIds?: string[]; actor?: Actor | null }) {
  return db.transaction(async (tx) => {
    const policy = policyInForce(input.through);
    const perBank = await accrueFacilities(tx, { through: input.through, facilityIds: input.facilityIds, rounding: policy.rounding });
    const facilityId = input.facilityIds?.length === 1 ? input.facilityIds[0] : null;
    const drafts: EntryDraft[] = [];
    let tranches = 0;
    let totalFen = 0n;
    for (const bank of perBank) {
      tranches += bank.tranches;
      totalFen += bank.amountFen;
      if (bank.amountFen === 0n) continue;
      drafts.push({
        institutionId: bank.institutionId,
        kind: 'accrual',
        effectiveOn: input.through,
        reversesId: null,
        memo: { through: input.through, tranches: String(bank.tranches), dayCounts: 'per tranche (facilities.day_count)' },
        lines: [
          debit(accounts.interestReceivable(bank.code), bank.amountFen, facilityId),
          credit(accounts.interestIncome(bank.code), bank.amountFen, facilityId),
        ],
      });
    }
    await appendEntries(tx, drafts, input.actor?.userId ?? null);
    return { through: input.through, tranches, totalFen, entries: drafts.length };
  });
}

/**
 * Stores the status live tranches have on `on` (matured on their maturity date, overdue after it: the SQL
 * mirror of `statusOn`; every read derives it from the dates anyway, so a tranche reads overdue before the
 * scan runs), then re-checks the pools of the tranches whose loans matured on or before `on` in their current term
 * (a loan leaves the pool on its maturity date): a pool shortfall is raised or grows. In a transaction
 * of its own (a savepoint inside the caller's).
 */
export async function scanMaturities(db: Tx, input: { on: IsoDate }) {
  return db.transaction(async (tx) => {
    const changed = await markMaturities(tx, input.on);
    const pools = await checkPoolShortfalls(tx, { loansMaturedThrough: input.on }, input.on, 'raise');
    return {
      on: input.on,
      matured: changed.filter((c) => c.status === 'matured').length,
      overdue: changed.filter((c) => c.status === 'overdue').length,
      poolShortfallsRaised: pools.raised,
      poolShortfallsGrown: pools.grown,
    };
  });
}

/** Re-checks coverage of every application with live support, in a transaction of its own. */
export async function scanCoverage(db: Tx, input: { on: IsoDate }) {
  return db.transaction(async (tx) => {
    const applications = await applicationsWithLiveFacilities(tx);
    let calls = 0;
    for (const id of applications) if (!(await checkCoverage(tx, id, input.on)).covered) calls += 1;
    return { on: input.on, applications: applications.length, marginCalls: calls };
  });
}
