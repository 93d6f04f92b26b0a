/**
 * Running a use case: the one way every edge does it (an API route, a page, a job processor, a four-eyes
 * confirmation). `perform` opens one transaction, hands the use case its context (the transaction, the
 * clock read once by the edge, the actor named) and returns what the use case returns. A use case that
 * refuses throws `Refused`, so its transaction writes nothing: the API's error handler answers it through
 * the problems table; an edge that shows the refusal itself (a page, a job) wraps the call in `settled`.
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

/** Who runs a use case, and when (the edge reads its clock once). */
export type Acting<A extends Actor | null = Actor | null> = { now: Date; actor: A };

/** The transaction's settings, for the few reads that need their own (a consistent snapshot, read only). */
export type TransactionConfig = Parameters<Db['transaction']>[1];

export type Performed<T> = { ok: true; value: T } | Refusal;

/** Runs `work` in one transaction as `acting`; a refusal throws `Refused` and the transaction writes nothing. */
export function perform<T>(db: Db, acting: Acting<Actor>, work: (ctx: ActorContext) => Promise<T>, config?: TransactionConfig): Promise<T>;
export function perform<T>(db: Db, acting: Acting, work: (ctx: UseCaseContext) => Promise<T>, config?: TransactionConfig): Promise<T>;
export function perform<T>(db: Db, acting: Acting, work: (ctx: never) => Promise<T>, config?: TransactionConfig): Promise<T> {
  return db.transaction((tx) => work({ tx, now: acting.now, actor: acting.actor } as never), config);
}

/** What a performed use case came to: its value, or its refusal as a value (for pages and jobs). */
export async function settled<T>(performing: Promise<T>): Promise<Performed<T>> {
  try {
    return { ok: true, value: await performing };
  } catch (err) {
    if (err instanceof Refused) return err.refusal;
    throw err;
  }
}
