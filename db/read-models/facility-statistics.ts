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

/** The loans supported on each date (the applications disbursed by then), in every grouping (one statement for every date). */
export async function loanFiguresAt(db: Tx, dates: readonly string[]): Promise<(LoanFiguresRow & { on: string })[]> {
  const reduction: SQL = attributedCentitonnesHalfUpSql({
    principalFen: sql`al.principal_fen`,
    annualReductionCentitonnes: sql`p.annual_reduction_centitonnes`,
    totalInvestmentFen: sql`p.total_investment_fen`,
  });
  const rows = rowsOf<{
    on: string;
    g_category: number;
    g_province: number;
    g_sub_area: number;
    g_institution: number;
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
    with dates as (select distinct unnest(${datesSql(dates)}) as d),
    intervals as (
      select (e.memo->>'applicationId')::uuid as application_id, e.effective_on as from_on, min(r.effective_on) as until_on
      from journal_entries e left join journal_entries r on r.reverses_id = e.id
      where e.kind = 'disbursement' and e.effective_on <= (select max(d) from dates)
      group by e.id
    ), first_supported as (
      select distinct on (al.loan_id) al.loan_id, a.id as application_id, a.institution_id, al.principal_fen, l.borrower_credit_code,
        coalesce(l.register_id, l.project_id) as project_key, p.sub_area, p.province as project_province, ${reduction} as reduction
      from (select distinct application_id from intervals) d
      join applications a on a.id = d.application_id
      join application_loans al on al.application_id = a.id and al.active = 1
      join loans l on l.id = al.loan_id
      join projects p on p.id = l.project_id
      order by al.loan_id, a.applied_on
    ), supported_apps as (
      select distinct dates.d, i.application_id from intervals i
      join dates on i.from_on <= dates.d and (i.until_on is null or i.until_on > dates.d)
    ), supported as (
      select sa.d, s.* from supported_apps sa join first_supported s on s.application_id = sa.application_id
    )
    select s.d::text as on, grouping(i.category)::int as g_category, grouping(s.project_province)::int as g_province,
      grouping(s.sub_area)::int as g_sub_area, grouping(s.institution_id)::int as g_institution,
      i.category, s.project_province as province, s.sub_area, s.institution_id,
      count(*)::text as loans, coalesce(sum(s.principal_fen), 0)::text as principal,
      count(distinct s.borrower_credit_code)::text as enterprises, count(distinct s.project_key)::text as projects,
      coalesce(sum(s.reduction), 0)::text as reduction
    from supported s join institutions i on i.id = s.institution_id
    group by grouping sets ((s.d), (s.d, i.category), (s.d, s.project_province), (s.d, s.sub_area), (s.d, s.institution_id))`),
  );
  return rows.map((r) => {
    const [grouping, key]: [LoanFiguresRow['grouping'], string | null] =
      Number(r.g_category) === 0
        ? ['category', r.category]
        : Number(r.g_province) === 0
          ? ['province', r.province]
          : Number(r.g_sub_area) === 0
            ? ['sub_area', r.sub_area]
            : Number(r.g_institution) === 0
              ? ['institution', r.institution_id]
              : ['total', null];
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
