/**
 * Operator pages (/operator/*): the overview of quarterly operations (operator-overview.ts), decisions on
 * applications (approve / reject) and the booking of disbursements by a second operator (maker–checker,
 * enforced by the use case; operator-decisions.ts), the workflows by area (operator-workflows.ts), the
 * reconciliation, shared projects, project register, four-eyes approvals and audit trail; and the queue
 * dashboard (Bull Board). This file only mounts them, in route order.
 */
import { operatorStatisticsPages } from './facility-statistics.js';
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { queueDashboard } from './operator-queues.js';
import { reconciliationPages } from './operator-reconciliation.js';
import { sharedProjectPages } from './operator-shared-projects.js';
import { projectRegisterPages } from './operator-projects.js';
import { operatorWorkflowPages } from './operator-workflows.js';
import { approvalPages } from './operator-approvals.js';
import { auditPages } from './operator-audit.js';
import { operatorDecisionPages } from './operator-decisions.js';
import { operatorOverviewPages } from './operator-overview.js';

export function operatorPages(deps: AppDeps): Router {
  const router = Router();

  router.use('/queues', queueDashboard(deps));
  router.use('/reconciliation', reconciliationPages(deps));
  router.use(operatorStatisticsPages(deps));
  router.use('/shared-projects', sharedProjectPages(deps));
  router.use('/projects', projectRegisterPages(deps));
  router.use(operatorWorkflowPages(deps));
  router.use('/approvals', approvalPages(deps));
  router.use('/audit', auditPages(deps));
  router.use(operatorOverviewPages(deps));
  router.use(operatorDecisionPages(deps));

  return router;
}
