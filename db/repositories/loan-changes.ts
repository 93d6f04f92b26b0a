/**
 * The writes that change a recorded loan: locks, archiving a version, the new version, repayments and
 * an operator's acceptance. Plain rows in and out; the stories (amend, repay, accept) and their
 * refusals live in app/loans/change-loan.ts, which passes the clock in as `now`.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { ProjectFacts } from '../../domain/loans/facts.js';
import { isUuid } from '../../schemas/common.js';
import type { Tx } from '../client.js';
import { applicationLoans, applications, loanRepayments, loans, loanVersions, projects } from '../schema/index.js';
import type { LoanRow, ProjectRow } from './loans.js';

/** The project's own columns as an amendment states them: ProjectFacts names them like the table. */
const projectColumns = ({ ref: _ref, ...columns }: ProjectFacts) => columns;

/** Locks the loan (of this institution, when given) for update; null when absent or not a uuid. */
export async function lockLoan(tx: Tx, loanId: string, institutionId: string | undefined): Promise<LoanRow | null> {
  if (!isUuid(loanId)) return null;
  const where = institutionId ? and(eq(loans.id, loanId), eq(loans.institutionId, institutionId)) : eq(loans.id, loanId);
  const [row] = await tx.select().from(loans).where(where).for('update');
  return row ?? null;
}

/** Is the loan listed on a live application (submitted, approved or disbursed)? */
export async function isOnLiveApplication(tx: Tx, loanId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: applications.id })
    .from(applicationLoans)
    .innerJoin(applications, eq(applicationLoans.applicationId, applications.id))
    .where(and(eq(applicationLoans.loanId, loanId), eq(applicationLoans.active, 1), sql`${applications.status} <> 'rejected'`))
    .limit(1);
  return rows.length > 0;
}

/** Locks a project by id for update. */
export async function lockProject(tx: Tx, projectId: string): Promise<ProjectRow> {
  const [row] = await tx.select().from(projects).where(eq(projects.id, projectId)).for('update');
  return row;
}

/** Locks the institution's project with this reference for update, or null. */
export async function lockProjectByRef(tx: Tx, institutionId: string, ref: string): Promise<ProjectRow | null> {
  const [row] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.institutionId, institutionId), eq(projects.ref, ref)))
    .for('update');
  return row ?? null;
}

/** Writes the project's facts as stated and its funded total. */
export async function updateProject(tx: Tx, projectId: string, facts: ProjectFacts, fundedFen: bigint): Promise<void> {
  await tx
    .update(projects)
    .set({ ...projectColumns(facts), fundedFen })
    .where(eq(projects.id, projectId));
}

export async function insertProject(
  tx: Tx,
  input: { id: string; institutionId: string; facts: ProjectFacts; fundedFen: bigint },
): Promise<void> {
  await tx.insert(projects).values({
    id: input.id,
    institutionId: input.institutionId,
    ref: input.facts.ref,
    ...projectColumns(input.facts),
    fundedFen: input.fundedFen,
  });
}

export async function setProjectFunded(tx: Tx, projectId: string, fundedFen: bigint): Promise<void> {
  await tx.update(projects).set({ fundedFen }).where(eq(projects.id, projectId));
}

/** Keeps a version of a loan in its history (append-only). */
export async function archiveLoanVersion(tx: Tx, row: typeof loanVersions.$inferInsert): Promise<void> {
  await tx.insert(loanVersions).values(row);
}

/** The columns a loan change may write. */
export type LoanChange = Partial<Omit<typeof loans.$inferInsert, 'id' | 'institutionId' | 'loanRef' | 'createdAt'>>;

export async function updateLoan(tx: Tx, loanId: string, change: LoanChange): Promise<void> {
  await tx.update(loans).set(change).where(eq(loans.id, loanId));
}

export async function insertRepayment(
  tx: Tx,
  input: { id: string; loanId: string; repaidOn: string; amountFen: bigint; createdBy: string },
): Promise<void> {
  await tx.insert(loanRepayments).values(input);
}

/** The earliest disbursement date among the loans of these projects (null when they have none). */
export async function earliestDisbursementOf(tx: Tx, projectIds: readonly string[]): Promise<string | null> {
  if (!projectIds.length) return null;
  const [row] = await tx
    .select({ on: sql<string | null>`min(${loans.disbursedOn})::text` })
    .from(loans)
    .where(
      sql`${loans.projectId} in (${sql.join(
        projectIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  return row?.on ?? null;
}
