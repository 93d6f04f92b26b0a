/** The banks a verifier is (or was) assigned to verify: what it may see of the journal's totals. */
import { eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureVersions, institutions, verificationAssignments } from '../schema/index.js';

export async function banksAssignedTo(db: Tx, verifierId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ code: institutions.code })
    .from(verificationAssignments)
    .innerJoin(disclosureVersions, eq(disclosureVersions.id, verificationAssignments.disclosureVersionId))
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(eq(verificationAssignments.verifierId, verifierId));
  return rows.map((r) => r.code);
}
