/** The bank's confirmations of the quality findings of a disclosure version's checks. Plain rows in and out. */
import { eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureCheckConfirmations } from '../schema/index.js';

export type CheckConfirmationRow = typeof disclosureCheckConfirmations.$inferSelect;

export async function confirmationsOf(db: Tx, versionId: string): Promise<CheckConfirmationRow[]> {
  return db.select().from(disclosureCheckConfirmations).where(eq(disclosureCheckConfirmations.versionId, versionId));
}

/** Records (or replaces) the bank's confirmation of one finding. */
export async function upsertConfirmation(db: Tx, row: CheckConfirmationRow): Promise<void> {
  await db
    .insert(disclosureCheckConfirmations)
    .values(row)
    .onConflictDoUpdate({
      target: [disclosureCheckConfirmations.versionId, disclosureCheckConfirmations.check, disclosureCheckConfirmations.subject],
      set: { reason: row.reason, confirmedBy: row.confirmedBy, confirmedAt: row.confirmedAt },
    });
}
