/**
 * Changes to a recorded loan: amendments (a new version; history is never edited), repayments
 * (lower the outstanding principal) and an operator's acceptance of a rate-flagged loan.
 * Each returns a result with a status named as a fact; callers run them in a transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { loanContentSha256, loanTextFromFacts, type LoanFacts, type ProjectFacts } from '../../domain/loans/facts.js';
import { assessLoan, checkProjectFunding, type InstitutionWindow } from '../../domain/loans/rules.js';
import { formatYuan } from '../../domain/money.js';
import { fail, ok, type Ok, type Violation } from '../../domain/result.js';
import { isUuid } from '../../schemas/common.js';
import type { Tx } from '../client.js';
import { applicationLoans, applications, loanRepayments, loans, loanVersions, projects } from '../schema/index.js';
import { currentFacts, lockInstitutionLoans } from './loans.js';

export type ChangeStatus =
  | 'loan_not_found'
  | 'loan_ref_immutable'
  | 'content_unchanged'
  | 'rules_not_met'
  | 'loan_under_support'
  | 'principal_below_repaid'
  | 'repayment_exceeds_outstanding'
  | 'repayment_before_disbursement'
  | 'repayment_in_future'
  | 'loan_not_flagged';

type Fail = { ok: false; status: ChangeStatus; message: string; violations?: Violation[] };
const no = (status: ChangeStatus, message: string, violations?: Violation[]): Fail => ({ ...fail(status), message, violations });

/** The project's own columns as an amendment states them: ProjectFacts names them like the table. */
const projectColumns = ({ ref: _ref, ...columns }: ProjectFacts) => columns;

async function lockLoan(tx: Tx, loanId: string, institutionId: string | undefined) {
  if (!isUuid(loanId)) return null;
  const where = institutionId ? and(eq(loans.id, loanId), eq(loans.institutionId, institutionId)) : eq(loans.id, loanId);
  const [row] = await tx.select().from(loans).where(where).for('update');
  return row ?? null;
}

/** Is the loan listed on a live application (submitted, approved or disbursed)? */
async function underSupport(tx: Tx, loanId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: applications.id })
    .from(applicationLoans)
    .innerJoin(applications, eq(applicationLoans.applicationId, applications.id))
    .where(and(eq(applicationLoans.loanId, loanId), eq(applicationLoans.active, 1), sql`${applications.status} <> 'rejected'`))
    .limit(1);
  return rows.length > 0;
}

export async function amendLoan(
  tx: Tx,
  input: { loanId: string; institutionId: string; institution: InstitutionWindow; userId: string; reason: string; facts: LoanFacts; today: string },
): Promise<Ok<{ id: string; version: number }> | Fail> {
  await lockInstitutionLoans(tx, input.institutionId);
  const current = await lockLoan(tx, input.loanId, input.institutionId);
  if (!current) return no('loan_not_found', `loan ${input.loanId} not found`);
  const f = input.facts;
  if (f.loanRef !== current.loanRef) return no('loan_ref_immutable', `the loan reference is ${current.loanRef} and cannot change; submit a new loan instead`);
  const sha = loanContentSha256(f);
  if (sha === current.contentSha256) return no('content_unchanged', 'the amendment is identical to the current version');

  const supportFieldsChanged = f.principalFen !== current.principalFen || f.disbursedOn !== current.disbursedOn || f.ratePpm !== current.ratePpm;
  if (supportFieldsChanged && (await underSupport(tx, current.id))) {
    return no('loan_under_support', 'the loan is listed on a refinancing application: its principal, rate and disbursement date can no longer change');
  }

  const { violations, assessment } = assessLoan(f, { today: input.today, institution: input.institution });
  const errors = [...violations];
  const repaidFen = current.principalFen - current.outstandingFen;
  if (f.principalFen < repaidFen) {
    errors.push({ path: 'principal', code: 'principal_below_repaid', message: `${formatYuan(repaidFen)} has already been repaid on this loan` });
  }

  // funding of the old and new project
  const [oldProject] = await tx.select().from(projects).where(eq(projects.id, current.projectId)).for('update');
  const [sameRefProject] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.institutionId, input.institutionId), eq(projects.ref, f.project.ref)))
    .for('update');
  const target = sameRefProject ?? null;
  const fundedOnTarget = target ? (target.id === oldProject.id ? target.fundedFen - current.principalFen : target.fundedFen) : 0n;
  const funding = checkProjectFunding({ fundedFen: fundedOnTarget, addFen: f.principalFen, totalInvestmentFen: f.project.totalInvestmentFen, projectRef: f.project.ref });
  if (funding && !errors.some((e) => e.code === 'project_overfunded')) errors.push(funding);
  if (errors.length || !assessment) return no('rules_not_met', 'the amended loan breaks rules of the facility', errors);

  let projectId: string;
  if (target) {
    projectId = target.id;
    await tx
      .update(projects)
      .set({ ...projectColumns(f.project), fundedFen: fundedOnTarget + f.principalFen })
      .where(eq(projects.id, target.id));
  } else {
    projectId = randomUUID();
    await tx.insert(projects).values({ id: projectId, institutionId: input.institutionId, ref: f.project.ref, ...projectColumns(f.project), fundedFen: f.principalFen });
  }
  if (oldProject.id !== projectId) {
    await tx.update(projects).set({ fundedFen: oldProject.fundedFen - current.principalFen }).where(eq(projects.id, oldProject.id));
  }

  // archive the current version before it is replaced
  await tx.insert(loanVersions).values({
    loanId: current.id,
    version: current.version,
    content: loanTextFromFacts(currentFacts(current, oldProject)),
    contentSha256: current.contentSha256,
    changedBy: current.changedBy,
    reason: current.changeReason,
    createdAt: current.updatedAt,
  });

  // an operator's acceptance stays valid while what it judged (rate and dates) is unchanged
  const keepAcceptance = current.eligibility === 'accepted' && assessment.eligibility === 'flagged' && f.ratePpm === current.ratePpm && f.disbursedOn === current.disbursedOn && f.maturesOn === current.maturesOn;
  const version = current.version + 1;
  await tx
    .update(loans)
    .set({
      projectId,
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
      changedBy: input.userId,
      changeReason: input.reason,
      updatedAt: new Date(),
    })
    .where(eq(loans.id, current.id));
  return ok({ id: current.id, version });
}

export async function recordRepayment(
  tx: Tx,
  input: { loanId: string; institutionId: string; userId: string; repaidOn: string; amountFen: bigint; today: string },
): Promise<Ok<{ id: string; outstandingFen: bigint }> | Fail> {
  const loan = await lockLoan(tx, input.loanId, input.institutionId);
  if (!loan) return no('loan_not_found', `loan ${input.loanId} not found`);
  if (input.repaidOn < loan.disbursedOn) return no('repayment_before_disbursement', `repayment date ${input.repaidOn} is before the disbursement on ${loan.disbursedOn}`);
  if (input.repaidOn > input.today) return no('repayment_in_future', `repayment date ${input.repaidOn} is after today (${input.today})`);
  if (input.amountFen <= 0n || input.amountFen > loan.outstandingFen) {
    return no('repayment_exceeds_outstanding', `repayment must be more than 0 and at most the outstanding principal ${formatYuan(loan.outstandingFen)}`);
  }
  const id = randomUUID();
  await tx.insert(loanRepayments).values({ id, loanId: loan.id, repaidOn: input.repaidOn, amountFen: input.amountFen, createdBy: input.userId });
  const outstandingFen = loan.outstandingFen - input.amountFen;
  await tx.update(loans).set({ outstandingFen, updatedAt: new Date() }).where(eq(loans.id, loan.id));
  return ok({ id, outstandingFen });
}

export async function acceptFlaggedLoan(tx: Tx, input: { loanId: string; userId: string; reason: string }): Promise<Ok<{ id: string }> | Fail> {
  const loan = await lockLoan(tx, input.loanId, undefined);
  if (!loan) return no('loan_not_found', `loan ${input.loanId} not found`);
  if (loan.eligibility !== 'flagged') return no('loan_not_flagged', `the loan is ${loan.eligibility}; only a flagged loan can be accepted`);
  await tx.update(loans).set({ eligibility: 'accepted', acceptedBy: input.userId, acceptedReason: input.reason, acceptedAt: new Date(), updatedAt: new Date() }).where(eq(loans.id, loan.id));
  return ok({ id: loan.id });
}
