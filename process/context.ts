import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import type { Actor, Role } from '../domain/actor.js';
import type { JobRuntime } from '../jobs/runtime.js';
import type { Env } from '../schemas/env.js';
import type { RedisServerState } from './embedded/redis-server.js';

export type { Actor, Role };

/** What the service plugs in beside the database: the job runtime (absent in some tests). */
export type Services = {
  /** Redis reachable? used by /readyz */
  redisPing?: () => Promise<boolean>;
  /** queues, relay and health of the background jobs */
  jobs?: JobRuntime;
  /** the state of the service's own supervised redis-server (absent with REDIS_URL) */
  redisServer?: () => RedisServerState;
  /** where the API's rate limits are counted, shared by every process (absent: in this process's memory) */
  rateLimitRedis?: Redis;
  /** prefix of the rate-limit counters in Redis (default 'cerf') */
  rateLimitPrefix?: string;
};

/** What every route module receives. `now` is injectable so tests can fix the date. */
export type AppDeps = {
  database: Database;
  env: Env;
  logger: Logger;
  now: () => Date;
  services: Services;
};
