/**
 * The frozen loan set of a disclosure version as SQL: each counted loan `l` (its project `pr`, the decided
 * figures `dp` of project-figures.ts) as one `frozen_loan` composite, a bank's loans aggregated in loan-id
 * order into one array, stored once per distinct array in `disclosure_loan_sets` (db/migrations/0027), and
 * named twice: `key`, the SHA-256 of the array's binary form (every frozen field: the row's identity),
 * and `sha256`, the list's hash the version's content carries (db/repositories/disclosure-loans.ts
 * `hashLine`: the lines of loan id, reference, principal, rate, attributed reduction, project reference and
 * sub-area, ordered by loan id, joined by "\n"). The attributed reduction is attributed-reduction.ts rounded half up.
 */
import { sql, type SQL } from 'drizzle-orm';
import { attributedCentitonnesHalfUpSql } from './attributed-reduction.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION } from './project-figures.js';

/** The frozen fields, in the composite's order. */
export const FROZEN_LOAN_FIELDS = [
  'loan_id',
  'loan_ref',
  'principal_fen',
  'rate_ppm',
  'disbursed_on',
  'attributed_centitonnes',
  'project_ref',
  'sub_area',
  'borrower_credit_code',
  'project_name',
  'province',
  'project_reduction_centitonnes',
  'project_total_investment_fen',
] as const;

/** Loan `l` of project `pr` with the decided figures `dp`, as it is frozen. */
export const FROZEN_LOAN = sql`row(l.id, l.loan_ref, l.principal_fen, l.rate_ppm, l.disbursed_on,
  ${attributedCentitonnesHalfUpSql({ principalFen: sql`l.principal_fen`, annualReductionCentitonnes: ATTRIBUTED_REDUCTION, totalInvestmentFen: ATTRIBUTED_INVESTMENT })},
  pr.ref, pr.sub_area, l.borrower_credit_code, pr.name, pr.province, ${ATTRIBUTED_REDUCTION}, ${ATTRIBUTED_INVESTMENT})::frozen_loan`;

/** `unnest(<list>) with ordinality as <alias>(<the frozen fields>, ordinal)` */
export const unnestFrozen = (list: SQL, alias: string) =>
  sql`unnest(${list}) with ordinality as ${sql.raw(alias)}(${sql.raw([...FROZEN_LOAN_FIELDS, 'ordinal'].join(', '))})`;

/**
 * CTEs after a CTE `lists (institution_id, list)` of each bank's array: `keyed (institution_id, list, loans,
 * key, sha256)`, the list's hash taken over the array (already in loan-id order), and the statement that
 * stores each set not stored yet (one row per set, shared by key). The key hashes the array's binary form
 * (`array_send`: every frozen field), so two sets with one key hold the same loans with the same figures.
 */
export const storedSets = sql`keyed as (
    select lists.institution_id, lists.list, cardinality(lists.list) as loans, encode(sha256(array_send(lists.list)), 'hex') as key, h.sha256
    from lists cross join lateral (
      select encode(sha256(convert_to(coalesce(string_agg(concat_ws(E'\t', u.loan_id::text, u.loan_ref, u.principal_fen::text, u.rate_ppm::text,
          u.attributed_centitonnes::text, to_json(u.project_ref)::text, u.sub_area), E'\n' order by u.ordinal), ''), 'UTF8')), 'hex') as sha256
      from ${unnestFrozen(sql`lists.list`, 'u')}
    ) h
  ), stored as (
    insert into disclosure_loan_sets (key, loans, list) select key, loans, list from keyed on conflict (key) do nothing
  )`;
