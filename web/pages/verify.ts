/**
 * Verifier pages (/verify/*): the queue of the verifier's own assignments, one disclosure's figures and
 * frozen sample, a form per sampled loan to record the five checks, and the verdict. Commands call the
 * same use cases as the API (app/disclosures/verification.ts), one transaction each; a refusal comes
 * back to the page as the problems table's message (role="alert"), never a 500.
 */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { verifyAssignmentPages } from './verify-assignment.js';
import { verifyFindingPages } from './verify-findings.js';
import { verifyQueryPages } from './verify-queries.js';
import { verifyQueuePages } from './verify-queue.js';
import { verifyVerdictPages } from './verify-verdict.js';

export function verifyPages(deps: AppDeps): Router {
  const router = Router();
  router.use(verifyQueuePages(deps));
  router.use(verifyAssignmentPages(deps));
  router.use(verifyFindingPages(deps));
  router.use(verifyQueryPages(deps));
  router.use(verifyVerdictPages(deps));
  return router;
}
