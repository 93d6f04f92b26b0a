/**
 * The facility's figures on a date, from the journal and the supported loans with effective dates on or
 * before it (a back-dated booking recorded later changes every date it reaches):
 * - per bank, from the journal's relending-receivable lines: support provided to date (disbursements
 *   less reversed disbursements), outstanding (debits − credits) and the rate of each outstanding tranche;
 * - the loans of every application disbursed by the date (its disbursement entry not reversed by the
 *   date), counted once per loan: principal counted in the application, distinct borrowers, distinct
 *   projects (one national project counted once), annual reduction attributed (rounded per loan, half up),
 *   in total and by the bank's category, the project's province, sub-area and bank (GROUPING SETS: distinct
 *   counts per group).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { JournalSums, LoanSums } from '../../domain/statistics/facility-figures.js';
import type { Tx } from '../client.js';
import { attributedCentitonnesHalfUpSql } from '../sql/attributed-reduction.js';

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** per bank: what the journal says on the date */
export type JournalFiguresRow = JournalSums;

/** one group's loan figures: the total, or one category, province, sub-area or bank */
export type LoanFiguresRow = LoanSums;

export type InstitutionFacts = {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  category: string | null;
  province: string | null;
};

const RECEIVABLE = 'pbc:relending_receivable:%';

/** The dates as one SQL array literal (dates are checked ISO dates). */
const datesSql = (dates: readonly string[]) => sql`cast(${`{${dates.join(',')}}`} as date[])`;

/** Per date and bank: provided, outstanding and the rate weight of its tranches (one statement for every date). */
export async function journalFiguresAt(db: Tx, dates: readonly string[]): Promise<(JournalFiguresRow & { on: string })[]> {
  const rows = rowsOf<{ on: string; institution_id: string; provided: string; outstanding: string; rate_weight: string; tranches: string }>(
    await db.execute(sql`
    with dates as (select distinct unnest(${datesSql(dates)}) as d),
    lines as (
      select e.effective_on, e.institution_id, l.facility_id, l.debit_fen - l.credit_fen as net,
        case when e.kind = 'disbursement' then l.debit_fen
             when e.kind = 'reversal' and r.kind = 'disbursement' then -l.credit_fen else 0 end as provided
      from journal_lines l
      join journal_entries e on e.id = l.entry_id
      left join journal_entries r on r.id = e.reverses_id
      where l.account like ${RECEIVABLE} and e.effective_on <= (select max(d) from dates)
    ), per_tranche as (
      select dates.d, l.institution_id, l.facility_id, sum(l.net) as outstanding, sum(l.provided) as provided
      from lines l join dates on l.effective_on <= dates.d group by 1, 2, 3
    )
    select t.d::text as on, t.institution_id, sum(t.provided)::text as provided, sum(t.outstanding)::text as outstanding,
      coalesce(sum(t.outstanding * f.rate_ppm), 0)::text as rate_weight, count(*) filter (where t.outstanding > 0)::text as tranches
    from per_tranche t join facilities f on f.id = t.facility_id
    group by t.d, t.institution_id`),
  );
  return rows.map((r) => ({
    on: r.on,
    institutionId: r.institution_id,
    providedFen: BigInt(r.provided),
    outstandingFen: BigInt(r.outstanding),
    rateWeight: BigInt(r.rate_weight),
    tranches: Number(r.tranches),
  }));
}

/**
 * The settings of the figures' statements, for the rest of the transaction: the distinct counts are
 * hashed in memory (work_mem), the joins of whole tables are hashed, not looped (enable_nestloop), and the
 * statements are not compiled (jit: compiling took longer than running them).
 */
export async function figuresSettings(db: Tx): Promise<void> {
  await db.execute(
    sql`select set_config('work_mem', '64MB', true), set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)`,
  );
}

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
export async function loanFiguresAt(db: Tx, dates: readonly string[]): Promise<(LoanFiguresRow & { on: string })[]> {
  const sorted = [...new Set(dates)].sort();
  if (sorted.length > 62) {
    const halves = [sorted.slice(0, 62), sorted.slice(62)];
    return [...(await loanFiguresAt(db, halves[0])), ...(await loanFiguresAt(db, halves[1]))];
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

/** When the figures of `on` last changed: the latest recording of an entry dated on or before it. */
export async function lastChangedOn(db: Tx, on: string): Promise<{ at: Date | null; sequence: string | null }> {
  const [row] = rowsOf<{ at: string | Date | null; sequence: string | null }>(
    await db.execute(sql`
    select max(created_at) as at, max(sequence)::text as sequence from journal_entries where effective_on <= ${on}::date`),
  );
  return { at: row?.at ? new Date(row.at) : null, sequence: row?.sequence ?? null };
}

/** The banks (category, province, names), for the breakdowns. */
export async function bankFacts(db: Tx): Promise<InstitutionFacts[]> {
  const rows = rowsOf<{ id: string; code: string; name_zh: string; name_en: string; category: string | null; province: string | null }>(
    await db.execute(sql`select id, code, name_zh, name_en, category, province from institutions where kind = 'bank' order by code`),
  );
  return rows.map((r) => ({ id: r.id, code: r.code, nameZh: r.name_zh, nameEn: r.name_en, category: r.category, province: r.province }));
}

/** The balance of every journal account on `on` (entries dated on or before it), optionally of one bank. */
export async function accountBalancesOn(db: Tx, on: string, institutionId?: string) {
  const rows = rowsOf<{ account: string; debit: string; credit: string }>(
    await db.execute(sql`
    select l.account, sum(l.debit_fen)::text as debit, sum(l.credit_fen)::text as credit
    from journal_lines l join journal_entries e on e.id = l.entry_id
    where e.effective_on <= ${on}::date ${institutionId ? sql`and e.institution_id = ${institutionId}::uuid` : sql``}
    group by l.account order by l.account`),
  );
  return rows.map((r) => ({ account: r.account, debitFen: BigInt(r.debit), creditFen: BigInt(r.credit) }));
}

/** The first and last dates of the disbursements (not reversed by then) dated on or before `on`. */
export async function disbursementDatesOn(db: Tx, on: string): Promise<{ first: string | null; last: string | null }> {
  const [row] = rowsOf<{ first: string | null; last: string | null }>(
    await db.execute(sql`
    select min(e.effective_on)::text as first, max(e.effective_on)::text as last from journal_entries e
    where e.kind = 'disbursement' and e.effective_on <= ${on}::date
      and not exists (select 1 from journal_entries r where r.reverses_id = e.id and r.effective_on <= ${on}::date)`),
  );
  return { first: row?.first ?? null, last: row?.last ?? null };
}

/**
 * A stamp that moves whenever a committed change could move any figure: the audit chain's head position,
 * taken at each commit that changed an audited table (journal entries with their lines, loans, projects,
 * applications, institutions, policy). One row read; the positions follow the order of the commits.
 */
export async function figuresStamp(db: Tx): Promise<string> {
  const [row] = rowsOf<{ pos: string | null }>(await db.execute(sql`select last_pos::text as pos from audit_chain where chain = 'audit'`));
  return row?.pos ?? '0';
}
