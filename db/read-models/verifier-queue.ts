/**
 * The verifier's work queue (and the operator's view of every assignment): each assignment with the
 * version it judges, the bank, the verifier and the sample's size, in one joined query.
 */
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../client.js';
import type { AssignmentRow } from '../repositories/verification.js';
import { disclosureVersions, institutions, verificationAssignments } from '../schema/index.js';

export type AssignmentView = {
  assignment: AssignmentRow;
  version: { id: string; institutionId: string; quarter: string; version: number; status: string; content: unknown; contentSha256: string };
  bank: { code: string; nameZh: string; nameEn: string };
  verifier: { code: string };
  sampleSize: number;
};

const bank = alias(institutions, 'bank');
const verifier = alias(institutions, 'verifier');

function views(db: Tx, where: SQL | undefined) {
  return db
    .select({
      assignment: verificationAssignments,
      version: {
        id: disclosureVersions.id,
        institutionId: disclosureVersions.institutionId,
        quarter: disclosureVersions.quarter,
        version: disclosureVersions.version,
        status: disclosureVersions.status,
        content: disclosureVersions.content,
        contentSha256: disclosureVersions.contentSha256,
      },
      bank: { code: bank.code, nameZh: bank.nameZh, nameEn: bank.nameEn },
      verifier: { code: verifier.code },
      sampleSize: sql<number>`(select count(*)::int from verification_samples vs where vs.assignment_id = ${verificationAssignments.id})`,
    })
    .from(verificationAssignments)
    .innerJoin(disclosureVersions, eq(disclosureVersions.id, verificationAssignments.disclosureVersionId))
    .innerJoin(bank, eq(bank.id, disclosureVersions.institutionId))
    .innerJoin(verifier, eq(verifier.id, verificationAssignments.verifierId))
    .where(where)
    .$dynamic();
}

/** A verifier's assignments (every verifier's when `verifierId` is null), oldest first, at most 1,000; `open` filters by completion. */
export async function verifierQueue(db: Tx, verifierId: string | null, open: boolean | null): Promise<AssignmentView[]> {
  return views(
    db,
    and(
      verifierId ? eq(verificationAssignments.verifierId, verifierId) : undefined,
      open === null
        ? undefined
        : open
          ? isNull(verificationAssignments.completedAt)
          : sql`${verificationAssignments.completedAt} is not null`,
    ),
  )
    .orderBy(asc(verificationAssignments.assignedAt))
    .limit(1000);
}

export async function assignmentView(db: Tx, assignmentId: string): Promise<AssignmentView | null> {
  const [row] = await views(db, eq(verificationAssignments.id, assignmentId)).limit(1);
  return row ?? null;
}
