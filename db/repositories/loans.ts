/**
 * Loans and their projects: the reads a submission needs (stored loans and projects by reference,
 * under a per-institution lock), the set-based writes of a batch (COPY / unnest through db/bulk.ts)
 * and the read side (one loan, a page of loans, versions, repayments). Plain rows in and out; the
 * story of a submission lives in app/loans/submit-loans.ts.
 */
import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { loanTextFromFacts, type LoanFacts, type ProjectFacts } from '../../domain/loans/facts.js';
import type { LoanAssessment } from '../../domain/loans/rules.js';
import { isUuid } from '../../schemas/common.js';
import { bulkInsert, type BulkColumn } from '../bulk.js';
import { loanSupportOn } from '../sql/loan-support.js';
import type { Tx } from '../client.js';
import { institutions, loanRepayments, loans, loanVersions, projects, users } from '../schema/index.js';

export type LoanRow = typeof loans.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;

const PROJECT_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'institution_id', type: 'uuid' },
  { name: 'ref', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'province', type: 'text' },
  { name: 'sub_area', type: 'text' },
  { name: 'total_investment_fen', type: 'int8' },
  { name: 'annual_reduction_centitonnes', type: 'int8' },
  { name: 'reduction_basis', type: 'text' },
  { name: 'evidence_title', type: 'text' },
  { name: 'evidence_sha256', type: 'text' },
  { name: 'funded_fen', type: 'int8' },
];
const LOAN_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'institution_id', type: 'uuid' },
  { name: 'loan_ref', type: 'text' },
  { name: 'project_id', type: 'uuid' },
  { name: 'borrower_name', type: 'text' },
  { name: 'borrower_credit_code', type: 'text' },
  { name: 'principal_fen', type: 'int8' },
  { name: 'outstanding_fen', type: 'int8' },
  { name: 'rate_ppm', type: 'int8' },
  { name: 'disbursed_on', type: 'date' },
  { name: 'matures_on', type: 'date' },
  { name: 'taxonomy_version', type: 'text' },
  { name: 'policy_version', type: 'text' },
  { name: 'lpr_tenor', type: 'text' },
  { name: 'lpr_month', type: 'text' },
  { name: 'lpr_ppm', type: 'int8' },
  { name: 'within_lpr_band', type: 'bool' },
  { name: 'eligibility', type: 'text' },
  { name: 'flags', type: 'jsonb' },
  { name: 'content_sha256', type: 'text' },
  { name: 'changed_by', type: 'uuid' },
  { name: 'register_id', type: 'uuid' },
];

/** A project's facts as stored (ProjectFacts names them like the table). */
export const projectFactsOf = (p: ProjectRow): ProjectFacts => ({
  ref: p.ref,
  name: p.name,
  province: p.province,
  subArea: p.subArea,
  totalInvestmentFen: p.totalInvestmentFen,
  annualReductionCentitonnes: p.annualReductionCentitonnes,
  reductionBasis: p.reductionBasis,
  evidenceTitle: p.evidenceTitle,
  evidenceSha256: p.evidenceSha256,
});

/** Serialises writes to one institution's loans and projects for the rest of the transaction. */
export async function lockInstitutionLoans(tx: Tx, institutionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'loans:' + institutionId}))`);
}

/** The institution's stored loans among `refs`: id, reference, content hash and eligibility. */
export async function findLoansByRefs(tx: Tx, institutionId: string, refs: string[]) {
  return tx
    .select({ id: loans.id, loanRef: loans.loanRef, contentSha256: loans.contentSha256, eligibility: loans.eligibility })
    .from(loans)
    .where(and(eq(loans.institutionId, institutionId), sql`${loans.loanRef} = any(${sql.param(refs)}::text[])`));
}

/** The institution's stored projects among `refs`. */
export async function findProjectsByRefs(tx: Tx, institutionId: string, refs: string[]): Promise<ProjectRow[]> {
  return tx
    .select()
    .from(projects)
    .where(and(eq(projects.institutionId, institutionId), sql`${projects.ref} = any(${sql.param(refs)}::text[])`));
}

/** New projects of one institution, in one bulk statement (COPY or unnest). */
export async function insertProjects(
  tx: Tx,
  institutionId: string,
  rows: { id: string; facts: ProjectFacts; fundedFen: bigint }[],
): Promise<void> {
  await bulkInsert(
    tx,
    'projects',
    PROJECT_COLUMNS,
    rows.map((p) => [
      p.id,
      institutionId,
      p.facts.ref,
      p.facts.name,
      p.facts.province,
      p.facts.subArea,
      p.facts.totalInvestmentFen,
      p.facts.annualReductionCentitonnes,
      p.facts.reductionBasis,
      p.facts.evidenceTitle,
      p.facts.evidenceSha256,
      p.fundedFen,
    ]),
  );
}

/** Sets the funded total of many projects in one statement. */
export async function setProjectsFunded(tx: Tx, rows: { id: string; fundedFen: bigint }[]): Promise<void> {
  if (!rows.length) return;
  await tx.execute(sql`
      update projects p set funded_fen = u.funded
      from unnest(${sql.param(rows.map((p) => p.id))}::uuid[], ${sql.param(rows.map((p) => p.fundedFen.toString()))}::int8[]) as u(id, funded)
      where p.id = u.id`);
}

/** A first version of a loan, as a submission writes it (outstanding = principal). */
export type NewLoan = { id: string; facts: LoanFacts; sha: string; projectId: string; registerId: string; assessment: LoanAssessment };

/** New loans of one institution, written by `userId`, in one bulk statement (COPY or unnest). */
export async function insertLoans(tx: Tx, institutionId: string, userId: string, rows: NewLoan[]): Promise<void> {
  await bulkInsert(
    tx,
    'loans',
    LOAN_COLUMNS,
    rows.map((l) => [
      l.id,
      institutionId,
      l.facts.loanRef,
      l.projectId,
      l.facts.borrowerName,
      l.facts.borrowerCreditCode,
      l.facts.principalFen,
      l.facts.principalFen,
      l.facts.ratePpm,
      l.facts.disbursedOn,
      l.facts.maturesOn,
      l.assessment.taxonomyVersion,
      l.assessment.policyVersion,
      l.assessment.lpr.tenor,
      l.assessment.lpr.month,
      l.assessment.lpr.lprPpm,
      l.assessment.lpr.withinBand,
      l.assessment.eligibility,
      JSON.stringify(l.assessment.flags),
      l.sha,
      userId,
      l.registerId,
    ]),
  );
}

/** whose loan (none: any bank's), and the day its support status is read on (today) */
export type LoanScope = { institutionId?: string; on: string };

/** A loan with its project, its bank's code and its support status on `on` (db/sql/loan-support.ts). */
const loanWithProject = (on: string) => ({
  loan: loans,
  project: projects,
  institutionCode: institutions.code,
  support: loanSupportOn(on),
});

export async function findLoan(db: Tx, id: string, scope: LoanScope) {
  if (!isUuid(id)) return null;
  const where = scope.institutionId ? and(eq(loans.id, id), eq(loans.institutionId, scope.institutionId)) : eq(loans.id, id);
  const [row] = await db
    .select(loanWithProject(scope.on))
    .from(loans)
    .innerJoin(projects, eq(loans.projectId, projects.id))
    .innerJoin(institutions, eq(loans.institutionId, institutions.id))
    .where(where)
    .limit(1);
  return row ?? null;
}

export type LoanListFilter = {
  institutionId?: string;
  /** the day the support status is read on (today) */
  on: string;
  /** true: listed on a live application (submitted, approved or disbursed); false: on none */
  supported?: boolean;
  subArea?: string;
  disbursedFrom?: string;
  disbursedTo?: string;
  eligibility?: 'eligible' | 'flagged' | 'accepted';
  eligible?: boolean;
  projectRef?: string;
  after?: { disbursedOn: string; id: string };
  limit: number;
};

/** Loans ordered by (disbursement date, id), from an opaque keyset cursor. */
export async function listLoans(db: Tx, filter: LoanListFilter) {
  const conditions: SQL[] = [];
  if (filter.institutionId) conditions.push(eq(loans.institutionId, filter.institutionId));
  if (filter.subArea) conditions.push(eq(projects.subArea, filter.subArea));
  if (filter.disbursedFrom) conditions.push(gte(loans.disbursedOn, filter.disbursedFrom));
  if (filter.disbursedTo) conditions.push(lte(loans.disbursedOn, filter.disbursedTo));
  if (filter.eligibility) conditions.push(eq(loans.eligibility, filter.eligibility));
  if (filter.eligible === true) conditions.push(inArray(loans.eligibility, ['eligible', 'accepted']));
  if (filter.eligible === false) conditions.push(eq(loans.eligibility, 'flagged'));
  if (filter.projectRef) conditions.push(eq(projects.ref, filter.projectRef));
  const support = loanSupportOn(filter.on);
  if (filter.supported === true) conditions.push(sql`${support} is not null`);
  if (filter.supported === false) conditions.push(sql`${support} is null`);
  if (filter.after) {
    conditions.push(sql`(${loans.disbursedOn}, ${loans.id}) > (${filter.after.disbursedOn}::date, ${filter.after.id}::uuid)`);
  }
  return db
    .select(loanWithProject(filter.on))
    .from(loans)
    .innerJoin(projects, eq(loans.projectId, projects.id))
    .innerJoin(institutions, eq(loans.institutionId, institutions.id))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(loans.disbursedOn), asc(loans.id))
    .limit(filter.limit + 1);
}

/** The facts of a loan's current version, from its row and its project's. */
export function currentFacts(loan: LoanRow, project: ProjectRow): LoanFacts {
  return {
    loanRef: loan.loanRef,
    borrowerName: loan.borrowerName,
    borrowerCreditCode: loan.borrowerCreditCode,
    project: projectFactsOf(project),
    principalFen: loan.principalFen,
    ratePpm: loan.ratePpm,
    disbursedOn: loan.disbursedOn,
    maturesOn: loan.maturesOn,
  };
}

/** Every version of a loan, oldest first: the archived ones, then the current one. */
export async function listLoanVersions(db: Tx, loanId: string) {
  const archived = await db
    .select({
      version: loanVersions.version,
      content: loanVersions.content,
      contentSha256: loanVersions.contentSha256,
      changedBy: users.name,
      reason: loanVersions.reason,
      createdAt: loanVersions.createdAt,
    })
    .from(loanVersions)
    .innerJoin(users, eq(loanVersions.changedBy, users.id))
    .where(eq(loanVersions.loanId, loanId))
    .orderBy(asc(loanVersions.version));
  const [current] = await db
    .select({ loan: loans, project: projects, changedBy: users.name })
    .from(loans)
    .innerJoin(projects, eq(loans.projectId, projects.id))
    .innerJoin(users, eq(loans.changedBy, users.id))
    .where(eq(loans.id, loanId));
  if (!current) return archived;
  return [
    ...archived,
    {
      version: current.loan.version,
      content: loanTextFromFacts(currentFacts(current.loan, current.project)) as unknown,
      contentSha256: current.loan.contentSha256,
      changedBy: current.changedBy,
      reason: current.loan.changeReason,
      createdAt: current.loan.updatedAt,
    },
  ];
}

export async function listRepayments(db: Tx, loanId: string) {
  return db
    .select()
    .from(loanRepayments)
    .where(eq(loanRepayments.loanId, loanId))
    .orderBy(asc(loanRepayments.repaidOn), asc(loanRepayments.createdAt));
}
