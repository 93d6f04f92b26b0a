/**
 * The API reference at /docs, rendered by Scalar (its Express middleware builds the page) from
 * /openapi.json, with Scalar's browser bundle served by the service itself (never from a CDN). The
 * page's one inline script (Scalar's start-up call) is allowed by its SHA-256 in the content security
 * policy; Scalar injects its styles at run time, so /docs alone allows inline styles. The bundle ships in
 * the npm package `@scalar/api-reference` (dist/browser/standalone.js); while that package is not
 * installed, /docs keeps the built-in reference (web/public/docs.js). The features that need Scalar's
 * own servers (the AI agent, the developer toolbar's deploy offer, the hosted client) are switched off.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { apiReference } from '@scalar/express-api-reference';
import type { Response } from 'express';

export const SCALAR_SCRIPT_PATH = '/docs/scalar.js';

/** The standalone browser bundle of @scalar/api-reference, or null when the package is absent. */
function findScalarBundle(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
    let dir = path.dirname(entry);
    while (dir !== path.dirname(dir) && !existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const bundle = path.join(dir, 'dist', 'browser', 'standalone.js');
    return existsSync(bundle) ? bundle : null;
  } catch {
    return null;
  }
}

export const scalarBundle = findScalarBundle();

/** The page the middleware renders, captured once: its configuration never changes. */
function renderScalarPage(): string {
  let html = '';
  const handler = apiReference({
    url: '/openapi.json',
    cdn: SCALAR_SCRIPT_PATH,
    pageTitle: 'cerf-ledger API reference',
    withDefaultFonts: false,
    telemetry: false,
    // nothing that needs Scalar's servers: no AI agent ("Ask AI"), no developer toolbar ("Deploy on
    // Scalar"), no button that opens the hosted API client
    agent: { disabled: true },
    showDeveloperTools: 'never',
    hideClientButton: true,
    defaultOpenAllTags: false,
    metaData: { title: 'cerf-ledger API reference' },
  });
  const capture = {
    type: () => capture,
    send: (body: string) => {
      html = body;
      return capture;
    },
  };
  (handler as unknown as (req: unknown, res: unknown) => void)({}, capture);
  return html.replace('<html>', '<html lang="en">');
}

export const scalarPage = scalarBundle ? renderScalarPage() : null;

/** The CSP sources of the page's inline scripts (Scalar's start-up call), by their SHA-256. */
export const scalarScriptHashes: string[] = scalarPage
  ? [...scalarPage.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
      (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
    )
  : [];

export function sendScalarPage(res: Response) {
  res.type('text/html; charset=utf-8').send(scalarPage);
}
