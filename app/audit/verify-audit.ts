/**
 * Verifies the audit trail's chain: walks it in chain order (pages of 5,000), recomputes every hash
 * from the previous hash and the record's content (SHA-256, as the sealing trigger computed it), checks
 * each record links to the one before and the head points at the last one; then that the chain still
 * reaches every anchor known outside the database (a position and hash it once had): a chain cut short
 * and its head moved back is `tail_truncated`, a record at an anchor's position with another hash
 * `anchor_mismatch`. Run it in one snapshot.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import { auditChainHead, auditChainIdentity, auditChainPage } from '../../db/repositories/audit.js';
import { keepAnchor } from '../../platform/anchor-file.js';
import { knownAuditAnchors } from './audit-anchor.js';

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export type AnchorReason = 'tail_truncated' | 'anchor_mismatch';
export type AuditVerifyReport = {
  intact: boolean;
  records: number;
  lastPosition: number;
  lastHash: string;
  brokenAt: { position: number; reason: 'hash_mismatch' | 'broken_link' | 'head_mismatch' | AnchorReason } | null;
  /** the highest anchor checked (where it was kept), or null when none is known */
  anchor: { position: number; hash: string; at: string; source: string } | null;
};

type KnownAnchor = { position: number; hash: string; at: string; source: string };

export async function verifyAuditTrail(tx: Tx, anchors: readonly KnownAnchor[] = []): Promise<AuditVerifyReport> {
  const report = await walkChain(tx, new Set(anchors.map((a) => a.position)));
  const highest = anchors.reduce<KnownAnchor | null>((h, a) => (!h || a.position > h.position ? a : h), null);
  const { hashes, ...walked } = report;
  if (!walked.intact) return { ...walked, anchor: highest };
  // the chain must still reach every anchor, with the hash it had there
  for (const a of [...anchors].sort((x, y) => y.position - x.position)) {
    if (a.position > walked.lastPosition)
      return { ...walked, intact: false, brokenAt: { position: walked.lastPosition + 1, reason: 'tail_truncated' }, anchor: a };
    if (a.position > 0 && hashes.get(a.position) !== a.hash)
      return { ...walked, intact: false, brokenAt: { position: a.position, reason: 'anchor_mismatch' }, anchor: a };
  }
  return { ...walked, anchor: highest };
}

/**
 * Verifies the chain against the anchors known for it (the data folder's, the latest publication's);
 * an intact chain's head becomes the data folder's anchor.
 */
export async function verifyAuditTrailAnchored(tx: Tx, dataDir: string, now: Date): Promise<AuditVerifyReport> {
  const report = await verifyAuditTrail(tx, await knownAuditAnchors(tx, dataDir));
  const chain = await auditChainIdentity(tx);
  if (report.intact && chain && report.lastPosition > 0)
    keepAnchor(dataDir, chain, { position: report.lastPosition, hash: report.lastHash, at: now.toISOString() });
  return report;
}

async function walkChain(tx: Tx, keep: Set<number>): Promise<Omit<AuditVerifyReport, 'anchor'> & { hashes: Map<number, string> }> {
  const hashes = new Map<number, string>();
  let prev = AUDIT_GENESIS_HASH;
  let pos = 0;
  let count = 0;
  for (;;) {
    const page = await auditChainPage(tx, pos, 5_000);
    for (const r of page) {
      const broken = (reason: 'hash_mismatch' | 'broken_link') => ({
        hashes,
        intact: false,
        records: count,
        lastPosition: pos,
        lastHash: prev,
        brokenAt: { position: r.chainPos, reason },
      });
      if (r.prevHash !== prev || r.chainPos !== pos + 1) return broken('broken_link');
      const hash = createHash('sha256')
        .update(prev + r.content, 'utf8')
        .digest('hex');
      if (hash !== r.hash) return broken('hash_mismatch');
      prev = r.hash;
      pos = r.chainPos;
      if (keep.has(pos)) hashes.set(pos, r.hash);
      count += 1;
    }
    if (page.length < 5_000) break;
  }
  const head = await auditChainHead(tx);
  if (head.lastPos !== pos || head.lastHash !== prev)
    return {
      hashes,
      intact: false,
      records: count,
      lastPosition: pos,
      lastHash: prev,
      brokenAt: { position: head.lastPos, reason: 'head_mismatch' },
    };
  return { hashes, intact: true, records: count, lastPosition: pos, lastHash: prev, brokenAt: null };
}
