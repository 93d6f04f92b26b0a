/**
 * The facility's figures on a date (and at each quarter end up to it), read in one transaction so
 * every figure comes from the same snapshot, and the central bank's statement printed from them.
 */
import { addDays, quarterBounds, quarterOf, type IsoDate } from '../../domain/dates.js';
import { policyData } from '../../domain/policy/index.js';
import { centralBankStatement, composeFacilityFigures, type FacilityFigures } from '../../domain/statistics/facility-figures.js';
import {
  bankFacts,
  disbursementDatesOn,
  figuresSettings,
  journalFiguresAt,
  lastChangedOn,
  loanFiguresAt,
  refreshStatisticsSummaries,
} from '../../db/read-models/facility-statistics.js';
import type { Db, Tx } from '../../db/client.js';
import { perform, type Acting, type UseCaseContext } from '../perform.js';

/** The first quarter end the series starts from: the end of the facility's first quarter (2021Q4). */
export const FIRST_QUARTER_END = '2021-12-31';

/** The sub-area's area in the taxonomy that lists it (the code's prefix when none does). */
function areaOf(subArea: string): string {
  for (const version of [...policyData().taxonomyVersions].reverse()) {
    const found = version.subAreas.find((s) => s.code === subArea);
    if (found) return found.area;
  }
  return subArea.split('.')[0];
}

/**
 * Brings the per-application summaries the figures are read from up to date, in a transaction of its own
 * before the read (whose snapshot is read only): every edge calls it first. A read is exact without it
 * (it takes the applications changed since the last refresh from their loans), only slower.
 */
export async function refreshFigures(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await refreshStatisticsSummaries(tx);
  });
}

/** A consistent, read-only snapshot for the figures' statements. */
export const FIGURES_READ = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

/** How every edge reads the figures: the summaries brought up to date (`refreshFigures`), then `work` in one read-only snapshot. */
export async function readFigures<T>(db: Db, acting: Acting, work: (ctx: UseCaseContext) => Promise<T>): Promise<T> {
  await refreshFigures(db);
  return perform(db, acting, work, FIGURES_READ);
}

/** The figures on each date, every date read by the same two statements. */
export async function figuresAt(tx: Tx, dates: readonly IsoDate[]): Promise<FacilityFigures[]> {
  await figuresSettings(tx);
  const [banks, journal, loans] = [await bankFacts(tx), await journalFiguresAt(tx, dates), await loanFiguresAt(tx, dates)];
  return dates.map((on) =>
    composeFacilityFigures({
      on,
      banks,
      journal: journal.filter((j) => j.on === on),
      loans: loans.filter((l) => l.on === on),
      areaOf,
    }),
  );
}

export async function figuresOn(tx: Tx, on: IsoDate): Promise<FacilityFigures> {
  return (await figuresAt(tx, [on]))[0];
}

/** The quarter ends from 2021-12-31 through the last one on or before `on` (at most `max`, the latest kept). */
export function quarterEndsThrough(on: IsoDate, max = 40): IsoDate[] {
  const ends: IsoDate[] = [];
  let end = FIRST_QUARTER_END;
  while (end <= on) {
    ends.push(end);
    end = quarterBounds(quarterOf(addDays(end, 1))).end;
  }
  return ends.slice(-max);
}

export type FacilityStatistics = {
  figures: FacilityFigures;
  lastChanged: { at: Date | null; sequence: string | null };
  series: FacilityFigures[] | null;
};

export async function facilityStatistics(ctx: { tx: Tx }, input: { on: IsoDate; series: boolean }): Promise<FacilityStatistics> {
  const ends = input.series ? quarterEndsThrough(input.on) : [];
  const [figures, ...series] = await figuresAt(ctx.tx, [input.on, ...ends]);
  return { figures, lastChanged: await lastChangedOn(ctx.tx, input.on), series: input.series ? series : null };
}

/**
 * The statement of the figures on `on` (those given, read in the same transaction, or read now); "first
 * operation" when every disbursement so far is of one date.
 */
export async function facilityStatement(ctx: { tx: Tx }, input: { on: IsoDate; figures?: FacilityFigures }) {
  const figures = input.figures ?? (await figuresOn(ctx.tx, input.on));
  const dates = await disbursementDatesOn(ctx.tx, input.on);
  const firstOperation = dates.first !== null && dates.first === dates.last;
  return { on: input.on, firstOperation, figures, ...centralBankStatement(figures, { firstOperation }) };
}
