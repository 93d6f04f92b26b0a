/** Builds the Express application from its dependencies; no listening, no process concerns. */
import express, { type Express } from 'express';
import { sha256Hex } from '../platform/credentials.js';
import { authenticate } from './auth.js';
import type { AppDeps } from './context.js';
import { errorHandler, sendProblem } from './errors.js';
import { idempotency } from './idempotency.js';
import { publishedFastPath, type PublishedFastPath } from './pages/published-fast-path.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLogging } from './request-logging.js';
import { routeModules } from './routes/index.js';

export const JSON_BODY_LIMIT = '32mb'; // a 10,000-loan batch is about 10 MB
export const IMPORT_BODY_LIMIT = '128mb'; // POST /api/v1/imports: about 100,000 loans with their records

const FAST_PATH = 'published fast path';

/**
 * The HTTP server's handler: published pages and files straight from memory, everything else through
 * Express (which then skips the fast path it already tried).
 */
export function serverHandler(app: Express): (req: IncomingMessage, res: ServerResponse) => void {
  const fastPath = app.get(FAST_PATH) as PublishedFastPath;
  return (req, res) =>
    fastPath(req, res, () => {
      // not a published page (or its lookup failed): the ordinary route answers, or names the error
      (req as { fastPathTried?: boolean }).fastPathTried = true;
      app(req, res);
    });
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // published pages and files: immutable bytes from memory, before logging, parsers, authentication and sessions
  // (the service also puts it in front of Express itself: `serverHandler`)
  const fastPath = publishedFastPath(deps);
  app.set(FAST_PATH, fastPath);
  app.use((req, res, next) => ((req as { fastPathTried?: boolean }).fastPathTried ? next() : fastPath(req, res, next)));
  app.use(requestLogging(deps.logger));
  const jsonBody = (limit: string) =>
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      // the idempotency check compares request bodies by the hash of their bytes
      verify: (req, _res, buf) => {
        (req as unknown as { bodySha256: string }).bodySha256 = sha256Hex(buf);
      },
    });
  // a historical import carries a bank's history in one document; the general parser then skips it
  app.use('/api/v1/imports', jsonBody(IMPORT_BODY_LIMIT));
  app.use(jsonBody(JSON_BODY_LIMIT));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(authenticate(deps.database.db));
  app.use('/api', idempotency(deps.database.db));
  for (const module of routeModules) app.use(module.base, module.routes(deps));
  app.use('/api', (req, res) => sendProblem(res, 404, 'no_such_route', `no route ${req.method} ${req.originalUrl}`));
  app.use(errorHandler);
  return app;
}
