import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import type { Env } from '../schemas/env.js';

export type Role = 'operator' | 'bank' | 'verifier';

/** Who is acting on this request (set by the auth middleware). */
export type Actor = {
  userId: string;
  userName: string;
  role: Role;
  institutionId: string;
  institutionCode: string;
};

/** Hooks that other parts of the service plug in (queues, notifications); all optional. */
export type Services = {
  /** Redis reachable? used by /readyz */
  redisPing?: () => Promise<boolean>;
  /** extra things a route module may need, keyed by name */
  [name: string]: unknown;
};

/** What every route module receives. `now` is injectable so tests can fix the date. */
export type AppDeps = {
  database: Database;
  env: Env;
  logger: Logger;
  now: () => Date;
  services: Services;
};
