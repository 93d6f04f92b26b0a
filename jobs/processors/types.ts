import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';

/** What every processor gets. `now` is the service's clock (tests move it). */
export type JobContext = {
  db: Db;
  /** PGlite has one connection: nothing may be written beside an open transaction there */
  driver?: 'postgres' | 'pglite';
  now: () => Date;
  logger: Logger;
  /** outbound HTTP for webhooks (injectable for tests; defaults to global fetch) */
  fetch: typeof fetch;
};

export type JobInput = { id: string; name: string; data: unknown; attemptsMade: number; maxAttempts: number };

/** Returns a short outcome word for logs ('compiled', 'already_done', …). */
export type Processor = (ctx: JobContext, job: JobInput) => Promise<string>;
