/**
 * SQL copy of domain/disclosures/quarter-sums.ts `quarterSumsOf`: the raw sums behind a quarter's
 * disclosures, for every bank with support (or one bank, or some), in one pass over the loans covered by approved
 * support (covered-by-approved-support.ts) disbursed on or before the quarter's end. First per project and
 * the figures its loans are attributed with (project-figures.ts; one reduction term each): the loans, Σ
 * principal and Σ rate × principal of each horizon; then per bank, sub-area and reduction basis the distinct
 * projects, terms, loans, sums and the reduction as Σ over terms of ⌊reduction × Σ principal × REDUCTION_UNIT
 * ÷ investment⌋; and each bank's three projects with the largest reduction in the quarter (dense rank, ties
 * by ref), one row per term with its exact numerator and denominator.
 *
 * Rows: kind 'area' (institution_id, sub_area, basis, and per horizon prefix q / y / a the columns
 * `_projects`, `_terms`, `_loans`, `_principal`, `_rate`, `_reduction`) then kind 'top' (institution_id,
 * sub_area, ref, name, num, den_text). db/repositories/disclosures.ts `quarterSums` reads them;
 * test/api/sql-mirrors-quarter-sums.test.ts checks it against the domain function on random loans.
 */
import { sql } from 'drizzle-orm';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { REDUCTION_UNIT } from '../../domain/disclosures/figures.js';
import { horizonsOf as domainHorizons } from '../../domain/disclosures/quarter-sums.js';
import { coveredByApprovedSupport as COVERED } from './covered-by-approved-support.js';
import { FROZEN_LOAN, storedSets } from './frozen-loan-sets.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from './project-figures.js';

/** The banks a read covers: every bank (null), one bank, or several (a part of the quarter's fan-out). */
export type BankScope = string | readonly string[] | null;

/** the column prefix of each horizon */
export const HORIZON_PREFIX = { quarter: 'q', yearToDate: 'y', sinceInception: 'a' } as const;

const horizonsOf = (quarter: string) => domainHorizons(quarter).map((h) => ({ prefix: HORIZON_PREFIX[h.horizon], from: h.from }));

/**
 * With `freeze`, the same pass also freezes each bank's counted loans (frozen-loan-sets.ts): the covered
 * loans are read once into a CTE both the sums and the sets are taken from, each bank's set is stored
 * unless an equal one is already (with `base`, one bank's correction: as a delta from that set's), and one row of kind 'set' per bank (institution_id, ref: the set's key, name: the
 * list's SHA-256, num: its loans) follows the sums.
 */
export function quarterSumsSql(quarter: string, banks: BankScope, options: { freeze?: boolean; base?: string | null } = {}) {
  const p = quarterPeriod(quarter);
  const hs = horizonsOf(quarter);
  const unit = sql.raw(`${REDUCTION_UNIT.toString()}::numeric`);
  const inner = hs.map(
    (h) => sql`count(*) filter (where l.disbursed_on >= ${h.from}::date) as ${sql.raw(h.prefix + '_loans')},
      coalesce(sum(l.principal_fen) filter (where l.disbursed_on >= ${h.from}::date), 0) as ${sql.raw(h.prefix + '_principal')},
      coalesce(sum(l.rate_ppm::numeric * l.principal_fen) filter (where l.disbursed_on >= ${h.from}::date), 0) as ${sql.raw(h.prefix + '_rate')}`,
  );
  const outer = hs.map((h) => {
    const x = (c: string) => sql.raw(`${h.prefix}_${c}`);
    return sql`count(distinct project_id) filter (where ${x('loans')} > 0) as ${x('projects')},
      count(*) filter (where ${x('loans')} > 0) as ${x('terms')}, sum(${x('loans')})::int as ${x('loans')},
      sum(${x('principal')})::text as ${x('principal')}, sum(${x('rate')})::text as ${x('rate')},
      sum(div(ct::numeric * ${x('principal')} * ${unit}, den))::text as ${x('reduction')}`;
  });
  // the application's bank too (always the loan's): the bank's few applications lead the plan even when
  // the statistics lag behind a large import in progress
  const ids = typeof banks === 'string' || banks === null ? null : sql`${sql.param([...banks])}::uuid[]`;
  const onlyBank =
    typeof banks === 'string'
      ? sql`and l.institution_id = ${banks} and a.institution_id = ${banks}`
      : ids
        ? sql`and l.institution_id = any(${ids}) and a.institution_id = any(${ids})`
        : sql``;
  const perProject = options.freeze
    ? sql`covered as materialized (
      select l.id, l.institution_id, l.project_id, dp.id as decided_id, l.disbursed_on, l.principal_fen, l.rate_ppm, ${FROZEN_LOAN} as frozen
      from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
      where l.disbursed_on <= ${p.end}::date ${onlyBank}
    ), lists as (
      select institution_id, array_agg(frozen order by id) as list from covered group by institution_id
    ), ${storedSets(options.base ?? null)}, per_project as materialized (
      select l.project_id, l.decided_id, ${sql.join(inner, sql`, `)}
      from covered l group by l.project_id, l.decided_id`
    : null;
  return sql`
    with ${DECIDED_PROJECTS},
    -- per project and the figures its loans are attributed with (an operator's decision of the project's
    -- figures in the register, else the bank's own: one group per project unless its loans name several entries)
    ${
      options.freeze
        ? perProject
        : sql`per_project as materialized (
      select l.project_id, dp.id as decided_id, ${sql.join(inner, sql`, `)}
      from loans l ${COVERED} ${DECIDED_JOIN}
      where l.disbursed_on <= ${p.end}::date ${onlyBank}
      group by l.project_id, dp.id`
    }
    ), projected as (
      select pr.institution_id, pr.sub_area, pr.reduction_basis, pr.ref, pr.name, ${ATTRIBUTED_REDUCTION} as ct, ${ATTRIBUTED_INVESTMENT} as den, pp.*
      from per_project pp join projects pr on pr.id = pp.project_id left join decided_projects dp on dp.id = pp.decided_id
    )
    select 'area' as kind, institution_id, sub_area, reduction_basis as basis, null as ref, null as name, null as num, null as den_text, ${sql.join(outer, sql`, `)}
    from projected group by institution_id, sub_area, reduction_basis
    union all
    select 'top', institution_id, sub_area, null, ref, name, num, den_text, ${sql.join(
      hs.flatMap((h) => ['projects', 'terms', 'loans', 'principal', 'rate', 'reduction'].map((c) => sql.raw(`null as ${h.prefix}_${c}`))),
      sql`, `,
    )}
    from (
      select institution_id, sub_area, ref, name, (ct::numeric * q_principal)::text as num, den::text as den_text,
        dense_rank() over (partition by institution_id order by total desc, ref) as rank
      from (select *, sum(ct::numeric * q_principal / den) over (partition by project_id) as total from projected where q_loans > 0) t
    ) ranked where rank <= 3
    ${
      options.freeze
        ? sql`union all
    select 'set', institution_id, null, null, key, sha256, loans::text, null, ${sql.join(
      hs.flatMap((h) => ['projects', 'terms', 'loans', 'principal', 'rate', 'reduction'].map((c) => sql.raw(`null as ${h.prefix}_${c}`))),
      sql`, `,
    )} from frozen_sets`
        : sql``
    }
    order by 1, 2, 3, 4`;
}
