/**
 * Webhooks to banks and verifiers (app/webhooks.ts signs and delivers them). A failed delivery throws,
 * so BullMQ retries it with exponential backoff; every attempt is recorded in webhook_deliveries, and
 * after the last one the delivery is marked failed.
 */
import { deliverNotification } from '../../app/webhooks.js';
import { markDone } from '../../db/repositories/outbox.js';
import { NotifyJob } from '../../schemas/webhooks.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const notify: Processor = async (ctx, job) => {
  const payload = parsePayload(NotifyJob, job.data, job.id);
  // no transaction: each attempt stays recorded even when the delivery fails and the job is retried
  const outcome = await deliverNotification(
    { tx: ctx.db, now: ctx.now(), actor: null, fetch: ctx.fetch },
    { id: job.id, final: job.attemptsMade + 1 >= job.maxAttempts, payload },
  );
  await markDone(ctx.db, job.id);
  return outcome;
};
