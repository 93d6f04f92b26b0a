/** Webhook subscriptions and the record of every delivery attempt (so failures stay visible). */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { webhookDeliveries, webhookSubscriptions } from '../schema/index.js';

export async function createSubscription(tx: Tx, institutionId: string, url: string, secret: string) {
  const [row] = await tx.insert(webhookSubscriptions).values({ institutionId, url, secret }).returning();
  return row;
}

export async function subscriptionsOf(tx: Tx, institutionId: string) {
  return tx
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.institutionId, institutionId), eq(webhookSubscriptions.active, 1)));
}

export async function deactivateSubscription(tx: Tx, institutionId: string, id: string) {
  const [row] = await tx
    .update(webhookSubscriptions)
    .set({ active: 0 })
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.institutionId, institutionId)))
    .returning();
  return row ?? null;
}

/** The delivery row for (job, subscription), created on first attempt. */
export async function deliveryFor(
  tx: Tx,
  input: { subscriptionId: string; institutionId: string; jobId: string; event: string; payload: unknown },
) {
  await tx
    .insert(webhookDeliveries)
    .values({ ...input, payload: input.payload as object })
    .onConflictDoNothing();
  const [row] = await tx
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.jobId, input.jobId), eq(webhookDeliveries.subscriptionId, input.subscriptionId)));
  return row;
}

export async function recordAttempt(
  tx: Tx,
  id: string,
  outcome: { delivered: boolean; responseStatus: number | null; error: string | null; final: boolean },
) {
  await tx
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      status: outcome.delivered ? 'delivered' : outcome.final ? 'failed' : 'pending',
      responseStatus: outcome.responseStatus,
      lastError: outcome.error,
      deliveredAt: outcome.delivered ? sql`now()` : null,
    })
    .where(eq(webhookDeliveries.id, id));
}

export async function markDeliveriesFailed(tx: Tx, jobId: string, error: string) {
  await tx
    .update(webhookDeliveries)
    .set({ status: 'failed', lastError: error.slice(0, 2000) })
    .where(and(eq(webhookDeliveries.jobId, jobId), eq(webhookDeliveries.status, 'pending')));
}

/** Deliveries newest first; the cursor is (created_at, id) of the last one seen. */
export async function deliveriesOf(
  tx: Tx,
  institutionId: string | null,
  page: { limit: number; after: { createdAt: Date; id: string } | null },
) {
  return tx
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        institutionId ? eq(webhookDeliveries.institutionId, institutionId) : undefined,
        page.after
          ? or(
              lt(webhookDeliveries.createdAt, page.after.createdAt),
              and(eq(webhookDeliveries.createdAt, page.after.createdAt), lt(webhookDeliveries.id, page.after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(page.limit + 1);
}
