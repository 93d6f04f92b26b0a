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

/**
 * The reference's theme: Scalar's default light theme with its greys and colours darkened so that every
 * text meets WCAG AA contrast (4.5:1) on each of its backgrounds (the greys #757575 and #8e8e8e and the
 * blue of GET badges did not). Always light (no dark-mode toggle to keep in contrast too). The doubled
 * class outranks Scalar's own `.light-mode` rules whatever their order.
 */
export const SCALAR_THEME_CSS = `.light-mode.light-mode {
  --scalar-color-1: #1b1b1b;
  --scalar-color-2: #4a4a4a;
  --scalar-color-3: #575757;
  --scalar-color-accent: #0b5aa8;
  --scalar-color-blue: #0b5aa8;
  --scalar-color-green: #0b6a2e;
  --scalar-color-orange: #9a4300;
  --scalar-color-red: #b02a1f;
  --scalar-color-yellow: #735500;
  --scalar-color-purple: #6a35a8;
  --scalar-link-color: #0b5aa8;
  --scalar-sidebar-color-1: #1b1b1b;
  --scalar-sidebar-color-2: #4a4a4a;
  --scalar-sidebar-color-active: #0b5aa8;
  --scalar-sidebar-search-color: #575757;
}
.light-mode.light-mode .sidebar-search-placeholder,
.light-mode.light-mode input::placeholder { color: #575757; opacity: 1; }`;

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
    customCss: SCALAR_THEME_CSS,
    forceDarkModeState: 'light',
    hideDarkModeToggle: true,
  });
  const capture = {
    type: () => capture,
    send: (body: string) => {
      html = body;
      return capture;
    },
  };
  (handler as unknown as (req: unknown, res: unknown) => void)({}, capture);
  // our accessibility fixes of Scalar's markup (names of icon buttons and the like), from our own assets
  // (the plain address, revalidated: static-assets.ts depends on this module through the security headers)
  return html.replace('<html>', '<html lang="en">').replace('</head>', `  <script src="/static/docs-a11y.js" defer></script>\n  </head>`);
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
