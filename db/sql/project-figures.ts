/**
 * SQL mirror of domain/projects/register.ts `attributionFigures`: the figures a loan's reduction is
 * attributed with. `DECIDED_PROJECTS` is a CTE of the register entries whose figures an operator decided,
 * with what every bank lent to them; a loan `l` joined to it (`DECIDED_JOIN`) takes the decided reduction
 * over the decided investment, or over every bank's loans together when they exceed it; any other loan its
 * own project's (`pr`) figures.
 */
import { sql } from 'drizzle-orm';

export const DECIDED_PROJECTS = sql.raw(`decided_projects as (
    select r.id, r.decided_annual_reduction_centitonnes as reduction, r.decided_total_investment_fen as investment,
      (select coalesce(sum(x.principal_fen), 0) from loans x where x.register_id = r.id) as funded
    from project_register r where r.decided_at is not null and r.merged_into is null
  )`);

/** joins the decided figures (alias `dp`) of loan `l` */
export const DECIDED_JOIN = sql.raw(`left join decided_projects dp on dp.id = l.register_id`);

/** the reduction (centitonnes) and the investment (fen) a loan's share is taken of, given `dp` and its project `pr` */
export const ATTRIBUTED_REDUCTION = sql.raw(`coalesce(dp.reduction, pr.annual_reduction_centitonnes)`);
export const ATTRIBUTED_INVESTMENT = sql.raw(`coalesce(greatest(dp.investment, dp.funded), pr.total_investment_fen)`);
