/** Public pages (no sign-in): home with national totals, the disclosure index, a disclosure, an institution. */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { publicDisclosurePages } from './public-disclosure.js';
import { publicHomePages } from './public-home.js';
import { publicStatisticsPages } from './facility-statistics.js';
import { publicIndexPages } from './public-index.js';
import { publicInstitutionPages } from './public-institution.js';

export function publicPages(deps: AppDeps): Router {
  const router = Router();
  router.use(publicHomePages(deps));
  router.use(publicStatisticsPages(deps));
  router.use(publicIndexPages(deps));
  router.use(publicDisclosurePages(deps));
  router.use(publicInstitutionPages(deps));
  return router;
}
