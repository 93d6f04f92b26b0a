/**
 * The published figures (the public page /statistics, its CSV and JSON downloads and the public API),
 * kept per date until the books change: each request reads the stamp of the last committed change
 * (`figuresStamp`, one row) and answers from the figures computed under the same stamp, or computes them
 * again in the same snapshot as the stamp it then keeps. A back-dated booking moves the stamp, so the
 * next request of any date sees it. Requests for the same date and stamp arriving together share one
 * computation. At most MAX_DATES dates are kept (the least recently asked goes first).
 */
import type { Db } from '../../db/client.js';
import { figuresStamp } from '../../db/read-models/facility-statistics.js';
import type { IsoDate } from '../../domain/dates.js';
import { perform, type Acting } from '../perform.js';
import { facilityStatistics, FIGURES_READ, readFigures, type FacilityStatistics } from './facility-statistics.js';

// a date with its series: 321 kB as JSON at 50 banks, 31 provinces and 15 quarter ends, more as objects
const MAX_DATES = 8;

type Kept = { stamp: string; series: boolean; stats: FacilityStatistics };

export type PublishedStatistics = {
  get(acting: Acting, input: { on: IsoDate; series: boolean }): Promise<FacilityStatistics>;
};

/** One per database (the page and the API share it). */
const perDatabase = new WeakMap<Db, PublishedStatistics>();

export function publishedStatistics(db: Db): PublishedStatistics {
  let found = perDatabase.get(db);
  if (!found) {
    found = keptStatistics(db);
    perDatabase.set(db, found);
  }
  return found;
}

function keptStatistics(db: Db): PublishedStatistics {
  const kept = new Map<IsoDate, Kept>();
  const pending = new Map<string, Promise<FacilityStatistics>>();
  const keep = (on: IsoDate, entry: Kept) => {
    kept.delete(on);
    kept.set(on, entry);
    while (kept.size > MAX_DATES) kept.delete(kept.keys().next().value!);
  };
  const compute = (acting: Acting, input: { on: IsoDate; series: boolean }) =>
    readFigures(db, acting, async (ctx) => {
      const stamp = await figuresStamp(ctx.tx);
      const stats = await facilityStatistics(ctx, input);
      const entry = kept.get(input.on);
      // a slower computation of an older snapshot does not replace a newer one
      if (!entry || BigInt(entry.stamp) <= BigInt(stamp)) keep(input.on, { stamp, series: input.series, stats });
      return stats;
    });
  return {
    async get(acting, input) {
      const stamp = await perform(db, acting, (ctx) => figuresStamp(ctx.tx), FIGURES_READ);
      const entry = kept.get(input.on);
      if (entry && entry.stamp === stamp && (entry.series || !input.series)) {
        keep(input.on, entry);
        return entry.stats;
      }
      // requests of the same date that saw the same stamp share one computation (begun after that stamp)
      const key = `${input.on}|${input.series}|${stamp}`;
      const running = pending.get(key);
      if (running) return running;
      const started = compute(acting, input).finally(() => pending.delete(key));
      pending.set(key, started);
      return started;
    },
  };
}
