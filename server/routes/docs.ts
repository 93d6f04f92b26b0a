/** The OpenAPI 3.1 document generated from the zod schemas every route parses with. */
import { Router } from 'express';
import type { AppDeps } from '../context.js';
import { openApiDocument } from '../openapi.js';

export function docsRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.get('/openapi.json', (req, res) => {
    res.json(openApiDocument({ version: '1', serverUrl: `${req.protocol}://${req.get('host')}` }));
  });
  return router;
}
