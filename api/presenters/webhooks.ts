/** The API's JSON of webhook subscriptions, deliveries and failed jobs. Pure: rows in, view data out. */
import type { OutboxRow } from '../../db/repositories/outbox.js';

export const presentSubscription = (s: { id: string; url: string; active: number; createdAt: Date }) => ({
  id: s.id,
  url: s.url,
  active: s.active === 1,
  createdAt: s.createdAt.toISOString(),
});

export const presentDelivery = (d: {
  id: string;
  jobId: string;
  event: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}) => ({
  id: d.id,
  jobId: d.jobId,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.responseStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

export const presentFailedJob = (r: Pick<OutboxRow, 'jobId' | 'queue' | 'attempts' | 'lastError' | 'createdAt'>) => ({
  jobId: r.jobId,
  queue: r.queue,
  attempts: r.attempts,
  lastError: r.lastError,
  createdAt: r.createdAt.toISOString(),
});
