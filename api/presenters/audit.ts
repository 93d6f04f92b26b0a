/** Audit records as the API and the CSV export show them. Pure. */
import type { z } from 'zod';
import type { AuditRecordRow } from '../../db/repositories/audit.js';
import type { AuditRecordView } from '../../schemas/audit.js';

export function presentAuditRecord(r: AuditRecordRow): z.infer<typeof AuditRecordView> {
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    actor: { userId: r.actorUserId, institutionId: r.institutionId, via: r.via },
    requestId: r.requestId,
    reason: r.reason,
    resource: r.resource,
    action: r.action as 'insert' | 'update' | 'delete',
    rowCount: r.rowCount,
    changes: r.changes as { id: unknown; before: unknown; after: unknown }[],
    chainPosition: r.chainPos,
    hash: r.hash,
  };
}

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'actor_user_id',
  'institution_id',
  'via',
  'request_id',
  'reason',
  'resource',
  'action',
  'row_count',
  'ids',
  'changes',
  'chain_position',
  'hash',
];

export function auditCsvRow(r: AuditRecordRow): (string | number | null)[] {
  const changes = r.changes as { id: unknown }[];
  return [
    r.seq,
    r.at.toISOString(),
    r.actorUserId,
    r.institutionId,
    r.via,
    r.requestId,
    r.reason,
    r.resource,
    r.action,
    r.rowCount,
    changes.map((c) => String(c.id)).join(' '),
    JSON.stringify(r.changes),
    r.chainPos,
    r.hash,
  ];
}
