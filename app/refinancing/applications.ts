/**
 * A bank's application for support (先贷后借): it lists disbursed, eligible loans within an open
 * operation and pledges collateral; more collateral may be pledged later. Decisions are decisions.ts.
 */
import { findInstitutionById } from '../../db/repositories/institutions.js';
import {
  insertApplicationLoans,
  loansOfBank,
  qualifyingLoans,
  type LoanWithLive,
} from '../../db/repositories/refinancing/application-loans.js';
import {
  findApplication,
  insertApplication,
  lockApplicationsOfBank,
  type ApplicationRow,
} from '../../db/repositories/refinancing/applications.js';
import { collateralOf, insertCollateral, type CollateralRow } from '../../db/repositories/refinancing/collateral.js';
import { findOperation } from '../../db/repositories/refinancing/operations.js';
import { quarterOf, type IsoDate } from '../../domain/dates.js';
import { institutionEligibleOn, policyData, type CollateralType } from '../../domain/policy/index.js';
import { planApplication, type CandidateLoan } from '../../domain/refinancing/application.js';
import type { Violation } from '../../domain/result.js';
import type { ActorContext } from '../perform.js';
import { byPath, refuse, refuseViolations, refuseWith, type RefusalStatus } from '../refusals.js';
import { bookingDate, recordBooking, type Dated } from '../bookings.js';
import { checkCoverage } from './collateral.js';
import { policyInForce, visibleTo } from './common.js';

export type CollateralInput = { type: CollateralType; ref: string; faceFen: bigint; marketFen: bigint };

export type LoanSelection = { loanIds: string[] } | { loanRefs: string[] } | { allDisbursedThrough: IsoDate };

/** A loan as the rules read it on the application date: its outstanding principal is the one on that date. */
const candidateOf = ({ loan, liveStatus, outstandingOnFen }: LoanWithLive): CandidateLoan => ({
  id: loan.id,
  loanRef: loan.loanRef,
  disbursedOn: loan.disbursedOn,
  maturesOn: loan.maturesOn,
  eligibility: loan.eligibility,
  principalFen: loan.principalFen,
  outstandingFen: outstandingOnFen,
  liveApplicationStatus: liveStatus === 'rejected' ? null : liveStatus,
});

const faceValueViolations = (items: readonly CollateralInput[]): Violation[] =>
  items.flatMap((c, i) =>
    c.faceFen > 0n
      ? []
      : [{ path: `collateral.${i}.faceValue`, code: 'face_value_not_positive', message: 'an instrument has a face value above zero' }],
  );

/** Instruments pledged twice (within `items`, or already pledged: `taken`), then face values not above zero. */
function collateralViolations(items: readonly CollateralInput[], taken: Set<string>, already: string): Violation[] {
  const refs = new Set(taken);
  const errors: Violation[] = [];
  items.forEach((c, i) => {
    if (refs.has(c.ref))
      errors.push({ path: `collateral.${i}.ref`, code: 'duplicate_collateral', message: `instrument ${c.ref} ${already}` });
    refs.add(c.ref);
  });
  return [...errors, ...faceValueViolations(items)];
}

/**
 * The bank (the actor's institution) applies on `on` (default today; earlier only in migration mode)
 * within the operation of `quarter` (default: the quarter of `on`): the rules, the policy and the loans'
 * state are those of that date.
 */
export async function submitApplication(
  ctx: ActorContext,
  input: { quarter?: string; selection: LoanSelection; collateral: CollateralInput[] } & Dated,
): Promise<ApplicationRow> {
  const { tx, actor } = ctx;
  const date = await bookingDate(ctx, { on: input.on, reason: input.reason, subjects: [] });
  const on = date.on;
  const quarter = input.quarter ?? quarterOf(on);
  const operation = await findOperation(tx, quarter);
  if (!operation)
    refuse('operation_not_found', `no operation is open for ${quarter}`, {
      errors: [{ path: 'operation', code: 'operation_not_found', message: `no operation for ${quarter}` }],
    });
  if (operation.status !== 'open' || on < operation.opensOn || on > operation.closesOn) {
    refuse(
      'operation_not_open',
      `the ${quarter} operation accepts applications from ${operation.opensOn} to ${operation.closesOn} while open (today is ${on}, status ${operation.status})`,
    );
  }
  const institution = (await findInstitutionById(tx, actor.institutionId))!;
  const standing = institutionEligibleOn(institution, on, policyData().categoryEligibilityVersions);
  if (!standing.eligible && standing.reason === 'outside_window')
    refuse('institution_not_eligible', `${institution.code} is not an eligible institution on ${on}: ${standing.message}`);
  if (!standing.eligible && standing.reason === 'category_not_open')
    refuse('institution_category_not_eligible', `${institution.code}: ${standing.message}`, {
      path: 'on',
      extra: { category: standing.category, opensOn: standing.opensOn },
    });
  const policy = policyInForce(on);
  // one application at a time per bank, so the same loan cannot be listed twice concurrently
  await lockApplicationsOfBank(tx, actor.institutionId);

  let candidates: CandidateLoan[] = [];
  let paths: string[] = [];
  const missing: Violation[] = [];
  const sel = input.selection;
  if ('allDisbursedThrough' in sel) {
    const through = sel.allDisbursedThrough < on ? sel.allDisbursedThrough : on;
    candidates = (await qualifyingLoans(tx, actor.institutionId, through, on, policy))
      .map(candidateOf)
      .filter((c) => c.liveApplicationStatus === null)
      .sort((a, b) => (a.disbursedOn === b.disbursedOn ? a.loanRef.localeCompare(b.loanRef) : a.disbursedOn < b.disbursedOn ? -1 : 1));
    paths = candidates.map((c) => `loans[${c.loanRef}]`);
  } else {
    const byId = 'loanIds' in sel;
    const keys = byId ? sel.loanIds : sel.loanRefs;
    const field = byId ? 'loanIds' : 'loanRefs';
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (seen.has(k)) missing.push({ path: `${field}.${i}`, code: 'duplicate_loan', message: `${k} is listed twice` });
      seen.add(k);
    });
    const found = await loansOfBank(tx, actor.institutionId, byId ? { ids: [...seen] } : { refs: [...seen] }, on);
    const byKey = new Map(found.map((f) => [byId ? f.loan.id : f.loan.loanRef, f]));
    const taken = new Set<string>();
    keys.forEach((k, i) => {
      const f = byKey.get(k);
      if (!f) missing.push({ path: `${field}.${i}`, code: 'loan_not_found', message: `${k} is not one of this bank's loans` });
      else if (!taken.has(k)) {
        taken.add(k);
        candidates.push(candidateOf(f));
        paths.push(`${field}.${i}`);
      }
    });
  }
  const plan = planApplication({ loans: candidates, paths, appliedOn: on, policy });
  const errors = [...missing, ...(!plan.ok && plan.errors ? plan.errors : [])];
  if (errors.length) refuseViolations(errors.sort(byPath));
  // what is left is the application as a whole: the facility has ended, or no loan qualifies
  if (!plan.ok) refuseWith({ ...plan, status: plan.status as RefusalStatus });

  const pledged = collateralViolations(input.collateral, new Set(), 'is pledged twice');
  if (pledged.length) refuseViolations(pledged);

  const application = await insertApplication(tx, {
    institutionId: actor.institutionId,
    operationId: operation.id,
    appliedOn: on,
    status: 'submitted',
    policyVersion: policy.id,
    requestedFen: plan.value.requestedFen,
    submittedBy: actor.userId,
  });
  const listed = new Map(candidates.map((c) => [c.id, c]));
  await insertApplicationLoans(
    tx,
    plan.value.loans.map((l, position) => {
      const loan = listed.get(l.loanId)!;
      return {
        applicationId: application.id,
        ...l,
        position,
        loanPrincipalFen: loan.principalFen,
        loanMaturesOn: loan.maturesOn,
        loanDisbursedOn: loan.disbursedOn,
        loanEligibility: loan.eligibility,
      };
    }),
  );
  await insertCollateral(tx, application, input.collateral, on, actor.userId);
  await recordBooking(ctx, date, {
    command: 'apply',
    institutionId: actor.institutionId,
    created: [{ kind: 'application', id: application.id }],
  });
  return application;
}

/**
 * The bank pledges more instruments to one of its applications on `on` (default today; earlier only
 * in migration mode, never before the application's last booking); coverage is checked on that date.
 */
export async function pledgeCollateral(
  ctx: ActorContext,
  input: { applicationId: string; items: CollateralInput[] } & Dated,
): Promise<{ application: ApplicationRow; collateral: CollateralRow[] }> {
  const { tx, actor } = ctx;
  const application = await findApplication(tx, input.applicationId, visibleTo(actor), { lock: true });
  if (!application) refuse('not_found', `application ${input.applicationId} not found`);
  if (application.status === 'rejected') refuse('application_rejected', 'collateral cannot be pledged to a rejected application');
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'application', id: application.id }],
    notBefore: application.appliedOn,
  });
  const existing = await collateralOf(tx, application.id);
  const errors = collateralViolations(input.items, new Set(existing.map((e) => e.instrumentRef)), 'is already pledged to this application');
  if (errors.length) refuseViolations(errors);
  const rows = await insertCollateral(tx, application, input.items, date.on, actor.userId);
  await checkCoverage(tx, application.id, date.on);
  await recordBooking(ctx, date, {
    command: 'pledge',
    institutionId: application.institutionId,
    created: rows.map((r) => ({ kind: 'collateral' as const, id: r.id })),
  });
  return { application, collateral: rows };
}
