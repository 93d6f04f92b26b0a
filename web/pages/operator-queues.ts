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

/**
 * The board's HTML page gets our stylesheet (contrast) and our script of accessibility fixes (names of
 * its icon buttons and logo), the same one the API reference uses, by their plain addresses.
 */
const OWN_ASSETS = '<link rel="stylesheet" href="/static/queues-a11y.css"><script src="/static/docs-a11y.js" defer></script>';
const withOwnAssets: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) =>
    send(typeof body === 'string' && body.includes('</head>') ? body.replace('</head>', `${OWN_ASSETS}</head>`) : body);
  next();
};

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
  router.use(withOwnAssets);
  router.use(adapter.getRouter() as RequestHandler);
  return router;
}
