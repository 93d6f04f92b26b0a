/**
 * The audit chain's head anchored outside the database: a statement of its position and hash, signed
 * with the key that signs publications (Ed25519 over the statement's canonical JSON). Every
 * publication carries one (in its signature row and its downloads' `Cerf-Audit-Anchor` header), the
 * public can fetch a fresh one (GET /api/v1/audit/head), and the service keeps the highest it has seen
 * in its data folder; the verification checks the chain still reaches every anchor it knows.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { auditChainIdentity, auditChainTip } from '../../db/repositories/audit.js';
import { latestPublicationAuditAnchor } from '../../db/repositories/signing.js';
import { canonicalJson } from '../../domain/disclosures/canonical.js';
import { keepAnchor, readAnchor, type Anchor } from '../../platform/anchor-file.js';
import { signBytes, verifyBytes } from '../../platform/signing.js';

export const AuditHeadStatement = z.object({
  kind: z.literal('cerf-audit-head'),
  /** what names the chain (the database's name and its first record's hash) */
  chain: z.string(),
  position: z.number().int().min(0),
  hash: z.string(),
  at: z.string(),
});
export type AuditHeadStatement = z.infer<typeof AuditHeadStatement>;
export const SignedAuditHead = z.object({ statement: AuditHeadStatement, kid: z.string(), signature: z.string() });
export type SignedAuditHead = z.infer<typeof SignedAuditHead>;

/** The bytes signed: the statement's canonical JSON. */
export const auditHeadBytes = (statement: AuditHeadStatement) => Buffer.from(canonicalJson(statement), 'utf8');

/** The chain's head now, signed with `key` (the publication key: app/disclosures/sign-publication.ts signAuditHead); null while the chain is empty. */
export async function signAuditHeadWith(tx: Tx, now: Date, key: { kid: string; privatePem: string }): Promise<SignedAuditHead | null> {
  const chain = await auditChainIdentity(tx);
  if (!chain) return null;
  const head = await auditChainTip(tx);
  const statement: AuditHeadStatement = {
    kind: 'cerf-audit-head',
    chain,
    position: head.lastPos,
    hash: head.lastHash,
    at: now.toISOString(),
  };
  return { statement, kid: key.kid, signature: signBytes(key.privatePem, auditHeadBytes(statement)) };
}

/** Whether a signed head statement was signed by the public key `publicPem`. */
export const auditHeadSignedBy = (head: SignedAuditHead, publicPem: string) =>
  verifyBytes(publicPem, auditHeadBytes(head.statement), head.signature);

/** Keeps a signed head's anchor in the data folder (never moving it back); returns the anchor kept now. */
export const keepAuditAnchor = (dataDir: string, head: SignedAuditHead): Anchor =>
  keepAnchor(dataDir, head.statement.chain, { position: head.statement.position, hash: head.statement.hash, at: head.statement.at });

/** Every anchor known for this database's chain: the data folder's, and the latest publication's. */
export async function knownAuditAnchors(tx: Tx, dataDir: string): Promise<(Anchor & { source: 'data_folder' | 'publication' })[]> {
  const chain = await auditChainIdentity(tx);
  const anchors: (Anchor & { source: 'data_folder' | 'publication' })[] = [];
  const kept = chain ? readAnchor(dataDir, chain) : null;
  if (kept) anchors.push({ ...kept, source: 'data_folder' });
  const published = SignedAuditHead.safeParse(await latestPublicationAuditAnchor(tx));
  if (published.success && (!chain || published.data.statement.chain === chain)) {
    const s = published.data.statement;
    anchors.push({ position: s.position, hash: s.hash, at: s.at, source: 'publication' });
  }
  return anchors;
}
