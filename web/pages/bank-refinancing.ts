/**
 * The bank's refinancing pages: applications (/bank/applications: apply with a selection of loans or
 * every eligible loan up to a date, pledge collateral, follow the decisions; bank-applications.ts),
 * tranches (/bank/tranches: the interest statement, maturities and rollovers due, rolling a tranche over;
 * bank-tranches.ts) and margin calls (/bank/margin-calls: collateral margin calls and pool shortfalls;
 * bank-margin-calls.ts), sharing bank-refinancing-shared.ts. Each form runs the API's use case.
 */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { bankApplicationPages } from './bank-applications.js';
import { bankMarginCallPages } from './bank-margin-calls.js';
import { bankTranchePages } from './bank-tranches.js';

export function bankRefinancingPages(deps: AppDeps): Router {
  const router = Router();
  router.use(bankApplicationPages(deps));
  router.use(bankTranchePages(deps));
  router.use(bankMarginCallPages(deps));
  return router;
}
