/**
 * /docs: the API reference, rendered by Scalar from /openapi.json with its bundle served from here
 * (web/api-reference.ts); without that bundle, the built-in reference of /static/docs.js.
 */
import { Router } from 'express';
import { SCALAR_SCRIPT_PATH, scalarBundle, sendScalarPage } from '../api-reference.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { html } from './html.js';
import { sendPage } from './layout.js';
import { assetHref } from '../static-assets.js';

export function docsPages(_deps: AppDeps): Router {
  const router = Router();
  if (scalarBundle) {
    const bundle = scalarBundle;
    router.get(SCALAR_SCRIPT_PATH, (_req, res) => res.sendFile(bundle, { maxAge: '1h' }));
    router.get('/docs', (_req, res) => sendScalarPage(res));
    return router;
  }
  router.get('/docs', (_req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const body = html`<h1>${t.docsHeading}</h1>
<p>${t.docsIntro} <a href="/openapi.json">/openapi.json</a></p>
<div class="docs-key">
  <label for="docs-api-key">${t.apiKey}</label>
  <input id="docs-api-key" type="password" autocomplete="off" placeholder="cerf_…">
</div>
<div id="docs-root" data-spec="/openapi.json" data-lang="${ctx.lang}" aria-live="polite"></div>
<script src="${assetHref('docs.js')}" defer></script>`;
    sendPage(res, ctx, t.docsHeading, body);
  });
  return router;
}
