/**
 * Four eyes: the consequential operator acts proposed by one operator (each proposing route answers
 * 202 with the pending approval), listed here and confirmed by a different operator, declined with a
 * reason, or withdrawn by the proposer.
 */
import { perform } from '../../app/perform.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { confirmApproval, declineApproval, withdrawApproval } from '../../app/approvals/decide-approval.js';
import { refreshPolicyData } from '../../app/policy/policy-data.js';
import { findApproval, listApprovals } from '../../db/repositories/approvals.js';
import {
  ApprovalListQuery,
  ApprovalView,
  ConfirmApprovalBody,
  ConfirmedApprovalView,
  DeclineApprovalBody,
  WithdrawApprovalBody,
} from '../../schemas/approvals.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentApproval } from '../presenters/approvals.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

const refusals = (...codes: string[]) => `refused: ${codes.join(', ')} (4xx naming the rule; nothing changes)`;

describe({
  method: 'get',
  path: '/api/v1/approvals',
  operationId: 'listApprovals',
  tag: 'approvals',
  roles: ['operator'],
  summary: 'Proposed operator acts (four eyes), newest first; `status=pending` lists those awaiting a second operator',
  query: ApprovalListQuery,
  responses: { 200: pageOf(ApprovalView) },
});
describe({
  method: 'get',
  path: '/api/v1/approvals/:id',
  operationId: 'getApproval',
  tag: 'approvals',
  roles: ['operator'],
  summary: 'One proposed act, with who proposed and decided it and why',
  responses: { 200: ApprovalView },
});
describe({
  method: 'post',
  path: '/api/v1/approvals/:id/confirm',
  operationId: 'confirmApproval',
  tag: 'approvals',
  roles: ['operator'],
  summary: `Confirm an act another operator proposed: it takes effect now, with the confirmer acting; ${refusals('four_eyes_violation (403)', 'approval_expired (409)', 'approval_withdrawn (409)', 'proposal_not_pending (409)', "the act's own refusal")}`,
  body: ConfirmApprovalBody,
  responses: { 200: ConfirmedApprovalView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/approvals/:id/decline',
  operationId: 'declineApproval',
  tag: 'approvals',
  roles: ['operator'],
  summary: `Decline a pending act with a reason; ${refusals('approval_withdrawn (409)', 'proposal_not_pending (409)')}`,
  body: DeclineApprovalBody,
  responses: { 200: ApprovalView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/approvals/:id/withdraw',
  operationId: 'withdrawApproval',
  tag: 'approvals',
  roles: ['operator'],
  summary: `The proposer withdraws a pending act; ${refusals('forbidden (403, not the proposer)', 'approval_withdrawn (409)', 'proposal_not_pending (409)')}`,
  body: WithdrawApprovalBody,
  responses: { 200: ApprovalView },
  idempotent: true,
});

const ApprovalId = z.object({ id: z.string() });

/** A proposing route's answer: 202 with the pending approval (it takes effect once another operator confirms it). */
export async function answerProposal(deps: Pick<AppDeps, 'database' | 'now'>, res: Response, approvalId: string): Promise<void> {
  res.status(202).json(presentApproval((await findApproval(deps.database.db, approvalId))!, deps.now()));
}

export function approvalRoutes({ database, now, logger, services }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const view = async (id: string) => presentApproval((await findApproval(db, id))!, now());

  router.get('/approvals', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(ApprovalListQuery, req.query);
    const cursor = cursorOrThrow(z.tuple([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)]), q.cursor);
    const rows = await listApprovals(db, {
      status: q.status,
      kind: q.kind,
      asOf: now(),
      beforeSeq: cursor?.[0],
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map((r) => presentApproval(r, now())),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.approval.seq]) : null,
    });
  });

  router.get('/approvals/:id', requireRole('operator'), async (req, res) => {
    const { id } = parseOrThrow(ApprovalId, req.params);
    const row = await findApproval(db, id);
    if (!row) throw notFound(`approval ${id}`);
    res.json(presentApproval(row, now()));
  });

  router.post('/approvals/:id/confirm', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ApprovalId, req.params);
    const body = parseOrThrow(ConfirmApprovalBody, req.body ?? {});
    const done = await perform(db, { now: now(), actor }, (ctx) => confirmApproval(ctx, { id, comment: body.comment }));
    void services.jobs?.relayNow().catch((err) => logger.warn({ err: (err as Error).message }, 'relay nudge failed'));
    if (done.approval.kind === 'policy_change')
      await refreshPolicyData(db).catch((err) => logger.warn({ err }, 'policy data refresh after a confirmation failed'));
    const shown = Object.keys(done.shownOnce).length ? { shownOnce: done.shownOnce } : {};
    res.json({ ...(await view(id)), ...shown });
  });

  router.post('/approvals/:id/decline', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ApprovalId, req.params);
    const body = parseOrThrow(DeclineApprovalBody, req.body);
    await perform(db, { now: now(), actor }, (ctx) => declineApproval(ctx, { id, reason: body.reason }));
    res.json(await view(id));
  });

  router.post('/approvals/:id/withdraw', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ApprovalId, req.params);
    const body = parseOrThrow(WithdrawApprovalBody, req.body ?? {});
    await perform(db, { now: now(), actor }, (ctx) => withdrawApproval(ctx, { id, reason: body.reason }));
    res.json(await view(id));
  });

  return router;
}
