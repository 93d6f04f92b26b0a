/** The operator's institutions page (/operator/institutions): the list and the forms. */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { institutionsPageOf } from './operator-institutions-shared.js';

export function institutionListPages(deps: AppDeps): Router {
  const router = Router();
  const institutionsPage = institutionsPageOf(deps);

  router.get('/institutions', (req, res) => institutionsPage(req, res));

  return router;
}
