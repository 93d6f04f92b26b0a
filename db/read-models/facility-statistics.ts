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
 *
 * The loans are not joined on each read: they are read from per-application summaries kept exact as the
 * loans change (migration 0036): per application its loans, principal and reduction by province and
 * sub-area, its distinct borrowers and its distinct projects by province and sub-area. Triggers on every
 * input (an application's listed loans, a loan's borrower and project, a project's province, sub-area and
 * figures) list the application in `statistics_dirty`, in the writer's transaction; the bank, its category
 * and the dates an application is supported on come from the journal and the banks at read time. A read
 * takes a listed application from its loans (never a stale summary), so it is exact in any snapshot;
 * `refreshStatisticsSummaries`, run by every edge in a transaction of its own before the read (which is
 * read only), recomputes the listed applications and removes the marks it saw. At 1,000,000 loans a read
 * hashes the summaries' rows (about 1.7 million) instead of joining the loans, projects and applications.
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

/** The live loans of the applications in `applications` (a set of ids), joined to their loans and projects. */
const liveLoans = (applications: SQL) => sql`
  from application_loans al join loans l on l.id = al.loan_id join projects p on p.id = l.project_id
  where al.active = 1 and al.application_id in (${applications}) and exists (${applications})`;

const reductionOfLoan: SQL = attributedCentitonnesHalfUpSql({
  principalFen: sql`al.principal_fen`,
  annualReductionCentitonnes: sql`p.annual_reduction_centitonnes`,
  totalInvestmentFen: sql`p.total_investment_fen`,
});

/** The summaries of these applications computed from their loans, at the grain of each summary table. */
const liveSums = (applications: SQL) => sql`
  select al.application_id, p.province, p.sub_area, count(*)::bigint as loans, sum(al.principal_fen)::bigint as principal_fen,
    sum(${reductionOfLoan})::bigint as reduction_centitonnes
  ${liveLoans(applications)} group by 1, 2, 3`;
const liveBorrowers = (applications: SQL) => sql`
  select distinct al.application_id, l.borrower_credit_code as borrower, p.province, p.sub_area ${liveLoans(applications)}`;
const liveProjects = (applications: SQL) => sql`
  select distinct al.application_id, coalesce(l.register_id, l.project_id) as project, p.province, p.sub_area ${liveLoans(applications)}`;

/**
 * Recomputes the summaries of the applications marked dirty and removes the marks it read, in one
 * statement (one snapshot): a mark committed meanwhile stays for the next refresh. Then, in the same
 * transaction, `single` of every row of the borrowers (projects) whose rows changed. Refreshes are
 * serialized by an advisory lock (one that finds it taken does nothing: the reads stay exact, reading the
 * dirty applications live). Returns how many applications it recomputed.
 */
export async function refreshStatisticsSummaries(db: Tx): Promise<number> {
  const [locked] = rowsOf<{ locked: boolean }>(
    await db.execute(sql`select exists (select 1 from statistics_dirty) and pg_try_advisory_xact_lock(${SUMMARIES_LOCK}) as locked`),
  );
  if (!locked?.locked) return 0;
  await db.execute(sql`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
  const apps = sql`select application_id from apps`;
  // the borrowers (projects) whose rows changed, before and after, when few applications were recomputed
  const [row] = rowsOf<{ n: number; borrowers: string | null; projects: string | null }>(
    await db.execute(sql`
    with marks as (delete from statistics_dirty returning application_id),
    apps as materialized (select distinct application_id from marks),
    s0 as (delete from statistics_application_sums s where s.application_id in (${apps})),
    b0 as (delete from statistics_application_borrowers s where s.application_id in (${apps}) returning borrower),
    p0 as (delete from statistics_application_projects s where s.application_id in (${apps}) returning project),
    s1 as (insert into statistics_application_sums (application_id, province, sub_area, loans, principal_fen, reduction_centitonnes)
      ${liveSums(apps)}),
    b1 as (insert into statistics_application_borrowers (application_id, borrower, province, sub_area) ${liveBorrowers(apps)} returning borrower),
    p1 as (insert into statistics_application_projects (application_id, project, province, sub_area) ${liveProjects(apps)} returning project),
    n as (select count(*)::int as n from apps)
    select n.n,
      case when n.n < ${MANY} then array(select borrower from b0 union select borrower from b1)::text end as borrowers,
      case when n.n < ${MANY} then array(select project from p0 union select project from p1)::text end as projects
    from n`),
  );
  const n = row?.n ?? 0;
  if (n === 0) return 0;
  // which rows are single (no other row of their borrower, project): of the entities changed, or all after many changes
  const single = (table: SQL, column: SQL, changed: SQL | null) => sql`
    update ${table} t set single = c.n = 1
    from (select ${column} as entity, count(*) as n from ${table} ${changed ? sql`where ${column} = any(${changed})` : sql``} group by 1) c
    where t.${column} = c.entity and t.single <> (c.n = 1)`;
  // the arrays as PostgreSQL wrote them (text), read back as arrays
  const borrowers = n < MANY ? sql`cast(${row.borrowers} as text[])` : null;
  const projects = n < MANY ? sql`cast(${row.projects} as uuid[])` : null;
  await db.execute(single(sql`statistics_application_borrowers`, sql`borrower`, borrowers));
  await db.execute(single(sql`statistics_application_projects`, sql`project`, projects));
  // many applications summarised at once (the first refresh, a large import): the planner learns the tables' new sizes
  if (n >= MANY)
    await db.execute(sql`analyze statistics_application_sums, statistics_application_borrowers, statistics_application_projects`);
  return n;
}

/** A refresh of this many applications or more recomputes every row's `single` and analyses the tables. */
const MANY = 1000;

/** The advisory lock of the summaries' refresh (any constant of this module's own). */
const SUMMARIES_LOCK = 7_361_020_036;

/**
 * The loans supported on each date (the applications disbursed by then and not reversed by then), in
 * every grouping, for every date in one statement (at most 62 dates), from the per-application
 * summaries (migration 0036: per application its loans, principal and reduction by province and
 * sub-area, its distinct borrowers and distinct projects by province and sub-area), an application marked
 * dirty read from its loans instead. Each date is a bit, and each application carries the mask of the
 * dates it is supported on (a disbursement counts from the first date on or after it, until the first
 * date on or after its reversal), so a summary row is one row whatever the number of dates; the bank and
 * its category are the disbursement entry's. Sums are taken per group and mask; a borrower (project) with
 * a single row counts as that row; the others are hashed per group and borrower (project), their masks
 * or-ed (present on a date through any of its applications), then counted per group and mask; each mask
 * is then spread over its dates.
 */
export async function loanFiguresAt(db: Tx, dates: readonly string[]): Promise<(LoanFiguresRow & { on: string })[]> {
  const sorted = [...new Set(dates)].sort();
  if (sorted.length > 62) {
    const halves = [sorted.slice(0, 62), sorted.slice(62)];
    return [...(await loanFiguresAt(db, halves[0])), ...(await loanFiguresAt(db, halves[1]))];
  }
  // the summaries are hashed (the planner's estimates of the masks are guesses: no merge joins, no sorts); a
  // dirty application's loans are found by index (nested loops)
  // the (group, borrower) pairs of a million loans hashed in memory (about 300 MB at 1,000,000 loans), not spilled
  await db.execute(
    sql`select set_config('enable_nestloop', 'on', true), set_config('enable_mergejoin', 'off', true), set_config('enable_sort', 'off', true),
      set_config('work_mem', '256MB', true)`,
  );
  const keys = sql`category, province, sub_area, institution_id`;
  const sets = sql`grouping sets ((m), (m, category), (m, province), (m, sub_area), (m, institution_id))`;
  const dirty = sql`select application_id from dirty`;
  /** a summary's rows: of the clean applications as kept, of the dirty ones from their loans */
  const summary = (table: SQL, columns: SQL, live: SQL) => sql`
    select application_id, ${columns} from ${table} t where not exists (select 1 from dirty d where d.application_id = t.application_id)
    union all ${live}`;
  const counts = (isEnterprise: boolean) => (isEnterprise ? sql`count(*), 0::bigint` : sql`0::bigint, count(*)`);
  /**
   * The distinct borrowers (projects) of every grouping. A single row (its entity has no other, and no
   * changed application has it) counts once in each grouping, as the row does: summed per group and mask.
   * The other entities' (group, entity) pairs are hashed in one pass over every grouping, their masks
   * or-ed, then counted per group and mask.
   */
  const distinctOf = (entity: { table: SQL; column: SQL; touched: SQL; live: SQL }, isEnterprise: boolean) => {
    const untouchedSingle = sql`t.single and not exists (select 1 from ${entity.touched} x where x.entity = t.${entity.column})`;
    return sql`
      select grouping(${keys})::int as g, ${keys}, m, 0::bigint, 0::numeric, 0::numeric, ${counts(isEnterprise)}
      from (
        select a.category, t.province, t.sub_area, a.institution_id, a.m
        from supported_applications a join ${entity.table} t on t.application_id = a.application_id
        where ${untouchedSingle}
      ) singles
      group by ${sets}
      union all
      select g, ${keys}, m, 0::bigint, 0::numeric, 0::numeric, ${counts(isEnterprise)} from (
        select grouping(${keys})::int as g, ${keys}, bit_or(m) as m
        from (
          select a.category, s.province, s.sub_area, a.institution_id, s.entity, a.m
          from supported_applications a join (
            select application_id, ${entity.column} as entity, province, sub_area from ${entity.table} t
            where not exists (select 1 from dirty d where d.application_id = t.application_id) and not (${untouchedSingle})
            union all select application_id, entity, province, sub_area from (${entity.live}) l
          ) s on s.application_id = a.application_id
        ) pairs
        group by grouping sets ((entity), (category, entity), (province, entity), (sub_area, entity), (institution_id, entity))
      ) x group by g, ${keys}, m`;
  };
  const borrowers = {
    table: sql`statistics_application_borrowers`,
    column: sql`borrower`,
    touched: sql`touched_borrowers`,
    live: sql`select application_id, borrower as entity, province, sub_area from (${liveBorrowers(dirty)}) b`,
  };
  const projects = {
    table: sql`statistics_application_projects`,
    column: sql`project`,
    touched: sql`touched_projects`,
    live: sql`select application_id, project as entity, province, sub_area from (${liveProjects(dirty)}) p`,
  };
  // the borrowers (projects) of the changed applications, as summarised and as they are now: never taken as single
  const touched = (entity: typeof borrowers) => sql`
    select ${entity.column} as entity from ${entity.table} t where t.application_id in (${dirty}) and exists (${dirty})
    union select entity from (${entity.live}) l`;
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
      select application_id, institution_id, bit_or(m) as m from (
        select (e.memo->>'applicationId')::uuid as application_id, e.institution_id,
          (select coalesce(bit_or(1::bigint << dates.i), 0) from dates
            where dates.d >= e.effective_on and (r.effective_on is null or dates.d < r.effective_on)) as m
        from journal_entries e
        left join journal_entries r on r.reverses_id = e.id
        where e.kind = 'disbursement' and e.effective_on <= ${sorted[sorted.length - 1]}::date
        offset 0
      ) entries
      group by 1, 2
    ), supported_applications as materialized (
      select s.application_id, s.m, s.institution_id, i.category
      from applications_on s join institutions i on i.id = s.institution_id
      where s.m <> 0
    ), dirty as materialized (
      select distinct d.application_id from statistics_dirty d join supported_applications a on a.application_id = d.application_id
    ), touched_borrowers as materialized (${touched(borrowers)}
    ), touched_projects as materialized (${touched(projects)}
    ), masks as (
      select grouping(${keys})::int as g, ${keys}, m, sum(s.loans) as loans, sum(s.principal_fen) as principal,
        sum(s.reduction_centitonnes) as reduction, 0::bigint as enterprises, 0::bigint as projects
      from supported_applications a
      join (${summary(sql`statistics_application_sums`, sql`province, sub_area, loans, principal_fen, reduction_centitonnes`, liveSums(dirty))}) s
        on s.application_id = a.application_id
      group by ${sets}
      union all ${distinctOf(borrowers, true)}
      union all ${distinctOf(projects, false)}
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
