/**
 * Loan persistence. A batch is checked row by row in memory against the stored loans and projects
 * (read once, under a per-institution lock), then every accepted row is written with a handful of
 * set-based statements in one transaction. A row with errors writes nothing; other rows go on.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import {
  assessLoan,
  checkProjectFunding,
  loanContentSha256,
  loanTextFromFacts,
  projectDifferences,
  type InstitutionWindow,
  type LoanFacts,
  type ProjectFacts,
} from '../../domain/loans/loan.js';
import type { Violation } from '../../domain/result.js';
import type { Tx } from '../client.js';
import { institutions, loanRepayments, loans, loanVersions, projects, users } from '../schema/index.js';

export type LoanRow = typeof loans.$inferSelect;
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
  for (let i = 0; i < refs.length; i += 5000) {
    const chunk = refs.slice(i, i + 5000);
    const rows = await tx
      .select({ id: loans.id, loanRef: loans.loanRef, contentSha256: loans.contentSha256, eligibility: loans.eligibility })
      .from(loans)
      .where(and(eq(loans.institutionId, input.institutionId), inArray(loans.loanRef, chunk)));
    for (const row of rows) existingLoans.set(row.loanRef, row);
  }
  type ProjectState = { id: string; facts: ProjectFacts; fundedFen: bigint; isNew: boolean; touched: boolean };
  const projectState = new Map<string, ProjectState>();
  for (let i = 0; i < projectRefs.length; i += 5000) {
    const chunk = projectRefs.slice(i, i + 5000);
    const rows = await tx.select().from(projects).where(and(eq(projects.institutionId, input.institutionId), inArray(projects.ref, chunk)));
    for (const row of rows) projectState.set(row.ref, { id: row.id, facts: projectFactsOf(row), fundedFen: row.fundedFen, isNew: false, touched: false });
  }

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
  const col = <T>(items: T[], pick: (t: T) => unknown) => sql.param(items.map(pick));

  for (let i = 0; i < createdProjects.length; i += 5000) {
    const chunk = createdProjects.slice(i, i + 5000);
    await tx.execute(sql`
      insert into projects (id, institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes,
                            reduction_basis, evidence_title, evidence_sha256, funded_fen)
      select u.id, ${input.institutionId}::uuid, u.ref, u.name, u.province, u.sub_area, u.inv, u.red, u.basis, u.ev_title, u.ev_sha, u.funded
      from unnest(${col(chunk, (p) => p.id)}::uuid[], ${col(chunk, (p) => p.facts.ref)}::text[], ${col(chunk, (p) => p.facts.name)}::text[],
                  ${col(chunk, (p) => p.facts.province)}::text[], ${col(chunk, (p) => p.facts.subArea)}::text[],
                  ${col(chunk, (p) => p.facts.totalInvestmentFen.toString())}::int8[], ${col(chunk, (p) => p.facts.annualReductionCentitonnes.toString())}::int8[],
                  ${col(chunk, (p) => p.facts.reductionBasis)}::text[], ${col(chunk, (p) => p.facts.evidenceTitle)}::text[],
                  ${col(chunk, (p) => p.facts.evidenceSha256)}::text[], ${col(chunk, (p) => p.fundedFen.toString())}::int8[])
        as u(id, ref, name, province, sub_area, inv, red, basis, ev_title, ev_sha, funded)`);
  }
  if (fundedUpdates.length) {
    await tx.execute(sql`
      update projects p set funded_fen = u.funded
      from unnest(${col(fundedUpdates, (p) => p.id)}::uuid[], ${col(fundedUpdates, (p) => p.fundedFen.toString())}::int8[]) as u(id, funded)
      where p.id = u.id`);
  }
  for (let i = 0; i < newLoans.length; i += 5000) {
    const chunk = newLoans.slice(i, i + 5000);
    await tx.execute(sql`
      insert into loans (id, institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen,
                         rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm,
                         within_lpr_band, eligibility, flags, content_sha256)
      select u.id, ${input.institutionId}::uuid, u.ref, u.project_id, u.bname, u.bcode, u.principal, u.principal, u.rate, u.disbursed, u.matures,
             u.tax, u.pol, u.tenor, u.lmonth, u.lpr, u.within, u.elig, u.flags, u.sha
      from unnest(${col(chunk, (l) => l.id)}::uuid[], ${col(chunk, (l) => l.facts.loanRef)}::text[], ${col(chunk, (l) => l.projectId)}::uuid[],
                  ${col(chunk, (l) => l.facts.borrowerName)}::text[], ${col(chunk, (l) => l.facts.borrowerCreditCode)}::text[],
                  ${col(chunk, (l) => l.facts.principalFen.toString())}::int8[], ${col(chunk, (l) => l.facts.ratePpm.toString())}::int8[],
                  ${col(chunk, (l) => l.facts.disbursedOn)}::date[], ${col(chunk, (l) => l.facts.maturesOn)}::date[],
                  ${col(chunk, (l) => l.assessment.taxonomyVersion)}::text[], ${col(chunk, (l) => l.assessment.policyVersion)}::text[],
                  ${col(chunk, (l) => l.assessment.lpr.tenor)}::text[], ${col(chunk, (l) => l.assessment.lpr.month)}::text[],
                  ${col(chunk, (l) => l.assessment.lpr.lprPpm.toString())}::int8[], ${col(chunk, (l) => l.assessment.lpr.withinBand)}::bool[],
                  ${col(chunk, (l) => l.assessment.eligibility)}::text[], ${col(chunk, (l) => JSON.stringify(l.assessment.flags))}::jsonb[],
                  ${col(chunk, (l) => l.sha)}::text[])
        as u(id, ref, project_id, bname, bcode, principal, rate, disbursed, matures, tax, pol, tenor, lmonth, lpr, within, elig, flags, sha)`);
    await tx.execute(sql`
      insert into loan_versions (loan_id, version, content, content_sha256, changed_by, reason)
      select u.id, 1, u.content, u.sha, ${input.userId}::uuid, null
      from unnest(${col(chunk, (l) => l.id)}::uuid[], ${col(chunk, (l) => JSON.stringify(loanTextFromFacts(l.facts)))}::jsonb[], ${col(chunk, (l) => l.sha)}::text[])
        as u(id, content, sha)`);
  }
  return results;
}

export type LoanScope = { institutionId?: string };

const loanWithProject = {
  loan: loans,
  project: projects,
  institutionCode: institutions.code,
};

export async function findLoan(db: Tx, id: string, scope: LoanScope) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
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

export async function listLoanVersions(db: Tx, loanId: string) {
  return db
    .select({ version: loanVersions.version, content: loanVersions.content, contentSha256: loanVersions.contentSha256, changedBy: users.name, reason: loanVersions.reason, createdAt: loanVersions.createdAt })
    .from(loanVersions)
    .innerJoin(users, eq(loanVersions.changedBy, users.id))
    .where(eq(loanVersions.loanId, loanId))
    .orderBy(asc(loanVersions.version));
}

export async function listRepayments(db: Tx, loanId: string) {
  return db.select().from(loanRepayments).where(eq(loanRepayments.loanId, loanId)).orderBy(asc(loanRepayments.repaidOn), asc(loanRepayments.createdAt));
}

