/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database and Redis reachable).
 * Readiness also lists `warnings`: conditions to act on that are not an outage (stale LPR data), so
 * they never turn the answer into a 503.
 */
import { Router } from 'express';
import { databaseAnswers } from '../../db/repositories/health.js';
import { shanghaiDate } from '../../domain/dates.js';
import { lprFreshness } from '../../domain/policy/index.js';
import type { AppDeps } from '../context.js';

export function healthRoutes({ database, services, now }: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const databaseOk = await databaseAnswers(database.db);
    const redisOk = services.redisPing ? await services.redisPing().catch(() => false) : null;
    const ready = databaseOk && redisOk !== false;
    const lpr = lprFreshness(shanghaiDate(now()));
    const warnings = lpr.stale
      ? [{ code: 'lpr_stale', message: lpr.message!, latestFixingOn: lpr.latestFixingOn, ageDays: lpr.ageDays }]
      : [];
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { database: databaseOk ? 'ok' : 'down', redis: redisOk === null ? 'not_configured' : redisOk ? 'ok' : 'down' },
      driver: database.driver,
      // the service's own redis-server, supervised: restarted after an unexpected exit
      ...(services.redisServer ? { redisServer: services.redisServer() } : {}),
      warnings,
    });
  });
  return router;
}
