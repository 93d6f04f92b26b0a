import { z } from 'zod';
import { IsoDateString, PageQuery } from './common.js';

const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'must be a UUID' });

export const AuditQuery = PageQuery.extend({
  resource: z
    .string()
    .regex(/^[a-z_]{1,64}$/)
    .optional()
    .describe('the table changed, e.g. operations, loans, approvals'),
  id: z.string().max(100).optional().describe("a changed row's id"),
  actor: Uuid.optional().describe('the acting user id'),
  institution: z.string().max(50).optional().describe('an institution code (operators): records of its rows or its users'),
  from: IsoDateString.optional().describe('from this date (Asia/Shanghai midnight is not applied: UTC day start)'),
  to: IsoDateString.optional().describe('before the end of this date (UTC)'),
}).strict();

export const AuditRecordView = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.object({ userId: z.string().nullable(), institutionId: z.string().nullable(), via: z.string().nullable() }),
    requestId: z.string().nullable(),
    reason: z.string().nullable(),
    resource: z.string(),
    action: z.enum(['insert', 'update', 'delete']),
    rowCount: z.number().int(),
    changes: z.array(z.object({ id: z.unknown(), before: z.unknown(), after: z.unknown() })),
    chainPosition: z.number().int().nullable(),
    hash: z.string().nullable(),
  })
  .meta({ id: 'AuditRecord' });

export const AuditVerifyView = z.object({
  intact: z.boolean(),
  records: z.number().int(),
  lastPosition: z.number().int(),
  lastHash: z.string(),
  brokenAt: z.object({ position: z.number().int(), reason: z.string() }).nullable(),
});
