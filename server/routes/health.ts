/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database and Redis reachable). */
import { Router } from 'express';
import { databaseAnswers } from '../../db/repositories/health.js';
import type { AppDeps } from '../context.js';

export function healthRoutes({ database, services }: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const databaseOk = await databaseAnswers(database.db);
    const redisOk = services.redisPing ? await services.redisPing().catch(() => false) : null;
    const ready = databaseOk && redisOk !== false;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { database: databaseOk ? 'ok' : 'down', redis: redisOk === null ? 'not_configured' : redisOk ? 'ok' : 'down' },
      driver: database.driver,
    });
  });
  return router;
}
