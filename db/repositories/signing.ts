/** Signing keys and the signatures of published versions: plain rows. */
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureSignatures, signingKeys } from '../schema/index.js';

export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type DisclosureSignatureRow = typeof disclosureSignatures.$inferSelect;

/** The key in use (not retired), or null. */
export async function keyInUse(tx: Tx): Promise<SigningKeyRow | null> {
  const [row] = await tx.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).limit(1);
  return row ?? null;
}

/** Every key, the oldest first. */
export const listSigningKeys = (tx: Tx): Promise<SigningKeyRow[]> =>
  tx.select().from(signingKeys).orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid));

/** Retires every key in use other than `kid` at `at`. */
export async function retireKeysOtherThan(tx: Tx, kid: string, at: Date): Promise<void> {
  await tx
    .update(signingKeys)
    .set({ retiredAt: at })
    .where(and(isNull(signingKeys.retiredAt), ne(signingKeys.kid, kid)));
}

/** Puts a key in use: inserted, or un-retired when already listed. Nothing when another key is in use (the unique index). */
export async function putKeyInUse(tx: Tx, row: { kid: string; publicPem: string; privatePem: string | null; at: Date }): Promise<void> {
  await tx.execute(sql`insert into signing_keys (kid, public_pem, private_pem, created_at, retired_at)
    values (${row.kid}, ${row.publicPem}, ${row.privatePem}, ${row.at.toISOString()}, null)
    on conflict do nothing`);
  await tx.execute(sql`update signing_keys set retired_at = null where kid = ${row.kid} and retired_at is not null
    and not exists (select 1 from signing_keys where retired_at is null)`);
}

export async function findSignature(tx: Tx, versionId: string): Promise<DisclosureSignatureRow | null> {
  const [row] = await tx.select().from(disclosureSignatures).where(eq(disclosureSignatures.disclosureVersionId, versionId));
  return row ?? null;
}

/** Stores a version's signature; the first one stays (a version is signed once). */
/** The audit anchor of the latest publication that carries one (the highest chain position), or null. */
export async function latestPublicationAuditAnchor(tx: Tx): Promise<unknown> {
  const [row] = await tx
    .select({ anchor: disclosureSignatures.auditAnchor })
    .from(disclosureSignatures)
    .where(sql`${disclosureSignatures.auditAnchor} is not null`)
    .orderBy(sql`(${disclosureSignatures.auditAnchor} -> 'statement' ->> 'position')::bigint desc`)
    .limit(1);
  return row?.anchor ?? null;
}

export async function insertSignature(tx: Tx, row: typeof disclosureSignatures.$inferInsert): Promise<DisclosureSignatureRow> {
  await tx.insert(disclosureSignatures).values(row).onConflictDoNothing({ target: disclosureSignatures.disclosureVersionId });
  return (await findSignature(tx, row.disclosureVersionId))!;
}
