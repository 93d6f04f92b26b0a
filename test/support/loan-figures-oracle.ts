/**
 * The oracle of the facility's loan figures: the statement that read them before the per-application
 * summaries (migration 0036), every supported loan joined to its application, project and bank on each
 * read. The tests compare what the summaries give (through the API and the read model) with it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { LoanFiguresRow } from '../../db/read-models/facility-statistics.js';
import { attributedCentitonnesHalfUpSql } from '../../db/sql/attributed-reduction.js';

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;
const datesSql = (dates: readonly string[]) => sql`cast(${`{${dates.join(',')}}`} as date[])`;

/** grouping(category, province, sub_area, institution_id): the bit of each column aggregated away, the first the highest */
const GROUPINGS: Record<number, LoanFiguresRow['grouping']> = {
  15: 'total',
  7: 'category',
  11: 'province',
  13: 'sub_area',
  14: 'institution',
};

/**
 * The loans supported on each date (the applications disbursed by then and not reversed by then), in
 * every grouping, for every date in one statement (at most 62 dates). The loans are joined once: each
 * date is a bit, and each application carries the mask of the dates it is supported on (a disbursement
 * counts from the first date on or after it, until the first date on or after its reversal), so a loan is
 * one row whatever the number of dates. Sums are taken per group and mask; distinct borrowers and
 * projects are hashed per group and borrower (project), their masks or-ed (present on a date through any
 * of its loans), then counted per group and mask; each mask is then spread over its dates.
 */
export async function loanFiguresFromLoans(db: Tx, dates: readonly string[]): Promise<(LoanFiguresRow & { on: string })[]> {
  const sorted = [...new Set(dates)].sort();
  if (sorted.length > 62) {
    const halves = [sorted.slice(0, 62), sorted.slice(62)];
    return [...(await loanFiguresFromLoans(db, halves[0])), ...(await loanFiguresFromLoans(db, halves[1]))];
  }
  const reduction: SQL = attributedCentitonnesHalfUpSql({
    principalFen: sql`al.principal_fen`,
    annualReductionCentitonnes: sql`p.annual_reduction_centitonnes`,
    totalInvestmentFen: sql`p.total_investment_fen`,
  });
  const keys = sql`category, province, sub_area, institution_id`;
  // per bank, province and sub-area first (one hash over the loans), then every grouping from those rows
  const distinctOf = (entity: SQL) => sql`
      select g, ${keys}, m, 0::bigint, 0::numeric, 0::numeric, count(*) filter (where e), count(*) filter (where not e) from (
        select grouping(${keys})::int as g, ${keys}, bit_or(m) as m, ${entity === ENTERPRISE ? sql`true` : sql`false`} as e
        from (select ${keys}, ${entity} as entity, bit_or(m) as m from supported group by ${keys}, ${entity}) fine
        group by grouping sets ((entity), (category, entity), (province, entity), (sub_area, entity), (institution_id, entity))
      ) x group by g, ${keys}, m`;
  const rows = rowsOf<{
    on: string;
    g: number;
    category: string | null;
    province: string | null;
    sub_area: string | null;
    institution_id: string | null;
    loans: string;
    principal: string;
    enterprises: string;
    projects: string;
    reduction: string;
  }>(
    await db.execute(sql`
    with dates as (select d, (row_number() over (order by d) - 1)::int as i from unnest(${datesSql(sorted)}) as d),
    applications_on as (
      select (e.memo->>'applicationId')::uuid as application_id, e.institution_id,
        bit_or((select coalesce(bit_or(1::bigint << dates.i), 0) from dates
          where dates.d >= e.effective_on and (r.effective_on is null or dates.d < r.effective_on))) as m
      from journal_entries e
      left join journal_entries r on r.reverses_id = e.id
      where e.kind = 'disbursement' and e.effective_on <= ${sorted[sorted.length - 1]}::date
      group by 1, 2
    ), supported as materialized (
      select s.m, s.institution_id, i.category, p.province, p.sub_area, l.borrower_credit_code as borrower,
        coalesce(l.register_id, l.project_id) as project, al.principal_fen, ${reduction} as reduction
      from applications_on s
      join institutions i on i.id = s.institution_id
      join application_loans al on al.application_id = s.application_id and al.active = 1
      join loans l on l.id = al.loan_id
      join projects p on p.id = l.project_id
      where s.m <> 0
    ), masks as (
      select grouping(${keys})::int as g, ${keys}, m, count(*) as loans, sum(principal_fen) as principal, sum(reduction) as reduction,
        0::bigint as enterprises, 0::bigint as projects
      from supported
      group by grouping sets ((m), (m, category), (m, province), (m, sub_area), (m, institution_id))
      union all ${distinctOf(ENTERPRISE)}
      union all ${distinctOf(PROJECT)}
    )
    select dates.d::text as on, k.g, k.category, k.province, k.sub_area, k.institution_id,
      sum(k.loans)::text as loans, sum(k.principal)::text as principal, sum(k.enterprises)::text as enterprises,
      sum(k.projects)::text as projects, sum(k.reduction)::text as reduction
    from masks k join dates on (k.m >> dates.i) & 1 = 1
    group by dates.d, k.g, k.category, k.province, k.sub_area, k.institution_id`),
  );
  return rows.map((r) => {
    const grouping = GROUPINGS[Number(r.g)];
    const key = { total: null, category: r.category, province: r.province, sub_area: r.sub_area, institution: r.institution_id }[grouping];
    return {
      on: r.on,
      grouping,
      key,
      loans: Number(r.loans),
      principalFen: BigInt(r.principal),
      enterprises: Number(r.enterprises),
      projects: Number(r.projects),
      reductionCentitonnes: BigInt(r.reduction),
    };
  });
}

const ENTERPRISE = sql`borrower`;
const PROJECT = sql`project`;
