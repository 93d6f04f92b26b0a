/**
 * BullMQ queues, one per kind of work, all under one key prefix (tests use a random one). Every job
 * gets a bounded number of attempts with exponential backoff, and its id from the domain (outbox job_id).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, QUEUES, type QueueName } from './job-ids.js';

export type Queues = Record<QueueName, Queue>;

export function createQueues(connection: Redis, prefix: string): Queues {
  return Object.fromEntries(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })])) as Queues;
}

/** Overrides of every queue's retry limits (tests shorten the backoff). */
export type RetryOverrides = { attempts?: number; backoffMs?: number };

export function jobOptions(queue: QueueName, jobId: string, overrides: RetryOverrides = {}): JobsOptions {
  const limits = QUEUES[queue];
  return {
    jobId,
    attempts: overrides.attempts ?? limits.attempts,
    backoff: { type: 'exponential', delay: overrides.backoffMs ?? limits.backoffMs },
    // completed jobs stay a day so a duplicate add with the same id is dropped; failures stay visible a week
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  };
}

export const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as string[]).includes(name);
