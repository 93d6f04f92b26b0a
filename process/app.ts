/** Builds the Express application from its dependencies; no listening, no process concerns. */
import { runAudited } from '../platform/audit-scope.js';
import type { Actor } from '../domain/actor.js';
import express, { type Express, type RequestHandler } from 'express';
import { sha256Hex } from '../platform/credentials.js';
import { trustProxySetting } from '../schemas/env.js';
import { apiHeaders } from '../api/api-headers.js';
import { authenticate } from '../api/auth.js';
import type { AppDeps } from './context.js';
import { errorHandler, sendProblem } from '../api/errors.js';
import { idempotency, markingIdempotentWrites } from './idempotency.js';
import {
  announcedBodyLimit,
  apiRateLimit,
  authenticateBeforeBody,
  BODY_LIMITS,
  bodyLimitOf,
  DEFAULT_API_BODY_LIMIT,
  PAGE_FORM_LIMIT,
  UPLOAD_ROUTE,
  chunkedBodyLimit,
} from './limits.js';
import { methodNotAllowed } from '../api/method-not-allowed.js';
import { publishedFastPath, type PublishedFastPath, type PublishedPages } from '../web/pages/published-fast-path.js';
import { staticAssets } from '../web/static-assets.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestLogging } from './request-logging.js';
import { routeModules } from './routes.js';
import { hashUploadRequest } from '../api/multipart.js';

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

const FAST_PATH = 'published fast path';
const PUBLISHED_PAGES = 'published pages';

/** The app's published pages (its fast path and the pass that keeps it ahead of its readers). */
export const publishedPagesOf = (app: Express) => app.get(PUBLISHED_PAGES) as PublishedPages;

/**
 * The HTTP server's handler: static assets, published pages and files straight from memory, everything else through
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

export function createApp(given: AppDeps): Express {
  // every transaction a route runs marks the request's Idempotency-Key claim inside itself
  const deps: AppDeps = { ...given, database: { ...given.database, db: markingIdempotentWrites(given.database.db) } };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // behind a reverse proxy: the client's address (rate limits, sign-in limits) and https (Secure cookies, HSTS)
  app.set('trust proxy', trustProxySetting(deps.env.TRUST_PROXY));
  // static assets, published pages and files: immutable bytes from memory, before logging, parsers, authentication and sessions
  // (the service also puts it in front of Express itself: `serverHandler`)
  const published = publishedFastPath(deps);
  const assets = staticAssets();
  const fastPath: PublishedFastPath = (req, res, next) => assets.serve(req, res, () => published(req, res, next));
  app.set(FAST_PATH, fastPath);
  app.set(PUBLISHED_PAGES, published);
  app.use((req, res, next) => ((req as { fastPathTried?: boolean }).fastPathTried ? next() : fastPath(req, res, next)));
  app.use(requestLogging(deps.logger));
  app.use('/api', apiHeaders());
  // who is calling is known before any body is read; an anonymous write and a caller over its limit
  // are refused with the body unread
  app.use(authenticate(deps));
  app.use(auditScope);
  app.use('/api', authenticateBeforeBody());
  app.use(
    '/api',
    apiRateLimit({
      perKey: deps.env.API_RATE_LIMIT_PER_KEY,
      perAddress: deps.env.API_RATE_LIMIT_PER_ADDRESS,
      redis: deps.services.rateLimitRedis,
      prefix: deps.services.rateLimitPrefix,
    }),
  );
  app.use('/api', announcedBodyLimit());
  app.use('/api', chunkedBodyLimit());
  const jsonBody = (limit: number) =>
    express.json({
      limit,
      type: ['application/json', 'application/*+json'],
      // the idempotency check compares request bodies by the hash of their bytes
      verify: (req, _res, buf) => {
        (req as unknown as { bodySha256: string }).bodySha256 = sha256Hex(buf);
      },
    });
  const parsers = new Map<number, RequestHandler>(
    [...BODY_LIMITS.map((r) => r.limit), DEFAULT_API_BODY_LIMIT].map((limit) => [limit, jsonBody(limit)]),
  );
  // each API route reads at most its own limit (413 beyond it)
  app.use('/api', (req, res, next) => parsers.get(bodyLimitOf(req.originalUrl.split('?')[0]))!(req, res, next));
  // page forms (sign-in, decisions) are small
  const forms = express.urlencoded({ extended: false, limit: PAGE_FORM_LIMIT });
  app.use((req, res, next) => (req.path.startsWith('/api/') ? next() : forms(req, res, next)));
  app.use(
    '/api',
    idempotency(given.database.db, {
      ttlHours: deps.env.IDEMPOTENCY_TTL_HOURS,
      streamedBodies: [{ pattern: UPLOAD_ROUTE, hash: hashUploadRequest }],
    }),
  );
  for (const module of routeModules) app.use(module.base, module.routes(deps));
  app.use('/api', methodNotAllowed());
  app.use('/api', (req, res) => sendProblem(res, 404, 'no_such_route', `no route ${req.method} ${req.originalUrl}`));
  app.use(errorHandler);
  return app;
}
