/**
 * Verification rows: conflicts between verifiers and banks, the rule's pick of a verifier (least open
 * assignments, never a conflicted one), assignments with their frozen sample, findings, and the
 * completed assignment. The stories (assign, findings, verdict) are app/disclosures/verification.ts.
 */
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import {
  institutions,
  loans,
  projects,
  verificationAssignments,
  verificationFindings,
  verificationSamples,
  verifierConflicts,
} from '../schema/index.js';

export type AssignmentRow = typeof verificationAssignments.$inferSelect;
export type SampleRow = typeof verificationSamples.$inferSelect;
export type FindingRow = typeof verificationFindings.$inferSelect;
export type FindingCheck = (typeof verificationFindings.$inferInsert)['check'];

export async function isConflicted(tx: Tx, verifierId: string, bankId: string): Promise<boolean> {
  const [row] = await tx
    .select({ n: count() })
    .from(verifierConflicts)
    .where(and(eq(verifierConflicts.verifierId, verifierId), eq(verifierConflicts.bankId, bankId)));
  return (row?.n ?? 0) > 0;
}

export async function declareConflict(tx: Tx, input: { verifierId: string; bankId: string; reason: string; createdBy: string }) {
  await tx
    .insert(verifierConflicts)
    .values(input)
    .onConflictDoUpdate({ target: [verifierConflicts.verifierId, verifierConflicts.bankId], set: { reason: input.reason } });
}

/** A verifier's declared conflicts, with each bank's code (one query). */
export async function conflictsOf(tx: Tx, verifierId: string): Promise<{ bank: string; reason: string }[]> {
  return tx
    .select({ bank: institutions.code, reason: verifierConflicts.reason })
    .from(verifierConflicts)
    .innerJoin(institutions, eq(institutions.id, verifierConflicts.bankId))
    .where(eq(verifierConflicts.verifierId, verifierId));
}

/** The rule: the verifier with the fewest open assignments that is not conflicted with the bank (ties by code). */
export async function pickVerifierByRule(tx: Tx, bankId: string): Promise<{ id: string; code: string } | null> {
  const rows = (await tx.execute(sql`
    select i.id, i.code from institutions i
    where i.kind = 'verifier'
      and not exists (select 1 from verifier_conflicts c where c.verifier_id = i.id and c.bank_id = ${bankId})
    order by (select count(*) from verification_assignments va where va.verifier_id = i.id and va.completed_at is null), i.code
    limit 1`)) as unknown as { rows: { id: string; code: string }[] };
  return rows.rows[0] ?? null;
}

export async function insertAssignment(tx: Tx, values: typeof verificationAssignments.$inferInsert): Promise<AssignmentRow> {
  const [row] = await tx.insert(verificationAssignments).values(values).returning();
  return row;
}

export async function insertSample(tx: Tx, rows: (typeof verificationSamples.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(verificationSamples).values(rows);
}

/** The loans (with their projects) of the given ids, as the ledger holds them. */
export async function loansWithProjects(tx: Tx, ids: readonly string[]) {
  if (!ids.length) return [];
  return tx
    .select({ loan: loans, project: projects })
    .from(loans)
    .innerJoin(projects, eq(projects.id, loans.projectId))
    .where(inArray(loans.id, [...ids]));
}

export async function findAssignmentForVersion(tx: Tx, versionId: string): Promise<AssignmentRow | null> {
  const [row] = await tx.select().from(verificationAssignments).where(eq(verificationAssignments.disclosureVersionId, versionId)).limit(1);
  return row ?? null;
}

export async function findAssignment(tx: Tx, id: string): Promise<AssignmentRow | null> {
  const [row] = await tx.select().from(verificationAssignments).where(eq(verificationAssignments.id, id)).limit(1);
  return row ?? null;
}

export async function sampleOf(tx: Tx, assignmentId: string): Promise<SampleRow[]> {
  return tx
    .select()
    .from(verificationSamples)
    .where(eq(verificationSamples.assignmentId, assignmentId))
    .orderBy(asc(verificationSamples.ordinal));
}

export async function findingsOf(tx: Tx, assignmentId: string): Promise<FindingRow[]> {
  return tx
    .select()
    .from(verificationFindings)
    .where(eq(verificationFindings.assignmentId, assignmentId))
    .orderBy(asc(verificationFindings.createdAt), asc(verificationFindings.id));
}

export async function addFindings(
  tx: Tx,
  assignmentId: string,
  createdBy: string,
  findings: { loanId: string; check: FindingCheck; outcome: 'pass' | 'fail'; note?: string | null }[],
): Promise<FindingRow[]> {
  if (!findings.length) return [];
  return tx
    .insert(verificationFindings)
    .values(findings.map((f) => ({ assignmentId, createdBy, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note ?? null })))
    .returning();
}

/** Stores the verdict and its report on an assignment not completed yet; returns the row, or null when it already was. */
/**
 * Closes an open assignment without a verdict: its version was superseded by a newer one (support
 * approved after compile) and the figures it judged are no longer the bank's. Null when none was open.
 */
export async function withdrawAssignment(
  tx: Tx,
  versionId: string,
  values: { summary: string; completedAt: Date; completedOn: string },
): Promise<AssignmentRow | null> {
  const [row] = await tx
    .update(verificationAssignments)
    .set(values)
    .where(and(eq(verificationAssignments.disclosureVersionId, versionId), isNull(verificationAssignments.completedAt)))
    .returning();
  return row ?? null;
}

export async function completeAssignment(
  tx: Tx,
  id: string,
  values: {
    verdict: 'verified' | 'rejected';
    summary: string;
    report: unknown;
    reportSha256: string;
    completedAt: Date;
    completedOn: string;
  },
): Promise<AssignmentRow | null> {
  const [row] = await tx
    .update(verificationAssignments)
    .set({ ...values, report: values.report as object })
    .where(and(eq(verificationAssignments.id, id), isNull(verificationAssignments.completedAt)))
    .returning();
  return row ?? null;
}
