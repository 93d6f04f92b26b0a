/** Operator pages (/operator/*): operations, decisions (maker–checker), maturities, margin calls, queues. */
import { Router } from 'express';
import type { AppDeps } from '../context.js';
import { pageOf } from './context.js';
import { html } from './html.js';
import { sendPage } from './layout.js';

export function operatorPages(_deps: AppDeps): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const ctx = pageOf(res);
    sendPage(res, ctx, ctx.t.operatorHeading, html`<h1>${ctx.t.operatorHeading}</h1>`);
  });
  return router;
}
