/**
 * Statement settings and the writes that finish a version's content: the banks' effective-dated
 * statement formats, a draft's content after the bank names its projects (only while it is still
 * compiled), and the stored difference from the version a new one replaces.
 */
import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureVersions, statementFormats } from '../schema/index.js';

export type StatementFormatRow = typeof statementFormats.$inferSelect;

/** Sets the format from a date (the same date again replaces that day's setting). */
export async function upsertStatementFormat(tx: Tx, values: typeof statementFormats.$inferInsert): Promise<StatementFormatRow> {
  const { institutionId: _i, effectiveFrom: _e, ...rest } = values;
  const [row] = await tx
    .insert(statementFormats)
    .values(values)
    .onConflictDoUpdate({ target: [statementFormats.institutionId, statementFormats.effectiveFrom], set: rest })
    .returning();
  return row;
}

/** The setting in force on `on` (the latest effective on or before it), or null. */
export async function statementFormatOn(db: Tx, institutionId: string, on: string): Promise<StatementFormatRow | null> {
  const [row] = await db
    .select()
    .from(statementFormats)
    .where(and(eq(statementFormats.institutionId, institutionId), lte(statementFormats.effectiveFrom, on)))
    .orderBy(desc(statementFormats.effectiveFrom))
    .limit(1);
  return row ?? null;
}

/** Every setting of the institution, oldest first. */
export async function statementFormatsOf(db: Tx, institutionId: string): Promise<StatementFormatRow[]> {
  return db
    .select()
    .from(statementFormats)
    .where(eq(statementFormats.institutionId, institutionId))
    .orderBy(asc(statementFormats.effectiveFrom));
}

/** Writes a version's content and hash, only while it is in `status`; null when it is not. */
export async function setVersionContent(
  tx: Tx,
  id: string,
  status: 'compiled',
  values: { content: unknown; contentSha256: string },
): Promise<typeof disclosureVersions.$inferSelect | null> {
  const [row] = await tx
    .update(disclosureVersions)
    .set({ content: values.content as object, contentSha256: values.contentSha256 })
    .where(and(eq(disclosureVersions.id, id), eq(disclosureVersions.status, status)))
    .returning();
  return row ?? null;
}

/** Stores the content and hash of a version just inserted (its loan set frozen) and its difference. */
export async function finishVersion(
  tx: Tx,
  id: string,
  values: { content: unknown; contentSha256: string; countedLoans: number; difference: unknown },
): Promise<typeof disclosureVersions.$inferSelect> {
  const [row] = await tx
    .update(disclosureVersions)
    .set({
      content: values.content as object,
      contentSha256: values.contentSha256,
      countedLoans: values.countedLoans,
      difference: values.difference as object | null,
    })
    .where(eq(disclosureVersions.id, id))
    .returning();
  return row;
}
