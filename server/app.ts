/** Builds the Express application from its dependencies; no listening, no process concerns. */
import { runAudited } from '../platform/audit-scope.js';
import type { Actor } from '../domain/actor.js';
import express, { type Express, type RequestHandler } from 'express';
import { sha256Hex } from '../platform/credentials.js';
import { authenticate } from './auth.js';
import type { AppDeps } from './context.js';
import { errorHandler, sendProblem } from './errors.js';
import { idempotency } from './idempotency.js';
import { requestLogging } from './request-logging.js';
import { routeModules } from './routes/index.js';

export const JSON_BODY_LIMIT = '32mb'; // a 10,000-loan batch is about 10 MB
export const IMPORT_BODY_LIMIT = '128mb'; // POST /api/v1/imports: about 100,000 loans with their records

/**
 * Runs the rest of the request in its audit scope: whoever the API key or the page session names when
 * a transaction starts is recorded with its changes (platform/audit-scope.ts).
 */
const auditScope: RequestHandler = (req, res, next) =>
  runAudited(() => {
    const actor = (res.locals.actor ?? res.locals.pageActor ?? null) as Actor | null;
    const via = res.locals.actor
      ? `key:${String(res.locals.apiKeyId ?? '')}`
      : res.locals.sessionToken
        ? `session:${sha256Hex(String(res.locals.sessionToken)).slice(0, 12)}`
        : null;
    return {
      userId: actor?.userId ?? null,
      institutionId: actor?.institutionId ?? null,
      via,
      requestId: (req as unknown as { id?: string }).id ?? null,
    };
  }, next);

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
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
  app.use(auditScope);
  app.use('/api', idempotency(deps.database.db));
  for (const module of routeModules) app.use(module.base, module.routes(deps));
  app.use('/api', (req, res) => sendProblem(res, 404, 'no_such_route', `no route ${req.method} ${req.originalUrl}`));
  app.use(errorHandler);
  return app;
}
