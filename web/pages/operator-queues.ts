/**
 * The queue dashboard (Bull Board) under /operator/queues, inside the operator router so the page role
 * guard applies. Read-only: its own write calls (retry, clean…) would carry no CSRF token, and job
 * control belongs to the API/jobs. Without a job runtime the page says so.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { sendMessagePage } from './layout.js';

export function queueDashboard(deps: AppDeps): Router {
  const router = Router();
  const queues = deps.services.jobs?.queues;
  if (!queues) {
    router.use(((_req, res) => {
      const ctx = pageOf(res);
      sendMessagePage(res, ctx, 503, ctx.t.opQueuesHeading, ctx.t.opQueuesAbsent);
    }) as RequestHandler);
    return router;
  }
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/operator/queues');
  createBullBoard({
    queues: Object.values(queues).map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    // @bull-board/express 9.10.1 nests its own @bull-board/api 9.10.1 beside our 9.10.2: same shape, distinct declarations
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'cerf-ledger' } },
  });
  router.use(adapter.getRouter() as RequestHandler);
  return router;
}
