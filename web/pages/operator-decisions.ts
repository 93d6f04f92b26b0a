/**
 * The operator's decisions on applications (/operator/applications/:id/approve | reject | disburse):
 * approve (optionally a partial amount) or reject with a reason, and the booking of a disbursement by a
 * second operator (maker–checker, enforced by the use case). Each form runs the same use case as the API
 * route and comes back to the overview (operator-overview.ts).
 */
import { Router, type Request, type Response } from 'express';
import { parseYuan } from '../../domain/money.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import { approveApplication, rejectApplication } from '../../app/refinancing/decisions.js';
import { disburseApplication } from '../../app/refinancing/tranches.js';
import { isUuid } from '../../schemas/common.js';
import { ApproveBody, RejectBody } from '../../schemas/refinancing.js';
import type { AppDeps } from '../../process/context.js';
import { pageActorOf } from '../session/sessions.js';

export function operatorDecisionPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  /**
   * Runs one use case for the signed-in operator in its own transaction; a refusal comes back to the
   * overview named by its status. `parse` turns the form into the use case's input, or null when the
   * form is incomplete (`invalid_input`).
   */
  const command =
    <I>(
      parse: (body: Record<string, unknown>) => I | null,
      useCase: (ctx: ActorContext, id: string, input: I) => Promise<unknown>,
      done: string,
    ) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const id = String(req.params.id);
      const back = (status: string) => res.redirect(303, `/operator?error=${encodeURIComponent(status)}#h-submitted`);
      if (!isUuid(id)) return res.redirect(303, '/operator?error=not_found');
      const input = parse((req.body ?? {}) as Record<string, unknown>);
      if (input === null) return back('invalid_input');
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => useCase(uc, id, input)));
      if (!result.ok) return back(result.status);
      res.redirect(303, `/operator?done=${done}`);
    };

  router.post(
    '/applications/:id/approve',
    command(
      (body) => {
        const amount = typeof body.amount === 'string' && body.amount.trim() !== '' ? body.amount.trim() : undefined;
        const parsed = ApproveBody.safeParse({ reason: String(body.reason ?? '').trim(), amount });
        return parsed.success
          ? { reason: parsed.data.reason, amountFen: parsed.data.amount === undefined ? undefined : parseYuan(parsed.data.amount)! }
          : null;
      },
      (ctx, applicationId, input) => approveApplication(ctx, { applicationId, ...input }),
      'approved',
    ),
  );

  router.post(
    '/applications/:id/reject',
    command(
      (body) => {
        const parsed = RejectBody.safeParse({ reason: String(body.reason ?? '').trim() });
        return parsed.success ? { reason: parsed.data.reason } : null;
      },
      (ctx, applicationId, input) => rejectApplication(ctx, { applicationId, ...input }),
      'rejected',
    ),
  );

  router.post(
    '/applications/:id/disburse',
    command(
      () => ({}),
      (ctx, applicationId) => disburseApplication(ctx, { applicationId }),
      'disbursed',
    ),
  );

  return router;
}
