/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database and Redis reachable).
 * Readiness also lists `warnings`: conditions to act on that are not an outage (stale LPR data), so
 * they never turn the answer into a 503.
 */
import { Router } from 'express';
import { databaseAnswers } from '../../db/repositories/health.js';
import { shanghaiDate } from '../../domain/dates.js';
import { lprFreshness } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { z } from 'zod';
import { describe } from '../openapi.js';

const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: z.enum(['ok', 'down']), redis: z.enum(['ok', 'down', 'not_configured']) }),
    driver: z.enum(['postgres', 'pglite']),
    warnings: z
      .array(z.object({ code: z.literal('lpr_stale'), message: z.string(), latestFixingOn: z.string(), ageDays: z.number().int() }))
      .describe('conditions to act on that are not an outage: they never turn the answer into a 503'),
  })
  .meta({ id: 'Readiness' });
const ready = {
  status: 'ready',
  checks: { database: 'ok', redis: 'ok' },
  driver: 'postgres',
  warnings: [],
};
describe({
  method: 'get',
  path: '/healthz',
  tag: 'health',
  roles: [],
  operationId: 'getLiveness',
  summary: 'Liveness: answers while the process lives',
  responses: { 200: z.object({ status: z.literal('ok') }) },
  examples: { responses: { 200: [{ summary: 'alive', value: { status: 'ok' } }] } },
});
describe({
  method: 'get',
  path: '/readyz',
  tag: 'health',
  roles: [],
  operationId: 'getReadiness',
  summary: 'Readiness: the database and Redis answer (503 when one is down); warnings such as stale LPR data',
  responses: { 200: Readiness, 503: { description: 'Not ready: the database or Redis does not answer', schema: Readiness } },
  examples: {
    responses: {
      200: [
        { summary: 'ready', value: ready },
        {
          summary: 'ready, with stale LPR data',
          value: {
            ...ready,
            warnings: [
              {
                code: 'lpr_stale',
                message: 'the latest LPR fixing known is of 2026-01-20, 41 days ago: record this month’s fixing',
                latestFixingOn: '2026-01-20',
                ageDays: 41,
              },
            ],
          },
        },
      ],
      503: [{ summary: 'Redis down', value: { ...ready, status: 'not_ready', checks: { database: 'ok', redis: 'down' } } }],
    },
  },
});

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
