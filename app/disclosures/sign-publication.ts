/**
 * Signed snapshots: a published version's canonical content (the bytes of its public JSON download,
 * whose SHA-256 is the version's content hash) signed with the service's Ed25519 key. The key is the one
 * configured for the process (CERF_SIGNING_KEY_FILE), or one generated once per database and kept there.
 * Publication signs; a version published before signing existed is signed the first time it is asked for.
 * Each signature carries the audit chain's head at that moment, signed too (app/audit/audit-anchor.ts).
 */
import { createHash } from 'node:crypto';
import { lockVersionById, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import {
  findSignature,
  insertSignature,
  keyInUse,
  listSigningKeys,
  putKeyInUse,
  retireKeysOtherThan,
  type DisclosureSignatureRow,
} from '../../db/repositories/signing.js';
import { canonicalJson } from '../../domain/disclosures/canonical.js';
import { configuredSigningKey, generateSigningKey, signBytes } from '../../platform/signing.js';
import { signAuditHeadWith, type SignedAuditHead } from '../audit/audit-anchor.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';

/** The bytes that are signed and served as the version's JSON download. */
export const signedBytesOf = (content: unknown): Buffer => Buffer.from(canonicalJson(content), 'utf8');

/** The key that signs now: the configured one (listed in the database, public half only), else the database's own. */
export async function signingKeyInUse(ctx: UseCaseContext): Promise<{ kid: string; privatePem: string }> {
  const configured = configuredSigningKey();
  if (configured) {
    await retireKeysOtherThan(ctx.tx, configured.kid, ctx.now);
    await putKeyInUse(ctx.tx, { kid: configured.kid, publicPem: configured.publicPem, privatePem: null, at: ctx.now });
    return configured;
  }
  let key = await keyInUse(ctx.tx);
  if (key && !key.privatePem) {
    // the key that was configured is no longer: it stays listed, retired, and a key of our own takes over
    await retireKeysOtherThan(ctx.tx, '', ctx.now);
    key = null;
  }
  if (!key) {
    const generated = generateSigningKey();
    await putKeyInUse(ctx.tx, { ...generated, at: ctx.now });
    key = await keyInUse(ctx.tx);
  }
  return { kid: key!.kid, privatePem: key!.privatePem! };
}

/** Signs a published version once (its first signature stays). */
export async function signVersion(
  ctx: UseCaseContext,
  version: Pick<DisclosureVersionRow, 'id' | 'content'>,
): Promise<DisclosureSignatureRow> {
  const existing = await findSignature(ctx.tx, version.id);
  if (existing) return existing;
  const key = await signingKeyInUse(ctx);
  const bytes = signedBytesOf(version.content);
  return insertSignature(ctx.tx, {
    disclosureVersionId: version.id,
    kid: key.kid,
    signedSha256: createHash('sha256').update(bytes).digest('hex'),
    signature: signBytes(key.privatePem, bytes),
    signedAt: ctx.now,
    // the audit chain's head as it stands, anchored in the publication
    auditAnchor: await signAuditHeadWith(ctx.tx, ctx.now, key),
  });
}

/** The audit chain's head now in a statement signed with the publication key (null while the chain is empty). */
export async function signAuditHead(ctx: UseCaseContext): Promise<SignedAuditHead | null> {
  return signAuditHeadWith(ctx.tx, ctx.now, await signingKeyInUse(ctx));
}

/** The signature of a published version, signing it now if it was published before signatures existed. */
export async function signatureOfPublished(ctx: UseCaseContext, input: { versionId: string }): Promise<DisclosureSignatureRow> {
  const existing = await findSignature(ctx.tx, input.versionId);
  if (existing) return existing;
  const version = await lockVersionById(ctx.tx, input.versionId);
  if (!version || version.status !== 'published') refuse('not_found', `published version ${input.versionId} not found`);
  return signVersion(ctx, version);
}

/** An operator retires the key in use and a new generated one signs from now on (old keys stay listed). */
export async function rotateSigningKey(ctx: ActorContext): Promise<{ kid: string; retired: string | null }> {
  if (ctx.actor.role !== 'operator') refuse('forbidden', 'only an operator rotates the signing key');
  if (configuredSigningKey())
    refuse('signing_key_configured', 'the signing key is configured by CERF_SIGNING_KEY_FILE: configure another key file to rotate');
  const old = await keyInUse(ctx.tx);
  const generated = generateSigningKey();
  await retireKeysOtherThan(ctx.tx, generated.kid, ctx.now);
  await putKeyInUse(ctx.tx, { ...generated, at: ctx.now });
  return { kid: generated.kid, retired: old?.kid ?? null };
}

/** Every signing key, the one in use first made sure of (the configured one listed, or one generated). */
export async function signingKeys(ctx: UseCaseContext) {
  let keys = await listSigningKeys(ctx.tx);
  const inUse = keys.find((k) => !k.retiredAt);
  const configured = configuredSigningKey();
  if (!inUse || (configured && inUse.kid !== configured.kid) || (!configured && !inUse.privatePem)) {
    await signingKeyInUse(ctx);
    keys = await listSigningKeys(ctx.tx);
  }
  return keys;
}
