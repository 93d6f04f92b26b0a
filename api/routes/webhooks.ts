/**
 * Webhooks: a bank or verifier registers URLs for its notifications (the signing secret is shown
 * once), and sees every delivery with its attempts and last error. The operator sees all deliveries
 * and the job system's health (outbox and BullMQ counts per queue), and may run a failed job again.
 */
import { Router } from 'express';
import { z } from 'zod';
import { retryFailedJob } from '../../app/outbox-jobs.js';
import { perform } from '../../app/perform.js';
import { registerWebhook, stopWebhook } from '../../app/webhooks.js';
import { deliveriesOf, subscriptionsOf } from '../../db/repositories/outbox-webhooks.js';
import { failedJobs } from '../../db/repositories/outbox.js';
import { isQueueName } from '../../jobs/queues.js';
import { CursorPart, encodeCursor, PageQuery } from '../../schemas/common.js';
import { CreateWebhookBody, WebhookDelivery, WebhookNotification, WebhookSubscription } from '../../schemas/webhooks.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, refused } from '../errors.js';
import { describe, describeWebhook } from '../openapi.js';
import { presentDelivery, presentFailedJob, presentSubscription } from '../presenters/webhooks.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

/** The notifications a subscriber receives, one per event: who receives it and when. */
const EVENTS = [
  [
    'disclosure.compiled',
    'compiledDisclosureNotice',
    'the bank',
    'a version of its quarterly disclosure was compiled (first compilation or a recompilation after a correction): review and submit it',
  ],
  ['disclosure.assigned', 'assignedDisclosureNotice', 'the verifier', 'an operator assigned it a bank’s submitted disclosure to verify'],
  ['disclosure.verified', 'verifiedDisclosureNotice', 'the bank', 'its verifier verified the disclosure; publication follows'],
  [
    'disclosure.rejected',
    'rejectedDisclosureNotice',
    'the bank',
    'its verifier rejected the disclosure (the verdict’s summary says why): correct and submit again',
  ],
  ['disclosure.published', 'publishedDisclosureNotice', 'the bank', 'its disclosure was published (signed, on the public pages)'],
  [
    'disclosure.withdrawn',
    'withdrawnDisclosureNotice',
    'the verifier',
    'its assignment was withdrawn: a newer version of the disclosure supersedes the one it was verifying',
  ],
] as const;

const SIGNATURE_HEADERS = {
  'X-Cerf-Signature': {
    description:
      '`t=<unix seconds>,v1=<hex>` where hex = HMAC-SHA256(the subscription’s secret, `<t>.<raw body>`). Recompute it over the raw body, compare in constant time, and refuse a `t` more than 5 minutes from your clock.',
    example: 't=1772337600,v1=5f2b8c1d9e7a3f60b4c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0',
  },
  'X-Cerf-Event': { description: 'the event’s name, as `event` in the body', example: 'disclosure.published' },
  'X-Cerf-Delivery': {
    description: 'the notification’s id, as `id` in the body: a repeat (after a timeout) carries the same id, so drop one you have handled',
    example: 'notify.disclosure.published.0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b.CITIC',
  },
};

for (const [event, operationId, who, when] of EVENTS)
  describeWebhook({
    event,
    operationId,
    summary: `To ${who}: ${when.split(':')[0].split(' (')[0]}`,
    description: `Sent to every active webhook URL of ${who} when ${when}. The body names the disclosure version; read it at \`data.href\`. Verify \`X-Cerf-Signature\` before trusting the body.`,
    body: WebhookNotification,
    example: {
      id: `notify.${event}.0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b.CITIC`,
      event,
      data: {
        institution: 'CITIC',
        quarter: '2026Q1',
        version: 1,
        contentSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        href: '/api/v1/disclosures/CITIC/2026Q1?version=1',
      },
    },
    headers: SIGNATURE_HEADERS,
  });

describe({
  method: 'post',
  path: '/api/v1/webhooks',
  operationId: 'createWebhook',
  tag: 'webhooks',
  roles: ['bank', 'verifier'],
  summary: 'Register a webhook URL; answers the HMAC-SHA256 signing secret once',
  body: CreateWebhookBody,
  responses: { 201: WebhookSubscription.extend({ secret: z.string() }) },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/webhooks',
  operationId: 'listWebhooks',
  tag: 'webhooks',
  roles: ['bank', 'verifier'],
  summary: "The institution's webhook subscriptions",
  responses: { 200: z.object({ items: z.array(WebhookSubscription), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'delete',
  path: '/api/v1/webhooks/:id',
  operationId: 'deleteWebhook',
  tag: 'webhooks',
  roles: ['bank', 'verifier'],
  summary: 'Stop a webhook subscription',
  responses: { 204: null },
});
describe({
  method: 'get',
  path: '/api/v1/webhooks/deliveries',
  operationId: 'listWebhookDeliveries',
  tag: 'webhooks',
  roles: ['bank', 'verifier', 'operator'],
  summary: 'Deliveries with status, attempts and last error (own; operator: all)',
  query: PageQuery,
  responses: { 200: z.object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'get',
  path: '/api/v1/jobs/health',
  operationId: 'getJobsHealth',
  errors: ['jobs_not_running'],
  tag: 'webhooks',
  roles: ['operator'],
  summary: 'Queue health: outbox rows per queue and status, BullMQ job counts',
  responses: {
    200: z.object({
      outbox: z.array(z.object({ queue: z.string(), status: z.string(), count: z.number() })),
      queues: z.record(z.string(), z.record(z.string(), z.number())),
    }),
  },
});

const FailedJob = z.object({
  jobId: z.string(),
  queue: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
describe({
  method: 'get',
  path: '/api/v1/jobs/failed',
  operationId: 'listFailedJobs',
  errors: ['jobs_not_running'],
  tag: 'webhooks',
  roles: ['operator'],
  summary: 'Jobs that failed for good, with their last error',
  query: PageQuery,
  responses: { 200: z.object({ items: z.array(FailedJob), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'post',
  path: '/api/v1/jobs/:jobId/retry',
  operationId: 'retryJob',
  errors: ['job_not_failed', 'jobs_not_running'],
  tag: 'webhooks',
  roles: ['operator'],
  summary: 'Run a failed job again (back to pending; the relay enqueues it)',
  responses: { 202: FailedJob },
});

/** A deliveries cursor: (created_at as ISO text, id) of the last delivery seen; null when it is not one this API gave. */
export function webhookRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();

  router.post('/webhooks', requireRole('bank', 'verifier'), async (req, res) => {
    const body = parseOrThrow(CreateWebhookBody, req.body);
    const row = await perform(db, actingOf(deps, res), (ctx) => registerWebhook(ctx, { url: body.url }));
    res.status(201).json({ ...presentSubscription(row), secret: row.secret });
  });

  router.get('/webhooks', requireRole('bank', 'verifier'), async (_req, res) => {
    const rows = await subscriptionsOf(db, actorOf(res).institutionId);
    res.json({ items: rows.map(presentSubscription), nextCursor: null });
  });

  router.delete('/webhooks/:id', requireRole('bank', 'verifier'), async (req, res) => {
    const id = String(req.params.id);
    if (!z.string().uuid().safeParse(id).success) throw notFound(`webhook ${id}`);
    await perform(db, actingOf(deps, res), (ctx) => stopWebhook(ctx, { id }));
    res.status(204).end();
  });

  router.get('/webhooks/deliveries', requireRole('bank', 'verifier', 'operator'), async (req, res) => {
    const query = parseOrThrow(PageQuery, req.query);
    const actor = actorOf(res);
    const cursor = cursorOrThrow(z.tuple([CursorPart.instant, CursorPart.uuid]), query.cursor);
    const after = cursor ? { createdAt: new Date(cursor[0]), id: cursor[1] } : null;
    const rows = await deliveriesOf(db, actor.role === 'operator' ? null : actor.institutionId, { limit: query.limit, after });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(presentDelivery),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    });
  });

  router.get('/jobs/health', requireRole('operator'), async (_req, res) => {
    const jobs = deps.services.jobs;
    if (!jobs) throw refused('jobs_not_running', 'the job system is not running in this process');
    if (!(await jobs.redisPing())) throw refused('redis_unavailable', 'Redis cannot be reached right now; retry shortly');
    res.json(await jobs.health());
  });

  router.get('/jobs/failed', requireRole('operator'), async (req, res) => {
    const query = parseOrThrow(PageQuery, req.query);
    // one page only: no cursor is ever given out, so any cursor is forged
    cursorOrThrow(z.never(), query.cursor);
    const rows = await failedJobs(db, query.limit);
    res.json({ items: rows.map(presentFailedJob), nextCursor: null });
  });

  router.post('/jobs/:jobId/retry', requireRole('operator'), async (req, res) => {
    const jobId = String(req.params.jobId);
    const jobs = deps.services.jobs;
    const row = await perform(db, actingOf(deps, res), (ctx) =>
      retryFailedJob(ctx, {
        jobId,
        // the failed BullMQ job keeps its id: remove it so the relay's add is not dropped as a duplicate
        forget: async (failed) => {
          if (jobs && isQueueName(failed.queue)) await (await jobs.queues[failed.queue].getJob(jobId))?.remove().catch(() => undefined);
        },
      }),
    );
    void jobs?.relayNow().catch(() => undefined);
    res.status(202).json(presentFailedJob(row));
  });

  return router;
}
