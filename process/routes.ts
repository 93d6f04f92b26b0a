/**
 * Every route module, in one list. A feature adds its own file under routes/ and one line here.
 * `base` is where it is mounted; API modules live under /api/v1.
 */
import type { Router } from 'express';
import type { AppDeps } from './context.js';
import { docsRoutes } from '../api/routes/docs.js';
import { healthRoutes } from '../api/routes/health.js';
import { institutionRoutes } from '../api/routes/institutions.js';
import { loanRoutes } from '../api/routes/loans.js';
import { disclosureRoutes } from '../api/routes/disclosures.js';
import { verificationRoutes } from '../api/routes/verification.js';
import { webhookRoutes } from '../api/routes/webhooks.js';
import { pageRoutes } from '../web/pages/router.js';
import { policyRoutes } from '../api/routes/policy.js';
import { operationRoutes } from '../api/routes/operations.js';
import { applicationRoutes } from '../api/routes/applications.js';
import { facilityRoutes } from '../api/routes/facilities.js';
import { collateralRoutes } from '../api/routes/collateral.js';
import { journalRoutes } from '../api/routes/journal.js';
import { poolShortfallRoutes } from '../api/routes/pool-shortfalls.js';
import { importRoutes } from '../api/routes/imports.js';
import { statementRoutes } from '../api/routes/statements.js';
import { uploadRoutes } from '../api/routes/uploads.js';
import { userRoutes } from '../api/routes/users.js';
import { approvalRoutes } from '../api/routes/approvals.js';
import { auditRoutes } from '../api/routes/audit.js';
import { signingKeyRoutes } from '../api/routes/signing-keys.js';
import { sharedProjectRoutes } from '../api/routes/shared-projects.js';
import { projectRoutes } from '../api/routes/projects.js';
import { evidenceRoutes } from '../api/routes/evidence.js';
import { verificationQueryRoutes } from '../api/routes/verification-queries.js';
import { statisticsRoutes } from '../api/routes/statistics.js';
import { disclosureCheckRoutes } from '../api/routes/disclosure-checks.js';

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
  { base: '/api/v1', routes: statisticsRoutes },
  { base: '/api/v1', routes: disclosureCheckRoutes },
  // HTML pages; skips /api/*, answers a 404 page for other unknown paths, so keep it last
  { base: '/', routes: pageRoutes },
];
