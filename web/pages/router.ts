/**
 * The HTML pages (public disclosures, verifier and operator workflows, /docs) behind one router with
 * their own security: strict CSP and headers, signed session cookies, CSRF on every form, HTML errors.
 * Requests under /api/ pass straight through. Mounted last: it answers 404 pages for unknown paths.
 */
import express, { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { authPages, requirePageRole } from './auth.js';
import { pageContextMiddleware } from './context.js';
import { docsPages } from './docs.js';
import { problemPages } from './problems.js';
import { evidencePages } from './evidence.js';
import { pageErrorHandler, pageNotFound } from './errors.js';
import { bankPages } from './bank.js';
import { operatorPages } from './operator.js';
import { publicPages } from './public.js';
import { secondFactorPages } from './second-factor.js';
import { pageFailureHandler } from './unavailable.js';
import { verifyPages } from './verify.js';
import { csrfCheck, csrfSeed } from '../session/csrf.js';
import { pageSecurityHeaders } from '../security-headers.js';
import { loadSession } from '../session/sessions.js';
import { PUBLIC_DIR } from '../static-assets.js';

export function pageRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use((req, _res, next) => (req.path.startsWith('/api/') || req.path === '/api' ? next('router') : next()));
  router.use(pageSecurityHeaders());
  router.use('/static', express.static(PUBLIC_DIR, { index: false, maxAge: '1h', fallthrough: false }));
  router.use(loadSession(deps), csrfSeed(deps), pageContextMiddleware, csrfCheck(deps));
  router.use(authPages(deps));
  router.use(secondFactorPages(deps));
  router.use(docsPages(deps));
  router.use(problemPages(deps));
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
