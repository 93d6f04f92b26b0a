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
  brokenAt: z
    .object({
      position: z.number().int(),
      reason: z
        .string()
        .describe(
          'hash_mismatch, broken_link, head_mismatch; tail_truncated (the chain ends before an anchor kept outside the database), anchor_mismatch (the record at an anchor has another hash)',
        ),
    })
    .nullable(),
  anchor: z
    .object({ position: z.number().int(), hash: z.string(), at: z.string(), source: z.enum(['data_folder', 'publication']) })
    .nullable()
    .describe('the highest anchor the chain was checked against: kept in the data folder, or carried by the latest publication'),
});

export const AuditHeadView = z
  .object({
    statement: z.object({
      kind: z.literal('cerf-audit-head'),
      chain: z.string().describe("names the chain: the database's name and the hash of its first record"),
      position: z.number().int(),
      hash: z.string(),
      at: z.string(),
    }),
    kid: z.string().describe('the signing key (GET /api/v1/signing-keys)'),
    signature: z.string().describe("base64 Ed25519 signature of the statement's canonical JSON (keys sorted, no spaces)"),
  })
  .meta({ id: 'AuditHead' });
