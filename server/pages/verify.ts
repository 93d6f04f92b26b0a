/** Verifier pages (/verify/*): the queue, a disclosure's sample, findings per loan, the verdict. */
import { Router } from 'express';
import type { AppDeps } from '../context.js';
import { pageOf } from './context.js';
import { html } from './html.js';
import { sendPage } from './layout.js';

export function verifyPages(_deps: AppDeps): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    const ctx = pageOf(res);
    sendPage(res, ctx, ctx.t.verifyHeading, html`<h1>${ctx.t.verifyHeading}</h1><p>${ctx.t.verifyEmpty}</p>`);
  });
  return router;
}
