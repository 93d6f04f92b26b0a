/**
 * The HTML pages (public disclosures, verifier and operator workflows, /docs) behind one router with
 * their own security: strict CSP and headers, signed session cookies, CSRF on every form, HTML errors.
 * Requests under /api/ pass straight through. Mounted last: it answers 404 pages for unknown paths.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppDeps } from '../context.js';
import { authPages, requirePageRole } from '../pages/auth.js';
import { pageContextMiddleware } from '../pages/context.js';
import { docsPages } from '../pages/docs.js';
import { evidencePages } from '../pages/evidence.js';
import { pageErrorHandler, pageNotFound } from '../pages/errors.js';
import { bankPages } from '../pages/bank.js';
import { operatorPages } from '../pages/operator.js';
import { publicPages } from '../pages/public.js';
import { secondFactorPages } from '../pages/second-factor.js';
import { pageFailureHandler } from '../pages/unavailable.js';
import { verifyPages } from '../pages/verify.js';
import { csrfCheck, csrfSeed } from '../web/csrf.js';
import { pageSecurityHeaders } from '../web/security-headers.js';
import { loadSession } from '../web/sessions.js';

export const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');

export function pageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use((req, _res, next) => (req.path.startsWith('/api/') || req.path === '/api' ? next('router') : next()));
  router.use(pageSecurityHeaders());
  router.use('/static', express.static(PUBLIC_DIR, { index: false, maxAge: '1h', fallthrough: false }));
  router.use(loadSession(deps), csrfSeed(deps), pageContextMiddleware, csrfCheck(deps));
  router.use(authPages(deps));
  router.use(secondFactorPages(deps));
  router.use(docsPages(deps));
  router.use(evidencePages(deps));
  router.use(publicPages(deps));
  router.use('/verify', requirePageRole('verifier'), verifyPages(deps));
  router.use('/operator', requirePageRole('operator'), operatorPages(deps));
  router.use('/bank', requirePageRole('bank'), bankPages(deps));
  router.use(pageNotFound);
  router.use(pageErrorHandler);
  router.use(pageFailureHandler);
  return router;
}
