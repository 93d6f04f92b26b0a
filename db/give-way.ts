/**
 * Long work on the embedded database gives way to the requests between its parts. PGlite has one
 * connection, held by a transaction from its first statement to its commit, and runs on the service's
 * own thread: a request's statements, one after another, would each wait behind the next part of an
 * upload, an import or a compile. So every long job on PGlite works in parts of bounded size (a
 * transaction each) and, after each part, leaves the connection to the others for a quarter of the time
 * the part took (at least 10 ms, at most 1 s). On PostgreSQL requests use other connections: no pause.
 *
 * Used by uploads (app/uploads/process-upload-in-parts.ts), history imports (app/imports/import-history.ts,
 * its loans and its record parts) and every job run through jobs/processors/perform-job.ts (compiles,
 * their fan-out, corrections).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from './client.js';

/** the longest and the shortest pause after a part */
export const GIVE_WAY_MAX_MS = 1_000;
export const GIVE_WAY_MIN_MS = 10;

/** Whether `db` is the embedded database (PGlite: one connection, on the service's own thread). */
export function isEmbedded(db: Db): boolean {
  return (db as { $client?: unknown }).$client instanceof PGlite;
}

/**
 * After a part that began at `startedAt` (`performance.now()`): on the embedded database, waits a
 * quarter of the part's time (10 ms – 1 s) so the requests waiting for the connection run; on
 * PostgreSQL returns at once.
 */
export async function giveWay(db: Db, startedAt: number): Promise<void> {
  if (!isEmbedded(db)) return;
  await sleep(Math.min(GIVE_WAY_MAX_MS, Math.max(GIVE_WAY_MIN_MS, (performance.now() - startedAt) / 4)));
}
