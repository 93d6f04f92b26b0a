/** The verifier raises a query on a sampled loan (/verify/:assignmentId/queries). */
import { Router } from 'express';
import { raiseQuery } from '../../app/disclosures/raise-query.js';
import { RaiseQueryBody } from '../../schemas/evidence.js';
import type { AppDeps } from '../../process/context.js';
import { text, verifyCommand } from './verify-shared.js';

export function verifyQueryPages(deps: AppDeps): Router {
  const router = Router();
  const command = verifyCommand(deps);

  router.post(
    '/:assignmentId/queries',
    command(
      (form) => {
        const parsed = RaiseQueryBody.safeParse({ loanId: text(form.loanId), text: text(form.text) });
        return parsed.success ? parsed.data : null;
      },
      (ctx, ref, input) => raiseQuery(ctx, { ...ref, ...input }),
    ),
  );

  return router;
}
