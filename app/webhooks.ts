/**
 * Webhooks: a bank or verifier registers a URL for its notifications (the signing secret is shown
 * once) or stops one; the notify job delivers a notification to each of the institution's URLs,
 * signed, recording every attempt. Signature: `X-Cerf-Signature: t=<unix seconds>,v1=<hex>` where
 * hex = HMAC-SHA256(secret, `${t}.${body}`); `X-Cerf-Delivery` carries the job id so a receiver can
 * drop repeats.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { findVersionById } from '../db/repositories/disclosures.js';
import { findInstitutionById } from '../db/repositories/institutions.js';
import {
  createSubscription,
  deactivateSubscription,
  deliveryFor,
  recordAttempt,
  subscriptionsOf,
} from '../db/repositories/outbox-webhooks.js';
import type { NotifyEvent } from './outbox-jobs.js';
import type { ActorContext, UseCaseContext } from './perform.js';
import { refuse } from './refusals.js';
import { webhookUrlRefusal } from '../platform/webhook-transport.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Registers a URL for the acting institution's notifications, with a new signing secret. */
export async function registerWebhook(ctx: ActorContext, input: { url: string }) {
  // never the service's own network: loopback, link-local, private (checked again at every delivery)
  const why = await webhookUrlRefusal(input.url);
  if (why) refuse('webhook_address_not_allowed', `the webhook URL may not be called: ${why}`, { path: 'url' });
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  return createSubscription(ctx.tx, ctx.actor.institutionId, input.url, secret);
}

/** Stops one of the acting institution's subscriptions (another's does not exist for it). */
export async function stopWebhook(ctx: ActorContext, input: { id: string }) {
  const row = await deactivateSubscription(ctx.tx, ctx.actor.institutionId, input.id);
  if (!row) refuse('not_found', `webhook ${input.id} not found`);
  return row;
}

/**
 * Delivers a notification to every active subscription of the institution. Each attempt is recorded
 * as it happens (`ctx.tx` is the database itself here, not a transaction: a failed delivery must stay
 * recorded), a delivery that succeeded before is not sent again, and a failure throws so the job is
 * retried; `final` marks the last attempt, after which the delivery is failed for good. The job marks
 * its outbox row done when this returns.
 */
export async function deliverNotification(
  ctx: UseCaseContext & { fetch: typeof fetch },
  job: { id: string; final: boolean; payload: { event: NotifyEvent; institutionId: string; versionId: string } },
): Promise<string> {
  const { payload } = job;
  const subscriptions = await subscriptionsOf(ctx.tx, payload.institutionId);
  if (!subscriptions.length) return 'no_subscription';
  const version = await findVersionById(ctx.tx, payload.versionId);
  const bank = version ? await findInstitutionById(ctx.tx, version.institutionId) : null;
  const body = {
    id: job.id,
    event: payload.event,
    data:
      version && bank
        ? {
            institution: bank.code,
            quarter: version.quarter,
            version: version.version,
            contentSha256: version.contentSha256,
            href: `/api/v1/disclosures/${bank.code}/${version.quarter}?version=${version.version}`,
          }
        : { versionId: payload.versionId },
  };
  const failures: string[] = [];
  for (const sub of subscriptions) {
    const delivery = await deliveryFor(ctx.tx, {
      subscriptionId: sub.id,
      institutionId: payload.institutionId,
      jobId: job.id,
      event: payload.event,
      payload: body,
    });
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
          'x-cerf-signature': signWebhook(sub.secret, text, Math.floor(ctx.now.getTime() / 1000)),
        },
        body: text,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = res.status;
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    await recordAttempt(ctx.tx, delivery.id, { delivered: error === null, responseStatus: status, error, final: job.final });
    if (error) failures.push(`${sub.url}: ${error}`);
  }
  if (failures.length) throw new Error(`webhook delivery failed: ${failures.join('; ')}`);
  return `delivered to ${subscriptions.length}`;
}
