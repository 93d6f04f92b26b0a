/**
 * The service's side of the job system: one Redis connection for health checks and, when workers run
 * inline, the workers themselves. Queues, processors and schedulers plug in here.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';

export type JobRuntime = {
  redisPing(): Promise<boolean>;
  stop(): Promise<void>;
};

export async function startJobRuntime(options: {
  database: Database;
  redisUrl: string;
  logger: Logger;
  workers: 'inline' | 'off';
  now: () => Date;
}): Promise<JobRuntime> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (err) => options.logger.warn({ err: err.message }, 'redis connection error'));
  return {
    redisPing: async () => (await redis.ping()) === 'PONG',
    stop: async () => {
      redis.disconnect();
    },
  };
}
