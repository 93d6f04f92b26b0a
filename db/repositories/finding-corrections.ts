/**
 * Corrections of verification findings: the current finding of each loan and check (not superseded),
 * and the supersession of one finding by a new one (the old row stays, marked). The story is
 * app/disclosures/finding-corrections.ts.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { verificationFindings } from '../schema/index.js';
import type { FindingCheck, FindingRow } from './verification.js';

/** The findings in force on an assignment: one per loan and check, in the order recorded. */
export async function currentFindingsOf(tx: Tx, assignmentId: string): Promise<FindingRow[]> {
  return tx
    .select()
    .from(verificationFindings)
    .where(and(eq(verificationFindings.assignmentId, assignmentId), isNull(verificationFindings.supersededAt)))
    .orderBy(asc(verificationFindings.createdAt), asc(verificationFindings.id));
}

/** One finding of an assignment, locked for the correction; null when the assignment has no such finding. */
export async function lockFinding(tx: Tx, assignmentId: string, id: string): Promise<FindingRow | null> {
  const [row] = await tx
    .select()
    .from(verificationFindings)
    .where(and(eq(verificationFindings.assignmentId, assignmentId), eq(verificationFindings.id, id)))
    .for('update')
    .limit(1);
  return row ?? null;
}

/** Writes the correction: marks the old finding superseded, then records the new one pointing back at it. */
export async function supersedeFinding(
  tx: Tx,
  old: FindingRow,
  values: { createdBy: string; outcome: 'pass' | 'fail'; note: string | null; reason: string; at: Date },
): Promise<{ finding: FindingRow; superseded: FindingRow }> {
  await tx.update(verificationFindings).set({ supersededAt: values.at }).where(eq(verificationFindings.id, old.id));
  const [finding] = await tx
    .insert(verificationFindings)
    .values({
      assignmentId: old.assignmentId,
      loanId: old.loanId,
      check: old.check as FindingCheck,
      outcome: values.outcome,
      note: values.note,
      reason: values.reason,
      supersedes: old.id,
      createdBy: values.createdBy,
    })
    .returning();
  const [superseded] = await tx
    .update(verificationFindings)
    .set({ supersededBy: finding.id })
    .where(eq(verificationFindings.id, old.id))
    .returning();
  return { finding, superseded };
}
