/**
 * A bank submits loans, one or a batch (docs/api.md, "Loans"). A batch is checked row by row in memory
 * against the institution's stored loans and projects (read once, under a per-institution lock), then
 * every accepted row is written with a handful of set-based statements (COPY on PostgreSQL, unnest on
 * PGlite). A row with errors writes nothing; the other rows go on. Today is `ctx.now` in Asia/Shanghai.
 */
import { randomUUID } from 'node:crypto';
import { shanghaiDate } from '../../domain/dates.js';
import { loanContentSha256, type LoanFacts, type ProjectFacts } from '../../domain/loans/facts.js';
import { assessLoan, checkProjectFunding, projectDifferences, type InstitutionWindow } from '../../domain/loans/rules.js';
import type { Violation } from '../../domain/result.js';
import { findInstitutionById } from '../../db/repositories/institutions.js';
import {
  findLoansByRefs,
  findProjectsByRefs,
  insertLoans,
  insertProjects,
  lockInstitutionLoans,
  projectFactsOf,
  setProjectsFunded,
  type NewLoan,
} from '../../db/repositories/loans.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

/** A submitted row, already shape-checked: `facts` is null when its shape failed (`violations` say how). */
export type SubmittedRow = { index: number; facts: LoanFacts | null; violations: Violation[] };
export type RowResult =
  | { index: number; loanRef?: string; status: 'created' | 'unchanged'; id: string; eligible: boolean }
  | { index: number; loanRef?: string; status: 'error'; errors: Violation[] };

const isEligible = (eligibility: string) => eligibility === 'eligible' || eligibility === 'accepted';

/** The acting bank's eligibility window, as stored. */
async function institutionWindow(ctx: ActorContext): Promise<InstitutionWindow> {
  const row = (await findInstitutionById(ctx.tx, ctx.actor.institutionId))!;
  return { eligibleFrom: row.eligibleFrom, eligibleUntil: row.eligibleUntil };
}

/** Submits rows for the acting bank; each row comes back created, unchanged or an error. */
export async function submitLoans(ctx: ActorContext, rows: SubmittedRow[]): Promise<RowResult[]> {
  const { tx } = ctx;
  const institutionId = ctx.actor.institutionId;
  const institution = await institutionWindow(ctx);
  const today = shanghaiDate(ctx.now);
  await lockInstitutionLoans(tx, institutionId);
  const refs = [...new Set(rows.flatMap((r) => (r.facts ? [r.facts.loanRef] : [])))];
  const projectRefs = [...new Set(rows.flatMap((r) => (r.facts ? [r.facts.project.ref] : [])))];

  const existingLoans = new Map<string, { id: string; contentSha256: string; eligibility: string }>();
  for (const row of await findLoansByRefs(tx, institutionId, refs)) existingLoans.set(row.loanRef, row);
  type ProjectState = { id: string; facts: ProjectFacts; fundedFen: bigint; isNew: boolean; touched: boolean };
  const projectState = new Map<string, ProjectState>();
  for (const row of await findProjectsByRefs(tx, institutionId, projectRefs)) {
    projectState.set(row.ref, { id: row.id, facts: projectFactsOf(row), fundedFen: row.fundedFen, isNew: false, touched: false });
  }

  const results: RowResult[] = [];
  const newLoans: NewLoan[] = [];
  const seenInBatch = new Map<string, { id: string; sha: string; eligible: boolean }>();

  for (const row of rows) {
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
          errors: [
            {
              path: 'loanRef',
              code: 'loan_ref_conflict',
              message: `loan ${f.loanRef} already exists with different content; change it with POST /api/v1/loans/${known.id}/amendments`,
            },
          ],
        });
      continue;
    }
    const { violations, assessment } = assessLoan(f, { today, institution });
    const errors = [...row.violations, ...violations];
    let project = projectState.get(f.project.ref);
    if (project) {
      const differences = projectDifferences(project.facts, f.project);
      for (const field of differences) {
        errors.push({
          path: `project.${field}`,
          code: 'project_mismatch',
          message: `project ${f.project.ref} is already recorded with a different ${field}; amend the project's loans to change it`,
        });
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

  const projectsTouched = [...projectState.values()];
  await insertProjects(
    tx,
    institutionId,
    projectsTouched.filter((p) => p.isNew),
  );
  await setProjectsFunded(
    tx,
    projectsTouched.filter((p) => p.touched && !p.isNew),
  );
  await insertLoans(tx, institutionId, ctx.actor.userId, newLoans);
  return results;
}

/**
 * Submits one loan: `created` or `unchanged` with its id. Refuses `loan_ref_conflict` when the
 * reference exists with other content, `validation_failed` with every broken rule otherwise.
 */
export async function submitLoan(ctx: ActorContext, row: SubmittedRow): Promise<{ status: 'created' | 'unchanged'; id: string }> {
  const [result] = await submitLoans(ctx, [row]);
  if (result.status === 'error') {
    const refConflict = result.errors.find((e) => e.code === 'loan_ref_conflict');
    if (refConflict) refuse('loan_ref_conflict', refConflict.message);
    refuseViolations(result.errors);
  }
  return { status: result.status, id: result.id };
}
