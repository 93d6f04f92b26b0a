/**
 * The bank's loan list (/bank): its loans with their project and their support status — the
 * application that lists the loan (its operation and status) and that application's latest tranche —
 * in one joined query, searched by the bank's own reference, project (reference or name), borrower or
 * credit code, and filtered by eligibility, sub-area, disbursement dates and support.
 */
import { and, asc, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { institutions, loans, projects } from '../schema/index.js';
import { loanSupportOn } from '../sql/loan-support.js';

export type { LoanSupport } from '../sql/loan-support.js';

export type BankLoanFilter = {
  institutionId: string;
  /** the day the tranches' statuses are read on (today) */
  on: string;
  /** text searched in the loan reference, project reference and name, borrower name and credit code */
  q?: string;
  eligibility?: 'eligible' | 'flagged' | 'accepted';
  subArea?: string;
  disbursedFrom?: string;
  disbursedTo?: string;
  /** 'supported': listed on a live application; 'unsupported': on none */
  support?: 'supported' | 'unsupported';
  /** one loan (its detail view) */
  loanId?: string;
  limit: number;
  offset?: number;
};

const likeText = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function bankLoans(db: Tx, filter: BankLoanFilter) {
  const support = loanSupportOn(filter.on);
  const conditions: SQL[] = [eq(loans.institutionId, filter.institutionId)];
  if (filter.q) {
    const like = likeText(filter.q);
    conditions.push(
      or(
        ilike(loans.loanRef, like),
        ilike(projects.ref, like),
        ilike(projects.name, like),
        ilike(loans.borrowerName, like),
        ilike(loans.borrowerCreditCode, like),
      )!,
    );
  }
  if (filter.loanId) conditions.push(eq(loans.id, filter.loanId));
  if (filter.eligibility) conditions.push(inArray(loans.eligibility, [filter.eligibility]));
  if (filter.subArea) conditions.push(eq(projects.subArea, filter.subArea));
  if (filter.disbursedFrom) conditions.push(gte(loans.disbursedOn, filter.disbursedFrom));
  if (filter.disbursedTo) conditions.push(lte(loans.disbursedOn, filter.disbursedTo));
  if (filter.support === 'supported') conditions.push(sql`${support} is not null`);
  if (filter.support === 'unsupported') conditions.push(sql`${support} is null`);
  return db
    .select({ loan: loans, project: projects, institutionCode: institutions.code, support })
    .from(loans)
    .innerJoin(projects, eq(loans.projectId, projects.id))
    .innerJoin(institutions, eq(loans.institutionId, institutions.id))
    .where(and(...conditions))
    .orderBy(asc(loans.disbursedOn), asc(loans.id))
    .limit(filter.limit)
    .offset(filter.offset ?? 0);
}

export type BankLoanRow = Awaited<ReturnType<typeof bankLoans>>[number];
