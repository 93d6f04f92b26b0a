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

/** The list's hash over `<alias>`, the unnested list (in loan-id order by `ordinal`): the lines the content's `loanSet.sha256` names. */
const LIST_HASH = (alias: string) =>
  sql.raw(`encode(sha256(convert_to(coalesce(string_agg(concat_ws(E'\\t', ${alias}.loan_id::text, ${alias}.loan_ref, ${alias}.principal_fen::text, ${alias}.rate_ppm::text,
    ${alias}.attributed_centitonnes::text, to_json(${alias}.project_ref)::text, ${alias}.sub_area), E'\\n' order by ${alias}.ordinal), ''), 'UTF8')), 'hex')`);

/**
 * CTEs after a CTE `lists (institution_id, list)` of each bank's array (in loan-id order): `frozen_sets
 * (institution_id, key, loans, sha256)`, each bank's set, and the statements that find or store it. The
 * list's hash is taken over the array; an equal set stored already (db/migrations/0034: the same list's
 * hash and length, then the same loans with every frozen field) is the bank's set; any other set is stored
 * under a random key. Given `base` (a correction: the set of the version it follows), a new set is stored
 * as a delta from that set's whole set (db/migrations/0035: the loans it drops and the loans it adds or
 * changes, O(k) written for k loans changed) unless the delta would be half as long as the set itself.
 */
export const storedSets = (base: string | null = null) => sql`keyed as materialized (
    select lists.institution_id, lists.list, cardinality(lists.list) as loans, h.sha256
    from lists cross join lateral (select ${LIST_HASH('u')} as sha256 from ${unnestFrozen(sql`lists.list`, 'u')}) h
  ), found as materialized (
    select distinct on (k.institution_id) k.institution_id, s.key
    from keyed k join disclosure_loan_sets s on s.sha256 = k.sha256 and s.loans = k.loans
    where k.list = array(select f from frozen_loans_of_set(s.key) f order by f.loan_id)
    order by k.institution_id, (s.key = ${base}) desc nulls last, s.base_key is null desc, s.key
  ), fresh as materialized (
    select k.institution_id, k.list, k.loans, k.sha256, gen_random_uuid()::text as key
    from keyed k where not exists (select 1 from found f where f.institution_id = k.institution_id)
  ), ${
    base
      ? sql`delta as materialized (
    -- one hash join of the two lists (each loan kept whole, compared field by field)
    select fr.key, r.key as base_key, c.dropped, c.list
    from fresh fr join disclosure_loan_sets r on r.key = (select coalesce(x.base_key, x.key) from disclosure_loan_sets x where x.key = ${base})
    cross join lateral (
      select coalesce(array_agg((b.x).loan_id order by (b.x).loan_id) filter (where b.x is not null and (n.x is null or b.x is distinct from n.x)), '{}') as dropped,
        coalesce(array_agg(n.x order by (n.x).loan_id) filter (where n.x is not null and (b.x is null or b.x is distinct from n.x)), '{}') as list
      from (select unnest(r.list) as x) b full join (select unnest(fr.list) as x) n on (n.x).loan_id = (b.x).loan_id
    ) c
  ), chosen as (
    select fr.key, fr.loans, fr.sha256, d.base_key, d.dropped, d.list as delta, fr.list,
      d.key is not null and 2 * (cardinality(d.dropped) + cardinality(d.list)) <= fr.loans as as_delta
    from fresh fr left join delta d on d.key = fr.key
  ), stored as (
    insert into disclosure_loan_sets (key, loans, sha256, list, base_key, dropped)
    select key, loans, sha256, case when as_delta then delta else list end, case when as_delta then base_key end, case when as_delta then dropped end
    from chosen
  )`
      : sql`stored as (
    insert into disclosure_loan_sets (key, loans, sha256, list) select key, loans, sha256, list from fresh
  )`
  }, frozen_sets as (
    select k.institution_id, f.key, k.loans, k.sha256 from keyed k join found f on f.institution_id = k.institution_id
    union all
    select institution_id, key, loans, sha256 from fresh
  )`;
