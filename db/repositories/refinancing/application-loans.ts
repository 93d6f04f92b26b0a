/**
 * The loans an application lists: the bank's loans with the live application that lists them and their
 * outstanding principal on a date, the loans that qualify for support (the SQL mirror of the domain rule),
 * and the application's loan rows (bulk insert, listing, leaving loans out). Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, asc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { IsoDate } from '../../../domain/dates.js';
import type { PolicyVersion } from '../../../domain/policy/index.js';
import { bulkInsert } from '../../bulk.js';
import type { Tx } from '../../client.js';
import { applicationLoans, loanRepayments, loans } from '../../schema/index.js';
import { outstandingOnFenSql } from '../../sql/refinancing/outstanding-on-fen.js';
import { qualifiesForSupportSql } from '../../sql/refinancing/qualifies-for-support.js';
import type { LoanRow } from '../loans.js';
import type { ApplicationRow } from './applications.js';

/**
 * A loan with the status of the application that lists it on an active row, if any, and its outstanding
 * principal on the application date (principal less the repayments dated on or before it).
 */
export type LoanWithLive = { loan: LoanRow; liveStatus: ApplicationRow['status'] | null; outstandingOnFen: bigint };

/** The repayments of the loan whose id is `loanId`, as `outstandingOnFenSql` reads them. */
export const repaymentsOfLoanSql = (loanId: SQL) =>
  sql`(select ${loanRepayments.repaidOn} as repaid_on, ${loanRepayments.amountFen} as amount_fen from ${loanRepayments} where ${loanRepayments.loanId} = ${loanId})`;

const loanOutstandingOnSql = (on: IsoDate) =>
  outstandingOnFenSql({ principalFen: sql`${loans.principalFen}`, repayments: repaymentsOfLoanSql(sql`${loans.id}`) }, sql`${on}::date`);

async function loansWithLiveStatus(tx: Tx, where: SQL, on: IsoDate): Promise<LoanWithLive[]> {
  // per loan through the one-live-row index (application_loans_live_loan), not a join over every live row
  // (spelled out: drizzle writes a select field's columns without their table)
  const liveStatus = sql<ApplicationRow['status'] | null>`(select a.status from application_loans al
    join applications a on a.id = al.application_id where al.loan_id = "loans"."id" and al.active = 1)`;
  const rows = await tx
    .select({ loan: loans, liveStatus, outstandingOnFen: sql<string>`${loanOutstandingOnSql(on)}::text` })
    .from(loans)
    .where(where);
  return rows.map((r) => ({ loan: r.loan, liveStatus: r.liveStatus ?? null, outstandingOnFen: BigInt(r.outstandingOnFen) }));
}

/** The bank's loans by id or by reference (those that exist), with their outstanding principal on `on`. */
export function loansOfBank(
  tx: Tx,
  institutionId: string,
  by: { ids: string[] } | { refs: string[] },
  on: IsoDate,
): Promise<LoanWithLive[]> {
  return loansWithLiveStatus(
    tx,
    and(
      eq(loans.institutionId, institutionId),
      'ids' in by ? inArray(loans.id, by.ids) : sql`${loans.loanRef} = any(${sql.param(by.refs)}::text[])`,
    )!,
    on,
  );
}

/** The bank's loans disbursed through `disbursedThrough` that qualify for support on `appliedOn` (before the live-application check). */
export function qualifyingLoans(
  tx: Tx,
  institutionId: string,
  disbursedThrough: IsoDate,
  appliedOn: IsoDate,
  policy: Pick<PolicyVersion, 'loansDisbursedFrom'>,
): Promise<LoanWithLive[]> {
  return loansWithLiveStatus(
    tx,
    and(
      eq(loans.institutionId, institutionId),
      lte(loans.disbursedOn, disbursedThrough),
      qualifiesForSupportSql(
        {
          disbursedOn: sql`${loans.disbursedOn}`,
          maturesOn: sql`${loans.maturesOn}`,
          eligibility: sql`${loans.eligibility}`,
          outstandingFen: loanOutstandingOnSql(appliedOn),
        },
        sql`${appliedOn}::date`,
        policy,
      ),
    )!,
    appliedOn,
  );
}

/** An application's loans in one bulk statement (COPY or unnest: an application may list thousands). */
export async function insertApplicationLoans(tx: Tx, rows: (typeof applicationLoans.$inferInsert)[]) {
  await bulkInsert(
    tx,
    'application_loans',
    [
      { name: 'application_id', type: 'uuid' },
      { name: 'loan_id', type: 'uuid' },
      { name: 'principal_fen', type: 'int8' },
      { name: 'requested_support_fen', type: 'int8' },
      { name: 'active', type: 'int4' },
      { name: 'position', type: 'int4' },
      { name: 'loan_principal_fen', type: 'int8' },
      { name: 'loan_matures_on', type: 'date' },
      { name: 'loan_eligibility', type: 'text' },
      { name: 'loan_disbursed_on', type: 'date' },
    ],
    rows.map((r) => [
      r.applicationId,
      r.loanId,
      r.principalFen,
      r.requestedSupportFen,
      r.active ?? 1,
      r.position ?? null,
      r.loanPrincipalFen,
      r.loanMaturesOn,
      r.loanEligibility,
      r.loanDisbursedOn,
    ]),
  );
}

export async function applicationLoansOf(tx: Tx, applicationId: string) {
  return tx
    .select({
      loanId: applicationLoans.loanId,
      loanRef: loans.loanRef,
      disbursedOn: loans.disbursedOn,
      principalFen: applicationLoans.principalFen,
      requestedSupportFen: applicationLoans.requestedSupportFen,
      outstandingFen: loans.outstandingFen,
      eligibility: loans.eligibility,
      active: applicationLoans.active,
    })
    .from(applicationLoans)
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(eq(applicationLoans.applicationId, applicationId))
    .orderBy(asc(loans.disbursedOn), asc(loans.loanRef));
}

/**
 * The application's live loans in the order it listed them (`position`; rows written before positions
 * were kept fall back to the order they were shown in: disbursement date, then reference), each with
 * its requested support.
 */
export async function listedLoansOf(
  tx: Tx,
  applicationId: string,
): Promise<{ loanId: string; loanRef: string; disbursedOn: IsoDate; requestedSupportFen: bigint }[]> {
  return tx
    .select({
      loanId: applicationLoans.loanId,
      loanRef: loans.loanRef,
      disbursedOn: loans.disbursedOn,
      requestedSupportFen: applicationLoans.requestedSupportFen,
    })
    .from(applicationLoans)
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(and(eq(applicationLoans.applicationId, applicationId), eq(applicationLoans.active, 1)))
    .orderBy(sql`${applicationLoans.position} asc nulls last`, asc(loans.disbursedOn), asc(loans.loanRef));
}

/** Takes loans off the application (a partial approval left them out): they are free for a later one. */
export async function leaveOutLoans(tx: Tx, applicationId: string, loanIds: readonly string[]) {
  if (!loanIds.length) return;
  await tx
    .update(applicationLoans)
    .set({ active: 0 })
    .where(and(eq(applicationLoans.applicationId, applicationId), inArray(applicationLoans.loanId, [...loanIds])));
}
