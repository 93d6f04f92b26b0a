/**
 * BullMQ queues, one per kind of work, all under one key prefix (tests use a random one). Every job
 * gets a bounded number of attempts with exponential backoff, and its id from the domain (outbox job_id).
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from '../domain/job-ids.js';

/** Each queue's limits: attempts, the time one attempt may take, the first backoff delay. */
export const QUEUES: Record<QueueName, { attempts: number; timeoutMs: number; backoffMs: number }> = {
  compile: { attempts: 5, timeoutMs: 300_000, backoffMs: 2_000 },
  assign: { attempts: 5, timeoutMs: 60_000, backoffMs: 2_000 },
  publish: { attempts: 5, timeoutMs: 60_000, backoffMs: 2_000 },
  'maturity-scan': { attempts: 3, timeoutMs: 300_000, backoffMs: 10_000 },
  'interest-accrual': { attempts: 3, timeoutMs: 300_000, backoffMs: 10_000 },
  notify: { attempts: 8, timeoutMs: 30_000, backoffMs: 1_000 },
  upload: { attempts: 3, timeoutMs: 900_000, backoffMs: 5_000 },
};

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

export const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as readonly string[]).includes(name);
