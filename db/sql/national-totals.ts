/**
 * SQL mirror of domain/disclosures/national-totals.ts: the national totals' sums over a set of frozen
 * loans, in one statement. test/api/sql-mirrors-national-totals.test.ts runs both on the same random inputs.
 *
 * `source` is a relation with the columns scope (text), loan_id, institution_id, credit_code, project_name,
 * province, project_id, principal_fen, rate_ppm, attributed_centitonnes, project_reduction_centitonnes,
 * project_total_investment_fen, register_id (null when the loan has no register entry). A shared project is
 * found as db/sql/shared-projects.ts finds it (two or more institutions in one register entry, or, for loans
 * without one, the same credit code, folded name and folded province); only the loans without an entry of a
 * borrower two or more institutions lend to are folded.
 */
import { sql, type SQL } from 'drizzle-orm';
import { REDUCTION_SCALE } from '../../domain/disclosures/figures.js';
import type { TotalsSums } from '../../domain/disclosures/national-totals.js';
import { foldedName } from './shared-projects.js';

const UNIT = sql.raw(`1${'0'.repeat(REDUCTION_SCALE)}::numeric`);

/** The loans of `source` with the shared project each belongs to (`grp`, null when none) and its reduction term. */
const withGroups = (source: SQL) => sql`
  src as (${source}),
  several as (
    select scope, credit_code from (select distinct scope, credit_code, institution_id from src where credit_code is not null and register_id is null) d
    group by scope, credit_code having count(*) > 1
  ),
  keyed as (
    select s.scope, s.loan_id, s.institution_id, 'r' || E'\\t' || s.register_id::text as grp from src s where s.register_id is not null
    union all
    select s.scope, s.loan_id, s.institution_id,
      'k' || E'\\t' || s.credit_code || E'\\t' || ${foldedName(sql`s.project_name`)} || E'\\t' || ${foldedName(sql`s.province`)} as grp
    from src s join several m on m.scope = s.scope and m.credit_code = s.credit_code
    where s.register_id is null and s.project_name is not null and s.province is not null
  ),
  shared as (
    select scope, grp from keyed group by scope, grp having count(distinct institution_id) > 1
  ),
  member as (
    select k.scope, k.loan_id, k.grp from keyed k join shared h on h.scope = k.scope and h.grp = k.grp
  ),
  loans as (
    select s.*, m.grp,
      -- the loan's exact attributed reduction num/den (centitonnes); the rounded one when the total investment was not frozen
      case when s.project_total_investment_fen > 0 and s.project_reduction_centitonnes is not null
        then s.project_reduction_centitonnes::numeric * s.principal_fen else s.attributed_centitonnes::numeric end as num,
      case when s.project_total_investment_fen > 0 and s.project_reduction_centitonnes is not null
        then s.project_total_investment_fen::numeric else 1::numeric end as den
    from src s left join member m on m.scope = s.scope and m.loan_id = s.loan_id
  ),
  terms as (
    -- one term per project and denominator, its sum exact, truncated to 10^-${sql.raw(String(REDUCTION_SCALE))} centitonne
    select scope, grp, project_id, den, sum(num) as num, div(sum(num) * ${UNIT}, den) as lower from loans group by scope, grp, project_id, den
  ),
  group_facts as (
    -- each shared project's own reduction (the largest its banks declared) and its projects as the banks record them
    select scope, grp, coalesce(max(project_reduction_centitonnes), 0) as cap, count(distinct project_id) as projects
    from loans where grp is not null group by scope, grp
  )`;

/**
 * One row per scope: projects (shared projects counted once), principal_fen, rate_weighted (Σ rate ppm ×
 * principal), reduction_lower and reduction_terms (Σ of the truncated terms, each shared project at most its
 * own reduction, and their number), shared_projects, projects_not_counted, not_counted_lower and
 * not_counted_terms (the reduction above the shared projects' own). Integers as text.
 */
export const nationalTotalsSums = (source: SQL) => sql`
  with ${withGroups(source)},
  groups as (
    select t.scope, t.grp, sum(t.lower) as lower, count(*) as n, f.cap::numeric * ${UNIT} as cap, f.projects
    from terms t join group_facts f on f.scope = t.scope and f.grp = t.grp group by t.scope, t.grp, f.cap, f.projects
  ),
  per_scope as (
    select scope, count(distinct project_id) as projects, sum(principal_fen) as principal_fen, sum(rate_ppm::numeric * principal_fen) as rate_weighted
    from loans group by scope
  ),
  alone as (select scope, sum(lower) as lower, count(*) as n from terms where grp is null group by scope),
  shared_sums as (
    select scope, count(*) as shared, sum(projects - 1) as projects_not_counted, sum(least(lower, cap)) as lower, sum(n) as n,
      sum(lower - least(lower, cap)) as not_counted
    from groups group by scope
  )
  select p.scope, (p.projects - coalesce(s.projects_not_counted, 0))::text as projects, p.principal_fen::text, p.rate_weighted::text,
    (coalesce(a.lower, 0) + coalesce(s.lower, 0))::text as reduction_lower, (coalesce(a.n, 0) + coalesce(s.n, 0))::text as reduction_terms,
    coalesce(s.shared, 0)::text as shared_projects, coalesce(s.projects_not_counted, 0)::text as projects_not_counted,
    coalesce(s.not_counted, 0)::text as not_counted_lower, coalesce(s.n, 0)::text as not_counted_terms
  from per_scope p left join alone a on a.scope = p.scope left join shared_sums s on s.scope = p.scope`;

/**
 * The exact reduction terms (the fallback when an interval straddles a rounding boundary): one row per
 * scope, shared project (or none), project and denominator, with num and den exact and the shared
 * project's cap (centitonnes). Integers as text.
 */
export const nationalTotalsTerms = (source: SQL) => sql`
  with ${withGroups(source)}
  select t.scope, t.grp, t.num::text as num, t.den::text as den, f.cap::text as cap
  from terms t left join group_facts f on f.scope = t.scope and f.grp = t.grp`;

/** A row of `nationalTotalsSums` read as the rule's sums (the statement's text columns to exact numbers). */
export const totalsSumsOfRow = (r: Record<string, string>): TotalsSums => ({
  projects: Number(r.projects),
  principalFen: BigInt(r.principal_fen),
  rateWeightedPpmFen: BigInt(r.rate_weighted),
  ratedPrincipalFen: BigInt(r.principal_fen),
  reductionLowerUnits: BigInt(r.reduction_lower),
  reductionTerms: Number(r.reduction_terms),
  sharedProjects: Number(r.shared_projects),
  projectsNotCounted: Number(r.projects_not_counted),
  notCountedLowerUnits: BigInt(r.not_counted_lower),
  notCountedTerms: Number(r.not_counted_terms),
});
