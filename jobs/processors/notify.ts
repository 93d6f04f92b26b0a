/**
 * Webhooks to banks and verifiers. Each delivery is signed: `X-Cerf-Signature: t=<unix seconds>,v1=<hex>`
 * where hex = HMAC-SHA256(secret, `${t}.${body}`); `X-Cerf-Delivery` carries the job id so a receiver
 * can drop repeats. A failed delivery throws, so BullMQ retries it with exponential backoff; every
 * attempt is recorded in webhook_deliveries, and after the last one the delivery is marked failed.
 */
import { createHmac } from 'node:crypto';
import { findVersionById } from '../../db/repositories/disclosures.js';
import { institutionOf } from '../../db/repositories/disclosures-workflow.js';
import { deliveryFor, recordAttempt, subscriptionsOf } from '../../db/repositories/outbox-webhooks.js';
import { markDone } from '../../db/repositories/outbox.js';
import { NotifyJob } from '../../schemas/webhooks.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export const notify: Processor = async (ctx, job) => {
  const payload = parsePayload(NotifyJob, job.data, job.id);
  const subscriptions = await subscriptionsOf(ctx.db, payload.institutionId);
  if (!subscriptions.length) {
    await markDone(ctx.db, job.id);
    return 'no_subscription';
  }
  const version = await findVersionById(ctx.db, payload.versionId);
  const bank = version ? await institutionOf(ctx.db, version.institutionId) : null;
  const body = {
    id: job.id,
    event: payload.event,
    data: version && bank ? { institution: bank.code, quarter: version.quarter, version: version.version, contentSha256: version.contentSha256, href: `/api/v1/disclosures/${bank.code}/${version.quarter}?version=${version.version}` } : { versionId: payload.versionId },
  };
  const final = job.attemptsMade + 1 >= job.maxAttempts;
  const failures: string[] = [];
  for (const sub of subscriptions) {
    const delivery = await deliveryFor(ctx.db, { subscriptionId: sub.id, institutionId: payload.institutionId, jobId: job.id, event: payload.event, payload: body });
    if (delivery.status === 'delivered') continue;
    const text = JSON.stringify(delivery.payload);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await ctx.fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-cerf-event': payload.event,
          'x-cerf-delivery': job.id,
          'x-cerf-signature': signWebhook(sub.secret, text, Math.floor(ctx.now().getTime() / 1000)),
        },
        body: text,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = res.status;
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    await recordAttempt(ctx.db, delivery.id, { delivered: error === null, responseStatus: status, error, final });
    if (error) failures.push(`${sub.url}: ${error}`);
  }
  if (failures.length) throw new Error(`webhook delivery failed: ${failures.join('; ')}`);
  await markDone(ctx.db, job.id);
  return `delivered to ${subscriptions.length}`;
};
