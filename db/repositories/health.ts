/** The readiness probe's query. */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';

/** Does the database answer a trivial query? */
export async function databaseAnswers(db: Tx): Promise<boolean> {
  return db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
}
