/**
 * Changes to a recorded loan: a bank amends it (a new version; history is never edited) or records a
 * repayment (lowers the outstanding principal); an operator accepts a loan flagged for its rate.
 * Each refuses through app/refusals.ts with a status named as a fact; the problems table answers.
 * Today is `ctx.now` in Asia/Shanghai; the rows are stamped with `ctx.now`.
 */
import { randomUUID } from 'node:crypto';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { loanContentSha256, loanTextFromFacts, type LoanFacts } from '../../domain/loans/facts.js';
import { assessLoan, checkProjectFunding } from '../../domain/loans/rules.js';
import { formatYuan } from '../../domain/money.js';
import { checkRegisterFunding, registeredInvestment, registerKeyOf, registerKeyText } from '../../domain/projects/register.js';
import type { Violation } from '../../domain/result.js';
import { findInstitutionById } from '../../db/repositories/institutions.js';
import {
  archiveLoanVersion,
  earliestDisbursementOf,
  insertProject,
  insertRepayment,
  isOnLiveApplication,
  lockLoan,
  lockProject,
  lockProjectByRef,
  setProjectFunded,
  updateLoan,
  updateProject,
} from '../../db/repositories/loan-changes.js';
import { currentFacts, lockInstitutionLoans } from '../../db/repositories/loans.js';
import { decidedFigures, lockRegisterEntries, registerFunding, resolveRegisterKeys } from '../../db/repositories/project-register.js';
import { bookingDate, recordBooking } from '../bookings.js';
import { recordsChanged } from '../disclosures/corrections.js';
import type { ActorContext } from '../perform.js';
import { checkPoolShortfalls } from '../refinancing/pool-shortfalls.js';
import { refuse, refuseViolations } from '../refusals.js';

const loanNotFound = (): never => refuse('not_found', 'loan not found');

/**
 * Amends the acting bank's loan with `facts` (the amendment's `loan`), for `reason`. Violations name
 * their field inside the amendment (`loan.principal`, …). Returns the loan's id and new version.
 */
export async function amendLoan(
  ctx: ActorContext,
  input: { loanId: string; reason: string; facts: LoanFacts },
): Promise<{ id: string; version: number }> {
  const { tx, actor } = ctx;
  const institutionId = actor.institutionId;
  const institutionRow = (await findInstitutionById(tx, institutionId))!;
  const institution = { eligibleFrom: institutionRow.eligibleFrom, eligibleUntil: institutionRow.eligibleUntil };
  await lockInstitutionLoans(tx, institutionId);
  const current = (await lockLoan(tx, input.loanId, institutionId)) ?? loanNotFound();
  const f = input.facts;
  if (f.loanRef !== current.loanRef)
    refuse('loan_ref_immutable', `the loan reference is ${current.loanRef} and cannot change; submit a new loan instead`);
  const sha = loanContentSha256(f);
  if (sha === current.contentSha256) refuse('content_unchanged', 'the amendment is identical to the current version');

  const supportFieldsChanged =
    f.principalFen !== current.principalFen || f.disbursedOn !== current.disbursedOn || f.ratePpm !== current.ratePpm;
  if (supportFieldsChanged && (await isOnLiveApplication(tx, current.id))) {
    refuse(
      'loan_under_support',
      'the loan is listed on a refinancing application: its principal, rate and disbursement date can no longer change',
    );
  }

  const { violations, assessment } = assessLoan(f, { today: shanghaiDate(ctx.now), institution });
  const errors: Violation[] = [...violations];
  const repaidFen = current.principalFen - current.outstandingFen;
  if (f.principalFen < repaidFen) {
    errors.push({
      path: 'principal',
      code: 'principal_below_repaid',
      message: `${formatYuan(repaidFen)} has already been repaid on this loan`,
    });
  }

  // funding of the old and new project
  const oldProject = await lockProject(tx, current.projectId);
  const target = await lockProjectByRef(tx, institutionId, f.project.ref);
  const fundedOnTarget = target ? (target.id === oldProject.id ? target.fundedFen - current.principalFen : target.fundedFen) : 0n;
  const funding = checkProjectFunding({
    fundedFen: fundedOnTarget,
    addFen: f.principalFen,
    totalInvestmentFen: f.project.totalInvestmentFen,
    projectRef: f.project.ref,
  });
  if (funding && !errors.some((e) => e.code === 'project_overfunded')) errors.push(funding);

  // across all banks: the loan's project in the register (docs/projects.md), locked
  const key = registerKeyOf({ creditCode: f.borrowerCreditCode, projectName: f.project.name, province: f.project.province });
  const resolved = await resolveRegisterKeys(tx, [{ ...key, name: f.project.name, province: f.project.province }], randomUUID);
  const registerId = resolved.ids.get(registerKeyText(key))!;
  const [entry] = await lockRegisterEntries(tx, [registerId]);
  // an amendment that lends no more to the same entry never makes it more over-funded (an entry over-funded
  // before the register existed may still be amended)
  const lendsMore = registerId !== current.registerId || f.principalFen > current.principalFen;
  if (!errors.length && lendsMore) {
    const across = (await registerFunding(tx, [registerId], { loanId: current.id, projectId: target?.id ?? null })).get(registerId);
    const declared = across?.minDeclaredFen ?? null;
    const investment = registeredInvestment(decidedFigures(entry)?.totalInvestmentFen ?? null, [
      ...(declared === null ? [] : [declared]),
      f.project.totalInvestmentFen,
    ])!;
    const overfunded = checkRegisterFunding({
      fundedFen: across?.fundedFen ?? 0n,
      addFen: f.principalFen,
      totalInvestmentFen: investment,
      projectRef: f.project.ref,
    });
    if (overfunded) errors.push(overfunded);
  }
  if (errors.length || !assessment) refuseViolations(errors.map((v) => ({ ...v, path: 'loan.' + v.path })));

  let projectId: string;
  if (target) {
    projectId = target.id;
    await updateProject(tx, target.id, f.project, fundedOnTarget + f.principalFen);
  } else {
    projectId = randomUUID();
    await insertProject(tx, { id: projectId, institutionId, facts: f.project, fundedFen: f.principalFen });
  }
  if (oldProject.id !== projectId) await setProjectFunded(tx, oldProject.id, oldProject.fundedFen - current.principalFen);

  // archive the current version before it is replaced
  await archiveLoanVersion(tx, {
    loanId: current.id,
    version: current.version,
    content: loanTextFromFacts(currentFacts(current, oldProject)),
    contentSha256: current.contentSha256,
    changedBy: current.changedBy,
    reason: current.changeReason,
    createdAt: current.updatedAt,
  });

  // an operator's acceptance stays valid while what it judged (rate and dates) is unchanged
  const keepAcceptance =
    current.eligibility === 'accepted' &&
    assessment.eligibility === 'flagged' &&
    f.ratePpm === current.ratePpm &&
    f.disbursedOn === current.disbursedOn &&
    f.maturesOn === current.maturesOn;
  const version = current.version + 1;
  await updateLoan(tx, current.id, {
    projectId,
    registerId,
    borrowerName: f.borrowerName,
    borrowerCreditCode: f.borrowerCreditCode,
    principalFen: f.principalFen,
    outstandingFen: f.principalFen - repaidFen,
    ratePpm: f.ratePpm,
    disbursedOn: f.disbursedOn,
    maturesOn: f.maturesOn,
    taxonomyVersion: assessment.taxonomyVersion,
    policyVersion: assessment.policyVersion,
    lprTenor: assessment.lpr.tenor,
    lprMonth: assessment.lpr.month,
    lprPpm: assessment.lpr.lprPpm,
    withinLprBand: assessment.lpr.withinBand,
    eligibility: keepAcceptance ? 'accepted' : assessment.eligibility,
    flags: assessment.flags,
    ...(keepAcceptance ? {} : { acceptedBy: null, acceptedReason: null, acceptedAt: null }),
    version,
    contentSha256: sha,
    changedBy: actor.userId,
    changeReason: input.reason,
    updatedAt: ctx.now,
  });
  // a new maturity date (or an eligibility changed with it) may take the loan out of a tranche's pool
  await checkPoolShortfalls(tx, { loanId: current.id }, shanghaiDate(ctx.now), 'raise');
  // the quarters compiled since the loan, or since the first loan of a project it changed, are corrected
  const projectsFrom = await earliestDisbursementOf(tx, [...new Set([oldProject.id, projectId])]);
  const from = [current.disbursedOn, f.disbursedOn, ...(projectsFrom ? [projectsFrom] : [])].sort()[0];
  await recordsChanged(ctx, [{ institutionId, from }], 'loan_changed');
  return { id: current.id, version };
}

/**
 * Records a repayment of the acting bank's loan; returns the repayment's id and what is still
 * outstanding. The pools of the tranches covering the loan are checked on the repayment's date in the
 * same transaction.
 */
export async function recordRepayment(
  ctx: ActorContext,
  input: { loanId: string; repaidOn: string; amountFen: bigint },
): Promise<{ id: string; outstandingFen: bigint }> {
  const { tx, actor } = ctx;
  const today = shanghaiDate(ctx.now);
  const loan = (await lockLoan(tx, input.loanId, actor.institutionId)) ?? loanNotFound();
  if (input.repaidOn < loan.disbursedOn)
    refuse('repayment_before_disbursement', `repayment date ${input.repaidOn} is before the disbursement on ${loan.disbursedOn}`);
  if (input.repaidOn > today) refuse('repayment_in_future', `repayment date ${input.repaidOn} is after today (${today})`);
  if (input.amountFen <= 0n || input.amountFen > loan.outstandingFen) {
    refuse(
      'repayment_exceeds_outstanding',
      `repayment must be more than 0 and at most the outstanding principal ${formatYuan(loan.outstandingFen)}`,
    );
  }
  const id = randomUUID();
  await insertRepayment(tx, { id, loanId: loan.id, repaidOn: input.repaidOn, amountFen: input.amountFen, createdBy: actor.userId });
  const outstandingFen = loan.outstandingFen - input.amountFen;
  await updateLoan(tx, loan.id, { outstandingFen, updatedAt: ctx.now });
  // the tranches pooling this loan may now exceed 60 % of their pool: a pool shortfall is raised or grows,
  // on the repayment's own date (a repayment recorded late, or imported, owes from the day it was made)
  await checkPoolShortfalls(tx, { loanId: loan.id }, input.repaidOn, 'raise');
  return { id, outstandingFen };
}

/** An operator accepts a loan flagged for its rate, with a reason: it becomes eligible. */
export async function acceptFlaggedLoan(
  ctx: ActorContext,
  input: { loanId: string; reason: string; on?: IsoDate },
): Promise<{ id: string }> {
  const { tx, actor } = ctx;
  const loan = (await lockLoan(tx, input.loanId, undefined)) ?? loanNotFound();
  if (loan.eligibility !== 'flagged') refuse('loan_not_flagged', `the loan is ${loan.eligibility}; only a flagged loan can be accepted`);
  // an acceptance is dated on or after the loan's disbursement (an operator may date it earlier than today)
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'loan', id: loan.id }],
    notBefore: loan.disbursedOn,
  });
  await updateLoan(tx, loan.id, {
    eligibility: 'accepted',
    acceptedBy: actor.userId,
    acceptedReason: input.reason,
    acceptedAt: ctx.now,
    updatedAt: ctx.now,
  });
  await recordBooking(ctx, date, { command: 'accept_flagged_loan', institutionId: loan.institutionId });
  await recordsChanged(ctx, [{ institutionId: loan.institutionId, from: loan.disbursedOn }], 'loan_changed');
  return { id: loan.id };
}
