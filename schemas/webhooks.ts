/** Webhook subscriptions, deliveries, and the notification job's payload. */
import { z } from 'zod';

export const CreateWebhookBody = z
  .object({ url: z.url({ protocol: /^https?$/ }).max(2000) })
  .strict()
  .meta({ id: 'CreateWebhook' });

export const WebhookSubscription = z
  .object({ id: z.string(), url: z.string(), active: z.boolean(), createdAt: z.string() })
  .meta({ id: 'WebhookSubscription' });

export const WebhookDelivery = z
  .object({
    id: z.string(),
    jobId: z.string(),
    event: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const NotifyJob = z.object({
  event: z.enum([
    'disclosure.compiled',
    'disclosure.assigned',
    'disclosure.verified',
    'disclosure.rejected',
    'disclosure.published',
    /** to the verifier: its assignment was withdrawn, a newer version supersedes the one it was verifying */
    'disclosure.withdrawn',
  ]),
  institutionId: z.string().uuid(),
  versionId: z.string().uuid(),
});
