/**
 * One operator proposes a consequential act (./kinds.ts). The act is checked at once by running its
 * use case in a savepoint that is then rolled back (a dry run, with the proposer acting): a proposal
 * the act would refuse is refused now, with the act's own refusal, and nothing is stored. A sound one
 * is stored pending until a different operator confirms it (./decide-approval.ts) or it expires after
 * the policy's `approvalExpiryDays`.
 *
 * Bootstrap: while the central bank has fewer than two active operators, creating an operator user is
 * performed at once by one operator (there is no second one to confirm); the audit trail records it
 * with the reason `bootstrap`. From then on every act of ./kinds.ts takes four eyes.
 */
import { countActiveOperators, insertApproval, lockOperatorBootstrap, type ApprovalRow } from '../../db/repositories/approvals.js';
import { shanghaiDate } from '../../domain/dates.js';
import { policyOn } from '../../domain/policy/index.js';
import { setAuditReason } from '../../db/repositories/audit.js';
import type { ActorContext } from '../perform.js';
import { APPROVAL_KINDS, type ApprovalInput, type ApprovalKind } from './kinds.js';

const DAY_MS = 86_400_000;

/** Thrown inside the savepoint to roll the dry run back with its value. */
class DryRunDone {
  constructor(readonly value: unknown) {}
}

/** Runs `work` in a savepoint and rolls it back: its refusals come through, its writes never stay. */
export async function dryRun<T>(ctx: ActorContext, work: (ctx: ActorContext) => Promise<T>): Promise<T> {
  try {
    await ctx.tx.transaction(async (sp) => {
      throw new DryRunDone(await work({ ...ctx, tx: sp }));
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.value as T;
    throw err;
  }
  throw new Error('unreachable: a dry run always rolls back');
}

/** Days a proposal waits for its confirmation, by the policy in force today (14 when none is). */
export function approvalExpiryDays(now: Date): number {
  return policyOn(shanghaiDate(now))?.approvalExpiryDays ?? 14;
}

/** Stores a proposal already checked (the policy-change kind checks its own). */
export async function storeProposal<K extends ApprovalKind>(
  ctx: ActorContext,
  kind: K,
  input: ApprovalInput<K>,
  reason: string | null,
): Promise<ApprovalRow> {
  const spec = APPROVAL_KINDS[kind] as unknown as {
    subject(i: unknown): { resource: string; id: string };
    summary(i: unknown): string;
  };
  const subject = spec.subject(input);
  return insertApproval(ctx.tx, {
    kind,
    input: input as Record<string, unknown>,
    resource: subject.resource,
    resourceId: subject.id,
    summary: spec.summary(input),
    reason,
    proposedBy: ctx.actor.userId,
    proposedAt: ctx.now,
    expiresAt: new Date(ctx.now.getTime() + approvalExpiryDays(ctx.now) * DAY_MS),
  });
}

export type Proposed<V> = { performed: false; approval: ApprovalRow } | { performed: true; value: V };

/** Proposes `kind` with `input` (checked by a dry run), or performs the bootstrap at once. */
export async function proposeAct<K extends ApprovalKind>(
  ctx: ActorContext,
  kind: K,
  input: ApprovalInput<K>,
  options: { reason?: string | null } = {},
): Promise<Proposed<Awaited<ReturnType<(typeof APPROVAL_KINDS)[K]['perform']>>>> {
  type V = Awaited<ReturnType<(typeof APPROVAL_KINDS)[K]['perform']>>;
  const perform = APPROVAL_KINDS[kind].perform as unknown as (c: ActorContext, i: unknown, d: { comment?: string }) => Promise<V>;
  if (kind === 'add_operator') {
    await lockOperatorBootstrap(ctx.tx);
    if ((await countActiveOperators(ctx.tx)) < 2) {
      await setAuditReason(ctx.tx, 'bootstrap: the second operator, created without confirmation');
      return { performed: true, value: await perform(ctx, input, {}) };
    }
  }
  await dryRun(ctx, (c) => perform(c, input, {}));
  return { performed: false, approval: await storeProposal(ctx, kind, input, options.reason ?? null) };
}
