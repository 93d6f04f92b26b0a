/**
 * One bank's quarters read at once (a correction's read): the sums of quarter-sums.ts and the frozen loan
 * set of frozen-loan-sets.ts for every quarter asked for, from one read of the bank's covered loans
 * disbursed on or before the last quarter's end, instead of one read per quarter. A correction of a
 * back-dated record reaches the record's quarter and every later compiled one; read one by one, each
 * quarter re-read, re-froze, re-sorted and re-hashed every loan before it.
 *
 * - Sums: per project term (project and the figures its loans are attributed with) and disbursement
 *   quarter, the loans, Σ principal and Σ rate × principal; domain/disclosures/quarter-sums.ts
 *   `quarterSumsOfQuarters` adds them up quarter by quarter with the domain's own arithmetic.
 * - Sets: the loans' hash lines are built once, in loan-id order; each quarter's list hash is taken over
 *   the lines of the loans disbursed by its end. Given its base (the set of the version it follows), a
 *   quarter's set is stored as a delta from the base's whole set (the loans it drops and those it adds or
 *   changes), as that whole set itself when nothing changed, as the base when it is the base's delta
 *   again, or whole when the delta would be half as long as the set (or there is no base). The last
 *   quarter's delta compares every loan with its whole set (one hash join); an earlier quarter whose whole
 *   set is the last one's loans disbursed by its end (frozen from the same records: one array comparison,
 *   remembered in `loan_set_restrictions` so the next correction reads it) takes the last quarter's
 *   differences restricted to its loans; any other is compared in full.
 *
 * Rows: one of kind 'term' per project term (k: the term's number from 0, project_id, ref, name,
 * sub_area, basis, num: the reduction it is attributed with, den: the investment, buckets: its totals as
 * a JSON array of [quarter index, loans, Σ principal, Σ rate × principal]), then one of kind 'set' per
 * quarter (k: its position in `quarters` from 1, key: the set's key or null without loans, sha256: the
 * list's hash, loans: its length). db/repositories/disclosures.ts `bankQuartersSumsAndSets` reads them;
 * test/api/sql-mirrors-quarter-sums.test.ts checks the sums against the domain rule and the sets against
 * the quarter-by-quarter read.
 */
import { sql } from 'drizzle-orm';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { quarterIndexOf } from '../../domain/disclosures/quarter-sums.js';
import { coveredByApprovedSupport as COVERED } from './covered-by-approved-support.js';
import { FROZEN_LOAN } from './frozen-loan-sets.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from './project-figures.js';

/** A quarter to read and the key of the set its latest version froze (null: none yet). */
export type QuarterAndBase = { quarter: string; base: string | null };

const NO_ID = sql.raw(`'00000000-0000-0000-0000-000000000000'::uuid`);

/** `quarters` ascending, distinct; rows as the header says. */
export function bankQuartersSql(institutionId: string, quarters: readonly QuarterAndBase[]) {
  const first = quarterPeriod(quarters[0].quarter);
  const last = quarterPeriod(quarters[quarters.length - 1].quarter);
  const targets = sql.join(
    quarters.map((t, i) => sql`(${i + 1}::int, ${quarterPeriod(t.quarter).end}::date, ${quarterIndexOf(t.quarter)}::int, ${t.base}::text)`),
    sql`, `,
  );
  return sql`
    with ${DECIDED_PROJECTS},
    targets (k, q_end, qi, base) as (values ${targets}),
    covered as materialized (
      select l.id, l.project_id, dp.id as decided_id, l.disbursed_on, l.principal_fen, l.rate_ppm,
        case when l.disbursed_on < ${first.yearStart}::date then -1
          else extract(year from l.disbursed_on)::int * 4 + (extract(month from l.disbursed_on)::int - 1) / 3 end as bucket,
        ${FROZEN_LOAN} as frozen
      from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
      where l.disbursed_on <= ${last.end}::date and l.institution_id = ${institutionId} and a.institution_id = ${institutionId}
    ),
    -- the hash lines of frozen-loan-sets.ts, once per loan, in loan-id order
    lines as materialized (
      select c.id, c.disbursed_on, concat_ws(E'\t', c.id::text, (c.frozen).loan_ref, c.principal_fen::text, c.rate_ppm::text,
          (c.frozen).attributed_centitonnes::text, to_json((c.frozen).project_ref)::text, (c.frozen).sub_area) as line
      from covered c order by c.id
    ),
    hashes as materialized (
      select t.k, h.loans, h.sha256 from targets t cross join lateral (
        select count(*)::int as loans,
          encode(sha256(convert_to(coalesce(string_agg(ln.line, E'\n' order by ln.id), ''), 'UTF8')), 'hex') as sha256
        from lines ln where ln.disbursed_on <= t.q_end
      ) h
    ),
    -- each quarter's base and the whole set it is a delta of (its root)
    roots as (
      select t.k, t.q_end, r.key as root, r.list as root_list, x.base_key is not null as base_is_delta, x.dropped as base_dropped, x.list as base_list
      from targets t join disclosure_loan_sets x on x.key = t.base join disclosure_loan_sets r on r.key = coalesce(x.base_key, x.key)
    ),
    last_root as (select rt.root, rt.root_list from roots rt where rt.k = (select max(k) from targets)),
    -- the last quarter's loans against its root: one hash join, each loan compared field by field
    last_delta as materialized (
      select b.x as b, n.frozen as n
      from (select unnest(lr.root_list) as x from last_root lr) b
      full join (select cv.id, cv.frozen from covered cv where exists (select 1 from last_root)) n on n.id = (b.x).loan_id
      where b.x is distinct from n.frozen
    ),
    -- a quarter whose root is the last root's loans disbursed by its end (compiled from the same records)
    -- differs from it as the last quarter does, restricted to its loans; any other is compared in full
    restricted as materialized (
      select rt.k, rt.root, lr.root as last_root, rt.q_end, case
          when rt.root = lr.root then true
          -- found so by an earlier correction (sets never change)
          when exists (select 1 from loan_set_restrictions m where m.key = rt.root and m.of_key = lr.root and m.through = rt.q_end) then true
          else rt.root_list = array(select s.x from (select unnest(lr.root_list) as x) s where (s.x).disbursed_on <= rt.q_end)
        end as same
      from roots rt cross join last_root lr
    ),
    remembered as (
      insert into loan_set_restrictions (key, of_key, through)
      select rs.root, rs.last_root, rs.q_end from restricted rs where rs.same and rs.root <> rs.last_root
      on conflict do nothing
    ),
    deltas as materialized (
      select rt.k, rt.root, c.dropped, c.list, rt.base_is_delta and c.dropped = rt.base_dropped and c.list = rt.base_list as same_as_base
      from roots rt left join restricted rs on rs.k = rt.k
      cross join lateral (
        select coalesce(array_agg((j.b).loan_id order by (j.b).loan_id) filter (where j.b is not null), '{}') as dropped,
          coalesce(array_agg(j.n order by (j.n).loan_id) filter (where j.n is not null), '{}') as list
        from (
          select case when (d.b).disbursed_on <= rt.q_end then d.b end as b, case when (d.n).disbursed_on <= rt.q_end then d.n end as n
          from last_delta d where coalesce(rs.same, false)
          union all
          select b.x, n.frozen
          from (select unnest(rt.root_list) as x) b
          full join (select cv.id, cv.frozen from covered cv where cv.disbursed_on <= rt.q_end) n on n.id = (b.x).loan_id
          where not coalesce(rs.same, false) and b.x is distinct from n.frozen
        ) j
      ) c
    ),
    chosen as materialized (
      select t.k, t.q_end, h.loans, h.sha256, d.root, d.dropped, d.list,
        h.loans > 0 and not (d.k is not null and ((cardinality(d.dropped) = 0 and cardinality(d.list) = 0) or d.same_as_base)) as fresh,
        case when h.loans = 0 then null
          when d.k is not null and cardinality(d.dropped) = 0 and cardinality(d.list) = 0 then d.root
          when d.same_as_base then t.base
          else gen_random_uuid()::text end as key,
        d.k is not null and 2 * (cardinality(d.dropped) + cardinality(d.list)) <= h.loans as as_delta
      from targets t join hashes h on h.k = t.k left join deltas d on d.k = t.k
    ),
    stored as (
      insert into disclosure_loan_sets (key, loans, sha256, list, base_key, dropped)
      select c.key, c.loans, c.sha256,
        case when c.as_delta then c.list else array(select cv.frozen from covered cv where cv.disbursed_on <= c.q_end order by cv.id) end,
        case when c.as_delta then c.root end, case when c.as_delta then c.dropped end
      from chosen c where c.fresh
    ),
    -- per project term (a project and the figures its loans are attributed with) and disbursement quarter
    -- (every quarter before the first one's year as one, -1); domain/disclosures/quarter-sums.ts
    -- quarterSumsOfQuarters adds them up quarter by quarter
    terms as materialized (
      select (row_number() over (order by t.project_id, t.decided_id) - 1)::int as term, t.project_id, t.decided_id
      from (select distinct c.project_id, c.decided_id from covered c) t
    ),
    buckets as (
      select tm.term, c.bucket, count(*) as n, sum(c.principal_fen) as p, sum(c.rate_ppm::numeric * c.principal_fen) as r
      from covered c join terms tm on tm.project_id = c.project_id and coalesce(tm.decided_id, ${NO_ID}) = coalesce(c.decided_id, ${NO_ID})
      group by tm.term, c.bucket
    ),
    -- each term's totals as one JSON array of [quarter index, loans, Σ principal, Σ rate × principal]
    term_buckets as (
      select b.term, json_agg(json_build_array(b.bucket, b.n, b.p::text, b.r::text)) as buckets from buckets b group by b.term
    )
    select 'term' as kind, tm.term as k, tm.project_id::text as project_id, pr.ref, pr.name, pr.sub_area,
      pr.reduction_basis as basis, (${ATTRIBUTED_REDUCTION})::text as num, (${ATTRIBUTED_INVESTMENT})::text as den, tb.buckets,
      null::int as loans, null::text as sha256, null::text as key
    from terms tm join term_buckets tb on tb.term = tm.term join projects pr on pr.id = tm.project_id
    left join decided_projects dp on dp.id = tm.decided_id
    union all
    select 'set', c.k, null, null, null, null, null, null, null, null, c.loans, c.sha256, c.key from chosen c`;
}
