/**
 * Every route module, in one list. A feature adds its own file under routes/ and one line here.
 * `base` is where it is mounted; API modules live under /api/v1.
 */
import type { Router } from 'express';
import type { AppDeps } from '../context.js';
import { docsRoutes } from './docs.js';
import { healthRoutes } from './health.js';
import { institutionRoutes } from './institutions.js';
import { loanRoutes } from './loans.js';
import { disclosureRoutes } from './disclosures.js';
import { verificationRoutes } from './verification.js';
import { webhookRoutes } from './webhooks.js';
import { pageRoutes } from './pages.js';
import { policyRoutes } from './policy.js';
import { operationRoutes } from './operations.js';
import { applicationRoutes } from './applications.js';
import { facilityRoutes } from './facilities.js';
import { collateralRoutes } from './collateral.js';
import { journalRoutes } from './journal.js';
import { poolShortfallRoutes } from './pool-shortfalls.js';
import { importRoutes } from './imports.js';
import { statementRoutes } from './statements.js';
import { uploadRoutes } from './uploads.js';
import { userRoutes } from './users.js';
import { approvalRoutes } from './approvals.js';
import { auditRoutes } from './audit.js';
import { signingKeyRoutes } from './signing-keys.js';
import { sharedProjectRoutes } from './shared-projects.js';
import { projectRoutes } from './projects.js';
import { evidenceRoutes } from './evidence.js';
import { verificationQueryRoutes } from './verification-queries.js';

export type RouteModule = { base: string; routes: (deps: AppDeps) => Router };

export const routeModules: RouteModule[] = [
  { base: '/', routes: healthRoutes },
  { base: '/', routes: docsRoutes },
  { base: '/api/v1', routes: policyRoutes },
  { base: '/api/v1', routes: institutionRoutes },
  { base: '/api/v1', routes: loanRoutes },
  { base: '/api/v1', routes: disclosureRoutes },
  { base: '/api/v1', routes: verificationRoutes },
  { base: '/api/v1', routes: webhookRoutes },
  { base: '/api/v1', routes: operationRoutes },
  { base: '/api/v1', routes: applicationRoutes },
  { base: '/api/v1', routes: facilityRoutes },
  { base: '/api/v1', routes: collateralRoutes },
  { base: '/api/v1', routes: journalRoutes },
  { base: '/api/v1', routes: poolShortfallRoutes },
  { base: '/api/v1', routes: importRoutes },
  { base: '/api/v1', routes: statementRoutes },
  { base: '/api/v1', routes: uploadRoutes },
  { base: '/api/v1', routes: userRoutes },
  { base: '/api/v1', routes: approvalRoutes },
  { base: '/api/v1', routes: auditRoutes },
  { base: '/', routes: signingKeyRoutes },
  { base: '/api/v1', routes: sharedProjectRoutes },
  { base: '/api/v1', routes: projectRoutes },
  { base: '/api/v1', routes: evidenceRoutes },
  { base: '/api/v1', routes: verificationQueryRoutes },
  // HTML pages; skips /api/*, answers a 404 page for other unknown paths, so keep it last
  { base: '/', routes: pageRoutes },
];
