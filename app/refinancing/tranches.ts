/**
 * Support tranches (再贷款): the disbursement of an approved application by a second operator
 * (maker–checker, collateral must cover it), repayment with all interest due, rollover (展期) on the
 * maturity date, and a bank's statement of what it owes. Money moves are booked in the journal in the
 * same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import { poolOutstandingOf } from '../../db/repositories/pool-shortfalls.js';
import { institutionCodeOf } from '../../db/repositories/institutions.js';
import { findApplication, lockApplication, updateApplication } from '../../db/repositories/refinancing/applications.js';
import { collateralOf } from '../../db/repositories/refinancing/collateral.js';
import {
  findFacility,
  insertFacility,
  liveFacilities,
  updateFacility,
  type FacilityRow,
} from '../../db/repositories/refinancing/tranches.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { accounts } from '../../domain/ledger/accounts.js';
import { credit, debit, type EntryDraft } from '../../domain/ledger/entry.js';
import { interestDueFen, planRepayment, planRollover, statusOn, trancheTerms } from '../../domain/refinancing/facility.js';
import { accruedThroughFen } from '../../domain/refinancing/interest.js';
import type { DayCount } from '../../domain/policy/index.js';
import { appendEntries } from '../ledger/journal.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseWith } from '../refusals.js';
import { checkCoverage, eligibleCollateralOf } from './collateral.js';
import { policyInForce, stateOf, visibleTo } from './common.js';
import { bookingDate, recordBooking, type BookingDate, type Dated } from '../bookings.js';
import { checkPoolShortfalls } from './pool-shortfalls.js';
import { accrueInterest } from './scans.js';

/**
 * A back-dated booking books the interest from its effective date up to today at once (one journal
 * entry), so the ledger stands as if it had been booked on the day. Within an import the tranche is
 * noted instead (`ctx.interestCatchUp`) and the import books the interest of all of them up to today
 * at its end: its later records of the same tranche need no interest taken back first.
 */
async function catchUpInterest(ctx: ActorContext, date: BookingDate, facilityId: string) {
  const today = shanghaiDate(ctx.now);
  if (date.on >= today) return;
  if (ctx.interestCatchUp) ctx.interestCatchUp.add(facilityId);
  else await accrueInterest(ctx.tx, { through: today, facilityIds: [facilityId], actor: ctx.actor });
}

/**
 * Books the disbursement of an approved application on `on` (default today): by another operator than
 * the approver (maker–checker). The tranche takes the rate and terms in force on that date.
 */
export async function disburseApplication(ctx: ActorContext, input: { applicationId: string } & Dated): Promise<FacilityRow> {
  const { tx, actor } = ctx;
  const application = await findApplication(tx, input.applicationId, { institutionId: null }, { lock: true });
  if (!application) refuse('not_found', `application ${input.applicationId} not found`);
  if (application.status !== 'approved')
    refuse('application_not_approved', `the application is ${application.status}; only an approved application can be disbursed`, {
      extra: { currentStatus: application.status },
    });
  if (application.decidedBy === actor.userId)
    refuse('maker_checker_violation', 'the operator who approved the application cannot also book its disbursement: another operator must');
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'application', id: application.id }],
    notBefore: application.appliedOn,
  });
  const on = date.on;
  const policy = policyInForce(on);
  const approvedFen = application.approvedFen!;
  const eligibleFen = eligibleCollateralOf(await collateralOf(tx, application.id), policy);
  if (eligibleFen < approvedFen) {
    refuse('collateral_insufficient', `eligible collateral ${eligibleFen} fen does not cover the ${approvedFen} fen to disburse`, {
      extra: { eligibleCollateralFen: eligibleFen.toString(), requiredFen: approvedFen.toString() },
    });
  }
  const id = randomUUID();
  const facility = await insertFacility(tx, {
    id,
    institutionId: application.institutionId,
    applicationId: application.id,
    principalFen: approvedFen,
    outstandingFen: approvedFen,
    ...trancheTerms(on, policy),
    interestFromOn: on,
    accruedThrough: on,
    createdBy: actor.userId,
  });
  await updateApplication(tx, application.id, { status: 'disbursed', disbursedBy: actor.userId, disbursedAt: ctx.now });
  const bank = await institutionCodeOf(tx, application.institutionId);
  await appendEntries(
    tx,
    [
      {
        institutionId: application.institutionId,
        kind: 'disbursement',
        effectiveOn: on,
        reversesId: null,
        memo: { applicationId: application.id },
        lines: [debit(accounts.relendingReceivable(bank), approvedFen, id), credit(accounts.reserves(bank), approvedFen, id)],
      },
    ],
    actor.userId,
  );
  await recordBooking(ctx, date, { command: 'disburse', institutionId: application.institutionId, created: [{ kind: 'facility', id }] });
  await catchUpInterest(ctx, date, id);
  await checkPoolShortfalls(tx, { applicationIds: [application.id] }, on, 'raise');
  return facility;
}

function repaymentDraft(
  f: FacilityRow,
  bank: string,
  on: IsoDate,
  principalFen: bigint,
  interestFen: bigint,
  memo: Record<string, string>,
): EntryDraft {
  return {
    institutionId: f.institutionId,
    kind: 'repayment',
    effectiveOn: on,
    reversesId: null,
    memo,
    lines: [
      debit(accounts.reserves(bank), principalFen + interestFen, f.id),
      credit(accounts.relendingReceivable(bank), principalFen, f.id),
      credit(accounts.interestReceivable(bank), interestFen, f.id),
    ],
  };
}

/** Interest booked past today (a run ahead of the calendar) cannot be settled on `on` without paying days twice. */
function refuseIfBookedAhead(f: FacilityRow, on: IsoDate, today: IsoDate) {
  if (f.accruedThrough > today) {
    refuse(
      'interest_booked_ahead',
      `interest on this tranche is booked through ${f.accruedThrough}, after ${on}; it can be settled from that date on (a reversing journal entry does not move the tranche's accrual date)`,
      { extra: { accruedThrough: f.accruedThrough } },
    );
  }
}

/**
 * Interest a back-dated settlement on `on` finds booked after `on` (the daily runs up to today) is taken
 * back in one entry dated `on`: the segment then stands as accrued through `on`, and the interest after
 * it is booked again on the principal that remains.
 */
async function rewindInterest(ctx: ActorContext, f: FacilityRow, on: IsoDate): Promise<void> {
  if (f.accruedThrough <= on) return;
  const rounding = policyInForce(on).rounding;
  const throughOnFen = accruedThroughFen(
    { principalFen: f.outstandingFen, ratePpm: f.ratePpm, dayCount: f.dayCount as DayCount, fromOn: f.interestFromOn },
    on,
    rounding,
  );
  const excessFen = f.segmentAccruedFen - throughOnFen;
  await updateFacility(ctx.tx, f.id, {
    accruedThrough: on,
    segmentAccruedFen: throughOnFen,
    interestAccruedFen: f.interestAccruedFen - excessFen,
  });
  if (excessFen <= 0n) return;
  const bank = await institutionCodeOf(ctx.tx, f.institutionId);
  await appendEntries(
    ctx.tx,
    [
      {
        institutionId: f.institutionId,
        kind: 'accrual',
        effectiveOn: on,
        reversesId: null,
        memo: {
          facilityId: f.id,
          rewoundFrom: f.accruedThrough,
          rewoundTo: on,
          why: 'a settlement dated before the interest already booked',
        },
        lines: [debit(accounts.interestIncome(bank), excessFen, f.id), credit(accounts.interestReceivable(bank), excessFen, f.id)],
      },
    ],
    ctx.actor.userId,
  );
}

/**
 * Locks a tranche the actor may see and its application, dates the settlement (`input.on`, never
 * before the tranche's last booking), refuses when interest is booked ahead of today, takes back the
 * interest booked after a back-dated date, books the interest due through it, and returns the tranche
 * as it then stands with the booking date.
 */
async function settleInterestThrough(ctx: ActorContext, facilityId: string, input: Dated): Promise<{ f: FacilityRow; date: BookingDate }> {
  const { tx, actor } = ctx;
  const locked = await findFacility(tx, facilityId, visibleTo(actor), { lock: true });
  if (!locked) refuse('not_found', `facility ${facilityId} not found`);
  await lockApplication(tx, locked.applicationId);
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'facility', id: locked.id }],
    notBefore: locked.interestFromOn,
  });
  const on = date.on;
  refuseIfBookedAhead(locked, on, shanghaiDate(ctx.now));
  policyInForce(on);
  await rewindInterest(ctx, locked, on);
  await accrueInterest(tx, { through: on, facilityIds: [facilityId], actor });
  return { f: (await findFacility(tx, facilityId, visibleTo(actor)))!, date };
}

/** Repays principal (early allowed) on `on` (default today) with all interest due. */
export async function repayTranche(ctx: ActorContext, input: { facilityId: string; principalFen: bigint } & Dated) {
  const { tx, actor } = ctx;
  const { f, date } = await settleInterestThrough(ctx, input.facilityId, input);
  const on = date.on;
  const plan = planRepayment(stateOf(f), { on, principalFen: input.principalFen, rounding: policyInForce(on).rounding });
  if (!plan.ok) refuseWith(plan, { currentStatus: statusOn(f, on) });
  const { principalFen, interestFen, remainingFen } = plan.value;
  const updated = await updateFacility(tx, f.id, {
    outstandingFen: remainingFen,
    interestPaidFen: f.interestPaidFen + interestFen,
    interestFromOn: on,
    segmentAccruedFen: 0n,
    status: remainingFen === 0n ? 'repaid' : f.status,
    closedOn: remainingFen === 0n ? on : null,
  });
  const bank = await institutionCodeOf(tx, f.institutionId);
  await appendEntries(
    tx,
    [repaymentDraft(f, bank, on, principalFen, interestFen, { facilityId: f.id, early: String(on < f.maturesOn) })],
    actor.userId,
  );
  await recordBooking(ctx, date, { command: 'repay', institutionId: f.institutionId });
  if (remainingFen > 0n) await catchUpInterest(ctx, date, f.id);
  await checkCoverage(tx, f.applicationId, on);
  await checkPoolShortfalls(tx, { applicationIds: [f.applicationId] }, on, 'settle');
  return {
    facility: remainingFen > 0n ? (await findFacility(tx, f.id, visibleTo(actor)))! : updated,
    paidPrincipalFen: principalFen,
    paidInterestFen: interestFen,
  };
}

/** The tranche's pool on `on`: Σ outstanding principal on `on` of its application's listed, eligible loans still running. */
async function underlyingOutstandingFen(tx: Tx, applicationId: string, on: IsoDate): Promise<bigint> {
  return (await poolOutstandingOf(tx, [applicationId], on)).get(applicationId) ?? 0n;
}

/**
 * Rolls a tranche over on `on` (default today), its maturity date: the old tranche becomes `rolled_over` and a new one
 * opens at the rate in force, for at most the policy share of the underlying loans' outstanding
 * eligible principal; the excess and all interest are repaid in the same transaction.
 */
export async function rollOverTranche(ctx: ActorContext, input: { facilityId: string } & Dated) {
  const { tx, actor } = ctx;
  const { f, date } = await settleInterestThrough(ctx, input.facilityId, input);
  const on = date.on;
  const policy = policyInForce(on);
  const poolFen = await underlyingOutstandingFen(tx, f.applicationId, on);
  const plan = planRollover(stateOf(f), { on, underlyingOutstandingFen: poolFen, policy });
  if (!plan.ok) refuseWith(plan, { currentStatus: statusOn(f, on), rolloverCount: f.rolloverCount });
  const { rolledFen, excessFen, capFen, newTerms, rolloverCount } = plan.value;
  const interestFen = f.interestAccruedFen - f.interestPaidFen;
  const previous = await updateFacility(tx, f.id, {
    outstandingFen: 0n,
    interestPaidFen: f.interestAccruedFen,
    status: 'rolled_over',
    closedOn: on,
    segmentAccruedFen: 0n,
    interestFromOn: on,
  });
  const newId = randomUUID();
  const next = await insertFacility(tx, {
    id: newId,
    institutionId: f.institutionId,
    applicationId: f.applicationId,
    rolledFromId: f.id,
    principalFen: rolledFen,
    outstandingFen: rolledFen,
    ...newTerms,
    rolloverCount,
    interestFromOn: on,
    accruedThrough: on,
    createdBy: actor.userId,
  });
  const bank = await institutionCodeOf(tx, f.institutionId);
  const drafts: EntryDraft[] = [];
  if (excessFen > 0n || interestFen > 0n)
    drafts.push(repaymentDraft(f, bank, on, excessFen, interestFen, { facilityId: f.id, reason: 'settled at rollover' }));
  drafts.push({
    institutionId: f.institutionId,
    kind: 'rollover',
    effectiveOn: on,
    reversesId: null,
    memo: { from: f.id, to: newId, rolloverCount: String(rolloverCount) },
    lines: [debit(accounts.relendingReceivable(bank), rolledFen, newId), credit(accounts.relendingReceivable(bank), rolledFen, f.id)],
  });
  await appendEntries(tx, drafts, actor.userId);
  await recordBooking(ctx, date, { command: 'rollover', institutionId: f.institutionId, created: [{ kind: 'facility', id: newId }] });
  await catchUpInterest(ctx, date, newId);
  await checkCoverage(tx, f.applicationId, on);
  // the loans did not change since the pool was summed for the cap: the check reuses it
  await checkPoolShortfalls(tx, { applicationIds: [f.applicationId] }, on, 'settle', new Map([[f.applicationId, poolFen]]));
  return {
    previous,
    facility: date.backdated ? (await findFacility(tx, newId, visibleTo(actor)))! : next,
    capFen,
    excessRepaidFen: excessFen,
    interestPaidFen: interestFen,
  };
}

/**
 * One bank's live tranches on `on`, each with its status on `on` (from its dates: `statusOn`) and the
 * interest due computed exactly to `on`, and the totals.
 */
export async function statementOf(tx: Tx, input: { institutionId: string; on: IsoDate }) {
  const policy = policyInForce(input.on);
  const rows = await liveFacilities(tx, { institutionId: input.institutionId });
  const tranches = rows.map((f) => ({
    facility: { ...f, status: statusOn(f, input.on) },
    interestDueFen: interestDueFen(stateOf(f), input.on, policy.rounding),
  }));
  return {
    tranches,
    outstandingFen: tranches.reduce((s, t) => s + t.facility.outstandingFen, 0n),
    interestDueFen: tranches.reduce((s, t) => s + t.interestDueFen, 0n),
  };
}
