/**
 * SQL mirror of `accruedThroughFen` (domain/refinancing/interest.ts): the interest of a segment from its
 * first day through `through`, principal × rate × days ÷ (10⁶ × day-count base), rounded once half up
 * (floor((2·p·r·days + den) ÷ 2·den)), computed exactly in NUMERIC. The bases are the domain's table.
 * The accrual books with it (db/repositories/refinancing/tranches.ts `accrueFacilities`);
 * test/api/sql-mirrors-refinancing.test.ts checks it against the domain function on random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';
import { PPM, type RoundingMode } from '../../../domain/money.js';
import { DAY_COUNT_BASE_DAYS, type InterestSegment } from '../../../domain/refinancing/interest.js';

/** The segment's columns (or values) as SQL expressions: `dayCount` a text, `fromOn` a date. */
export type InterestSegmentSql = { [K in keyof InterestSegment]: SQL };

const literal = (name: string) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`accruedThroughFenSql: unexpected day count ${name}`);
  return sql.raw(`'${name}'`);
};

/** The day-count base of `dayCount` (null for a day count the domain does not know). */
export const dayCountBaseSql = (dayCount: SQL) =>
  sql`case ${dayCount} ${sql.join(
    Object.entries(DAY_COUNT_BASE_DAYS).map(([name, days]) => sql`when ${literal(name)} then ${sql.raw(days.toString())}`),
    sql` `,
  )} end`;

export function accruedThroughFenSql(segment: InterestSegmentSql, through: SQL, rounding: RoundingMode): SQL {
  if (rounding !== 'half_up') throw new Error(`accruedThroughFenSql: rounding ${rounding} is not implemented in SQL`);
  const den = sql`(${sql.raw(PPM.toString())}::numeric * ${dayCountBaseSql(segment.dayCount)})`;
  const days = sql`greatest(${through} - ${segment.fromOn}, 0)`;
  return sql`div(2 * ${segment.principalFen}::numeric * ${segment.ratePpm} * ${days} + ${den}, 2 * ${den})::bigint`;
}
