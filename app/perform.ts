/**
 * Running a use case: one transaction, the clock read once by the caller, the actor named. A use case
 * that refuses throws `Refused`, so its transaction writes nothing; `perform` returns that refusal as a
 * `Result` for edges that show it themselves (pages, jobs). Routes may simply await the use case in a
 * transaction and let the error handler answer the refusal through the problems table.
 */
import type { Db, Tx } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { Refused, type Refusal } from './refusals.js';

/** What every use case receives. `actor` is null when the service itself acts (a job). */
export type UseCaseContext = {
  tx: Tx;
  now: Date;
  actor: Actor | null;
  /**
   * Set by a historical import, which books many dated records of the same tranches in one transaction:
   * the tranches whose interest up to today is booked once, at the import's end, instead of after each
   * back-dated booking (app/refinancing/tranches.ts catchUpInterest).
   */
  interestCatchUp?: Set<string>;
  /**
   * Set by a historical import: the banks and dates whose records changed, corrected once at the
   * import's end (one new version per bank and quarter) instead of after each record
   * (app/disclosures/corrections.ts recordsChanged).
   */
  correctionsDue?: Map<string, string>;
};

/** A use case's context with a person acting. */
export type ActorContext = UseCaseContext & { actor: Actor };

export type Performed<T> = { ok: true; value: T } | Refusal;

/** Runs `work` in one transaction; a refusal rolls it back and comes back as a value. */
export async function perform<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<Performed<T>> {
  try {
    return { ok: true, value: await db.transaction(work) };
  } catch (err) {
    if (err instanceof Refused) return err.refusal;
    throw err;
  }
}
