/**
 * The operator's workflows in pages, each form running the same use case as its API route:
 * operations (open, allocate, close), flagged loans (accept), disclosures (compile, assign, publish),
 * verifier conflicts, collateral revaluation, tranches (roll over, repay), institutions and users.
 * Every command is parsed with the API's zod schema, runs in one transaction (`perform`) and comes back
 * to its page with what the use case answered, or with the refusal's page message and rule. The acts
 * the API takes four eyes for (app/approvals/kinds.ts: opening an operation, accepting a flagged loan,
 * publishing a disclosure, changing an institution's eligibility, adding an operator user) are proposed
 * here exactly as the API proposes them (`proposeAct`, same kind, same input): the page then says the
 * act awaits a second operator's confirmation, at /operator/approvals.
 */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { operationPages } from './operator-operations.js';
import { flaggedLoanPages } from './operator-flagged-loans.js';
import { disclosureWorkPages } from './operator-disclosure-work.js';
import { conflictPages } from './operator-conflicts.js';
import { collateralPages } from './operator-collateral.js';
import { tranchePages } from './operator-tranches.js';
import { institutionPages } from './operator-institutions.js';

export { operatorWorkLinks } from './operator-work.js';

/** Every workflow page of the operator, each area in its own file (in this order). */
export function operatorWorkflowPages(deps: AppDeps): Router {
  return Router().use(
    operationPages(deps),
    flaggedLoanPages(deps),
    disclosureWorkPages(deps),
    conflictPages(deps),
    collateralPages(deps),
    tranchePages(deps),
    institutionPages(deps),
  );
}
