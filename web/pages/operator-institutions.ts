/**
 * The operator's workflow pages: institutions and users (the API key is shown once, on the answer page).
 * The list (operator-institution-list.ts), the update (operator-institution-update.ts) and the
 * registration of institutions and users (operator-institution-register.ts), sharing
 * operator-institutions-shared.ts; this file only mounts them, in route order.
 */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { institutionListPages } from './operator-institution-list.js';
import { institutionRegisterPages } from './operator-institution-register.js';
import { institutionUpdatePages } from './operator-institution-update.js';

export function institutionPages(deps: AppDeps): Router {
  const router = Router();
  router.use(institutionListPages(deps));
  router.use(institutionUpdatePages(deps));
  router.use(institutionRegisterPages(deps));
  return router;
}
