/**
 * Loan persistence. A batch is checked row by row in memory against the stored loans and projects
 * (read once, under a per-institution lock), then every accepted row is written with a handful of
 * set-based statements in one transaction. A row with errors writes nothing; other rows go on.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { loanTextFromFacts, loanContentSha256, type LoanFacts, type ProjectFacts } from '../../domain/loans/facts.js';
import { assessLoan, checkProjectFunding, projectDifferences, type InstitutionWindow } from '../../domain/loans/rules.js';
import type { Violation } from '../../domain/result.js';
import { isUuid } from '../../schemas/common.js';
import { bulkInsert, type BulkColumn } from '../bulk.js';
import type { Tx } from '../client.js';
import { institutions, loanRepayments, loans, loanVersions, projects, users } from '../schema/index.js';

export type LoanRow = typeof loans.$inferSelect;

const PROJECT_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'uuid' }, { name: 'institution_id', type: 'uuid' }, { name: 'ref', type: 'text' }, { name: 'name', type: 'text' },
  { name: 'province', type: 'text' }, { name: 'sub_area', type: 'text' }, { name: 'total_investment_fen', type: 'int8' },
  { name: 'annual_reduction_centitonnes', type: 'int8' }, { name: 'reduction_basis', type: 'text' }, { name: 'evidence_title', type: 'text' },
  { name: 'evidence_sha256', type: 'text' }, { name: 'funded_fen', type: 'int8' },
];
const LOAN_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'uuid' }, { name: 'institution_id', type: 'uuid' }, { name: 'loan_ref', type: 'text' }, { name: 'project_id', type: 'uuid' },
  { name: 'borrower_name', type: 'text' }, { name: 'borrower_credit_code', type: 'text' }, { name: 'principal_fen', type: 'int8' },
  { name: 'outstanding_fen', type: 'int8' }, { name: 'rate_ppm', type: 'int8' }, { name: 'disbursed_on', type: 'date' }, { name: 'matures_on', type: 'date' },
  { name: 'taxonomy_version', type: 'text' }, { name: 'policy_version', type: 'text' }, { name: 'lpr_tenor', type: 'text' }, { name: 'lpr_month', type: 'text' },
  { name: 'lpr_ppm', type: 'int8' }, { name: 'within_lpr_band', type: 'bool' }, { name: 'eligibility', type: 'text' }, { name: 'flags', type: 'jsonb' },
  { name: 'content_sha256', type: 'text' }, { name: 'changed_by', type: 'uuid' },
];
export type ProjectRow = typeof projects.$inferSelect;

export type SubmittedRow = { index: number; facts: LoanFacts | null; violations: Violation[] };
export type RowResult =
  | { index: number; loanRef?: string; status: 'created' | 'unchanged'; id: string; eligible: boolean }
  | { index: number; loanRef?: string; status: 'error'; errors: Violation[] };

const projectFactsOf = (p: ProjectRow): ProjectFacts => ({
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

const isEligible = (eligibility: string) => eligibility === 'eligible' || eligibility === 'accepted';

/**
 * Submits rows (already shape-checked; `facts` null when the shape failed) for one institution.
 * Must run inside a transaction.
 */
export async function submitLoans(
  tx: Tx,
  input: { institutionId: string; institution: InstitutionWindow; userId: string; today: string; rows: SubmittedRow[] },
): Promise<RowResult[]> {
  await lockInstitutionLoans(tx, input.institutionId);
  const refs = [...new Set(input.rows.flatMap((r) => (r.facts ? [r.facts.loanRef] : [])))];
  const projectRefs = [...new Set(input.rows.flatMap((r) => (r.facts ? [r.facts.project.ref] : [])))];

  const existingLoans = new Map<string, { id: string; contentSha256: string; eligibility: string }>();
  const storedLoans = await tx
    .select({ id: loans.id, loanRef: loans.loanRef, contentSha256: loans.contentSha256, eligibility: loans.eligibility })
    .from(loans)
    .where(and(eq(loans.institutionId, input.institutionId), sql`${loans.loanRef} = any(${sql.param(refs)}::text[])`));
  for (const row of storedLoans) existingLoans.set(row.loanRef, row);
  type ProjectState = { id: string; facts: ProjectFacts; fundedFen: bigint; isNew: boolean; touched: boolean };
  const projectState = new Map<string, ProjectState>();
  const storedProjects = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.institutionId, input.institutionId), sql`${projects.ref} = any(${sql.param(projectRefs)}::text[])`));
  for (const row of storedProjects) projectState.set(row.ref, { id: row.id, facts: projectFactsOf(row), fundedFen: row.fundedFen, isNew: false, touched: false });

  const results: RowResult[] = [];
  const newLoans: { id: string; facts: LoanFacts; sha: string; projectId: string; assessment: NonNullable<ReturnType<typeof assessLoan>['assessment']> }[] = [];
  const seenInBatch = new Map<string, { id: string; sha: string; eligible: boolean }>();

  for (const row of input.rows) {
    const loanRef = row.facts?.loanRef;
    if (!row.facts) {
      results.push({ index: row.index, loanRef, status: 'error', errors: row.violations });
      continue;
    }
    const f = row.facts;
    const sha = loanContentSha256(f);
    const stored = existingLoans.get(f.loanRef) ?? null;
    const earlier = seenInBatch.get(f.loanRef) ?? null;
    const known = stored ? { id: stored.id, sha: stored.contentSha256, eligible: isEligible(stored.eligibility) } : earlier;
    if (known) {
      if (known.sha === sha) results.push({ index: row.index, loanRef, status: 'unchanged', id: known.id, eligible: known.eligible });
      else
        results.push({
          index: row.index,
          loanRef,
          status: 'error',
          errors: [{ path: 'loanRef', code: 'loan_ref_conflict', message: `loan ${f.loanRef} already exists with different content; change it with POST /api/v1/loans/${known.id}/amendments` }],
        });
      continue;
    }
    const { violations, assessment } = assessLoan(f, { today: input.today, institution: input.institution });
    const errors = [...row.violations, ...violations];
    let project = projectState.get(f.project.ref);
    if (project) {
      const differences = projectDifferences(project.facts, f.project);
      for (const field of differences) {
        errors.push({ path: `project.${field}`, code: 'project_mismatch', message: `project ${f.project.ref} is already recorded with a different ${field}; amend the project's loans to change it` });
      }
    }
    if (!errors.some((e) => e.code === 'project_overfunded')) {
      const funding = checkProjectFunding({
        fundedFen: project?.fundedFen ?? 0n,
        addFen: f.principalFen,
        totalInvestmentFen: project?.facts.totalInvestmentFen ?? f.project.totalInvestmentFen,
        projectRef: f.project.ref,
      });
      if (funding) errors.push(funding);
    }
    if (errors.length || !assessment) {
      results.push({ index: row.index, loanRef, status: 'error', errors });
      continue;
    }
    if (!project) {
      project = { id: randomUUID(), facts: f.project, fundedFen: 0n, isNew: true, touched: true };
      projectState.set(f.project.ref, project);
    }
    project.fundedFen += f.principalFen;
    project.touched = true;
    const id = randomUUID();
    newLoans.push({ id, facts: f, sha, projectId: project.id, assessment });
    seenInBatch.set(f.loanRef, { id, sha, eligible: assessment.eligibility === 'eligible' });
    results.push({ index: row.index, loanRef, status: 'created', id, eligible: assessment.eligibility === 'eligible' });
  }

  const createdProjects = [...projectState.values()].filter((p) => p.isNew);
  const fundedUpdates = [...projectState.values()].filter((p) => p.touched && !p.isNew);
  await bulkInsert(
    tx,
    'projects',
    PROJECT_COLUMNS,
    createdProjects.map((p) => [
      p.id, input.institutionId, p.facts.ref, p.facts.name, p.facts.province, p.facts.subArea, p.facts.totalInvestmentFen,
      p.facts.annualReductionCentitonnes, p.facts.reductionBasis, p.facts.evidenceTitle, p.facts.evidenceSha256, p.fundedFen,
    ]),
  );
  if (fundedUpdates.length) {
    await tx.execute(sql`
      update projects p set funded_fen = u.funded
      from unnest(${sql.param(fundedUpdates.map((p) => p.id))}::uuid[], ${sql.param(fundedUpdates.map((p) => p.fundedFen.toString()))}::int8[]) as u(id, funded)
      where p.id = u.id`);
  }
  await bulkInsert(
    tx,
    'loans',
    LOAN_COLUMNS,
    newLoans.map((l) => [
      l.id, input.institutionId, l.facts.loanRef, l.projectId, l.facts.borrowerName, l.facts.borrowerCreditCode, l.facts.principalFen,
      l.facts.principalFen, l.facts.ratePpm, l.facts.disbursedOn, l.facts.maturesOn, l.assessment.taxonomyVersion, l.assessment.policyVersion,
      l.assessment.lpr.tenor, l.assessment.lpr.month, l.assessment.lpr.lprPpm, l.assessment.lpr.withinBand, l.assessment.eligibility,
      JSON.stringify(l.assessment.flags), l.sha, input.userId,
    ]),
  );
  return results;
}

export type LoanScope = { institutionId?: string };

const loanWithProject = {
  loan: loans,
  project: projects,
  institutionCode: institutions.code,
};

export async function findLoan(db: Tx, id: string, scope: LoanScope) {
  if (!isUuid(id)) return null;
  const where = scope.institutionId ? and(eq(loans.id, id), eq(loans.institutionId, scope.institutionId)) : eq(loans.id, id);
  const [row] = await db
    .select(loanWithProject)
    .from(loans)
    .innerJoin(projects, eq(loans.projectId, projects.id))
    .innerJoin(institutions, eq(loans.institutionId, institutions.id))
    .where(where)
    .limit(1);
  return row ?? null;
}

export type LoanListFilter = {
  institutionId?: string;
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
  if (filter.after) {
    conditions.push(sql`(${loans.disbursedOn}, ${loans.id}) > (${filter.after.disbursedOn}::date, ${filter.after.id}::uuid)`);
  }
  return db
    .select(loanWithProject)
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
    .select({ version: loanVersions.version, content: loanVersions.content, contentSha256: loanVersions.contentSha256, changedBy: users.name, reason: loanVersions.reason, createdAt: loanVersions.createdAt })
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
  return db.select().from(loanRepayments).where(eq(loanRepayments.loanId, loanId)).orderBy(asc(loanRepayments.repaidOn), asc(loanRepayments.createdAt));
}

