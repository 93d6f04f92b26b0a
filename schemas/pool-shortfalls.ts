/** Shapes of pool shortfalls: what a bank owes when a tranche exceeds 60 % of its loans' outstanding eligible principal. */
import { z } from 'zod';
import { PageQuery } from './common.js';

export const PoolShortfallView = z
  .object({
    id: z.string(),
    institution: z.string(),
    applicationId: z.string(),
    facilityId: z.string(),
    raisedOn: z.string(),
    dueOn: z.string(),
    /** what the bank owes now: the tranche's excess over the policy share of its pool ("0.00" once cleared) */
    amount: z.string(),
    trancheOutstanding: z.string(),
    poolOutstandingEligible: z.string(),
    checkedOn: z.string(),
    status: z.enum(['open', 'cleared']),
    /** open and past its due date */
    overdue: z.boolean(),
    clearedOn: z.string().nullable(),
  })
  .meta({ id: 'PoolShortfall' });

export const PoolShortfallQuery = PageQuery.extend({
  status: z.enum(['open', 'cleared']).optional(),
  institution: z.string().max(32).optional().describe("operators only: one bank's shortfalls, by its code (a bank always sees its own)"),
});
