import { z } from 'zod';
import { PageQuery } from './common.js';

const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain the NUL character', params: { code: 'invalid_character' } });

export const APPROVAL_STATUSES = ['pending', 'expired', 'confirmed', 'declined', 'withdrawn'] as const;

const Who = z.object({ id: z.string(), name: z.string() });

export const ApprovalView = z
  .object({
    id: z.string(),
    kind: z.string().describe('the act: add_operator, open_operation, accept_flagged_loan, reverse_entry, publish_disclosure, …'),
    status: z.enum(APPROVAL_STATUSES).describe('`expired`: pending past `expiresAt`, it can no longer be confirmed'),
    resource: z.string(),
    resourceId: z.string(),
    summary: z.string(),
    input: z.record(z.string(), z.unknown()).describe('the act as proposed (checked at the proposal)'),
    reason: z.string().nullable(),
    proposedBy: Who,
    proposedAt: z.string(),
    expiresAt: z.string(),
    decidedBy: Who.nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable().describe('what the act made, once confirmed'),
  })
  .meta({ id: 'Approval' });

export const ConfirmedApprovalView = ApprovalView.extend({
  shownOnce: z.record(z.string(), z.unknown()).optional().describe("what the act answers only once, e.g. a new user's API key"),
});

export const ApprovalListQuery = PageQuery.extend({
  status: z.enum(APPROVAL_STATUSES).optional(),
  kind: z.string().max(64).optional(),
}).strict();

export const ConfirmApprovalBody = z
  .object({ comment: text(2000).optional() })
  .strict()
  .meta({ id: 'ConfirmApproval' });
export const DeclineApprovalBody = z
  .object({ reason: text(2000) })
  .strict()
  .meta({ id: 'DeclineApproval' });
export const WithdrawApprovalBody = z
  .object({ reason: text(2000).optional() })
  .strict()
  .meta({ id: 'WithdrawApproval' });
