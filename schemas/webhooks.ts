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

/** What a delivery's JSON body says: the notification (its `id` is the delivery's job id) and the disclosure version it is about. */
export const WebhookNotification = z
  .object({
    id: z.string().meta({
      description: 'the notification’s id, also in `X-Cerf-Delivery`: the same id twice is a repeat',
      examples: ['notify.disclosure.published.0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b.CITIC'],
    }),
    event: NotifyJob.shape.event,
    data: z.union([
      z
        .object({
          institution: z.string().meta({ description: 'the bank’s code', examples: ['CITIC'] }),
          quarter: z.string().meta({ examples: ['2026Q1'] }),
          version: z
            .number()
            .int()
            .min(1)
            .meta({ examples: [1] }),
          contentSha256: z.string().meta({
            description: 'SHA-256 of the version’s content',
            examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
          }),
          href: z
            .string()
            .meta({ description: 'where the version is read through the API', examples: ['/api/v1/disclosures/CITIC/2026Q1?version=1'] }),
        })
        .meta({ id: 'WebhookDisclosureData' }),
      z
        .object({
          versionId: z
            .uuid()
            .meta({ description: 'the version, when it can no longer be read', examples: ['0b9f7c3e-5d1a-4e8b-9a57-2f6c1d3e4a5b'] }),
        })
        .meta({ id: 'WebhookVersionData' }),
    ]),
  })
  .meta({ id: 'WebhookNotification' });
