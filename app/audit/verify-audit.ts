/**
 * Verifies the audit trail's chain: walks it in chain order (pages of 5,000), recomputes every hash
 * from the previous hash and the record's content (SHA-256, as the sealing trigger computed it), checks
 * each record links to the one before and the head points at the last one. Run it in one snapshot.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import { auditChainHead, auditChainPage } from '../../db/repositories/audit.js';

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

export type AuditVerifyReport = {
  intact: boolean;
  records: number;
  lastPosition: number;
  lastHash: string;
  brokenAt: { position: number; reason: 'hash_mismatch' | 'broken_link' | 'head_mismatch' } | null;
};

export async function verifyAuditTrail(tx: Tx): Promise<AuditVerifyReport> {
  let prev = AUDIT_GENESIS_HASH;
  let pos = 0;
  let count = 0;
  for (;;) {
    const page = await auditChainPage(tx, pos, 5_000);
    for (const r of page) {
      const broken = (reason: 'hash_mismatch' | 'broken_link') => ({
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
      count += 1;
    }
    if (page.length < 5_000) break;
  }
  const head = await auditChainHead(tx);
  if (head.lastPos !== pos || head.lastHash !== prev)
    return {
      intact: false,
      records: count,
      lastPosition: pos,
      lastHash: prev,
      brokenAt: { position: head.lastPos, reason: 'head_mismatch' },
    };
  return { intact: true, records: count, lastPosition: pos, lastHash: prev, brokenAt: null };
}
