/**
 * The facility's figures on a date over BENCH_LOANS loans (default 1,000,000) in BENCH_TRANCHES
 * tranches (default 100,000) of 50 banks, against a raw hand-written SQL aggregate of the same totals in
 * the same run (no breakdowns), and against a raw SQL of the same figures (every breakdown, count
 * distinct per grouping, one date); and the series of 20 quarter ends against one date. Ours is read as
 * the edges read it (the per-application summaries refreshed, then the figures): the first read after
 * the seed summarises every application, the steady read (best of two) finds nothing to refresh.
 * Targets: ours (steady) ÷ raw totals ≤ 1.5; series ÷ one date ≤ 5. Run small with BENCH_LOANS=20000
 * BENCH_TRANCHES=2000.
 */
import os from 'node:os';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { facilityStatistics, readFigures } from '../app/statistics/facility-statistics.js';
import { fmt, freshDatabase, timed, type Benchmark } from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 1_000_000);
const TRANCHES = Number(process.env.BENCH_TRANCHES ?? 100_000);
const BANKS = 50;
const ON = '2026-09-30'; // the 20th quarter end from 2021-12-31

export async function seed(client: pg.Client) {
  await client.query(`insert into institutions (id, code, name_zh, name_en, kind, eligible_from, category, province)
    select gen_random_uuid(), 'BANK' || g, '银行' || g, 'Bank ' || g, 'bank', '2021-11-08',
      (array['national','local_legal_person','foreign'])[1 + g % 3], '省' || (g % 31) from generate_series(1, ${BANKS}) g`);
  await client.query(
    `insert into institutions (id, code, name_zh, name_en, kind) values (gen_random_uuid(), 'PBOC', '中国人民银行', 'PBoC', 'operator')`,
  );
  await client.query(`insert into users (id, institution_id, name, role, api_key_sha256)
    select gen_random_uuid(), id, 'op', 'operator', md5(random()::text) from institutions where code = 'PBOC'`);
  await client.query(`insert into operations (quarter, opens_on, closes_on, volume_fen, created_by)
    select '2021Q4', '2021-12-01', '2021-12-31', 10000000000000000, id from users limit 1`);
  const banks = `(select id, row_number() over (order by code) - 1 as n from institutions where kind = 'bank')`;
  // one application and one tranche per TRANCHES, disbursed over 2021-12-30 … 2026-12-29 (a twentieth of them after ON)
  await client.query(`create temp table app_seed as
    select g, gen_random_uuid() as app_id, gen_random_uuid() as facility_id, b.id as institution_id,
      ('2021-12-30'::date + (g * 7919) % 1826) as on_date
    from generate_series(0, ${TRANCHES - 1}) g join ${banks} b on b.n = g % ${BANKS}`);
  await client.query(`insert into applications (id, institution_id, operation_id, applied_on, status, policy_version, requested_fen, approved_fen)
    select s.app_id, s.institution_id, o.id, s.on_date, 'disbursed', '2021-11-launch', 1, 1 from app_seed s, operations o`);
  await client.query(`insert into facilities (id, institution_id, application_id, principal_fen, outstanding_fen, rate_ppm, day_count, start_on,
      matures_on, policy_version, interest_from_on, accrued_through)
    select facility_id, institution_id, app_id, 600000000, 600000000, 17500, 'actual_360', on_date, on_date + 365, '2021-11-launch', on_date, on_date
    from app_seed`);
  await client.query(`insert into journal_entries (id, sequence, institution_id, kind, effective_on, memo, prev_hash, hash)
    select gen_random_uuid(), g + 1, institution_id, 'disbursement', on_date, jsonb_build_object('applicationId', app_id), 'x', 'x' from app_seed`);
  await client.query(`insert into journal_lines (entry_id, line_no, account, facility_id, debit_fen, credit_fen)
    select e.id, 1, 'pbc:relending_receivable:B', s.facility_id, 600000000, 0
    from journal_entries e join app_seed s on s.g + 1 = e.sequence
    union all
    select e.id, 2, 'pbc:reserves:B', s.facility_id, 0, 600000000
    from journal_entries e join app_seed s on s.g + 1 = e.sequence`);
  // the loans: LOANS ÷ TRANCHES per application, a project for every two loans, a borrower for every three
  await client.query(`insert into projects (id, institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes,
      reduction_basis, evidence_title, evidence_sha256)
    select gen_random_uuid(), s.institution_id, 'P' || p, '项目' || p, '省' || (p % 31), (array['CE.WIND','CE.SOLAR','EE.BUILDING'])[1 + p % 3],
      10000000000, 2000000, 'feasibility_study', 'fs', md5(p::text)
    from generate_series(0, ${LOANS / 2 - 1}) p join app_seed s on s.g = (p * 2) % ${TRANCHES}`);
  await client.query(
    `create temp table project_seed as select id, row_number() over (order by ref) - 1 as n, institution_id from projects`,
  );
  await client.query(`insert into loans (id, institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen,
      rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility,
      changed_by, content_sha256)
    select gen_random_uuid(), p.institution_id, 'L' || g, p.id, '企业' || (g / 3), 'C' || (g / 3), 100000000, 100000000, 38000,
      '2021-12-01', '2031-12-01', '2021', '2021-11-launch', '1y', '2021-11', 38500, true, 'eligible', u.id, md5(g::text)
    from generate_series(0, ${LOANS - 1}) g join project_seed p on p.n = g / 2 cross join (select id from users limit 1) u`);
  await client.query(`insert into application_loans (application_id, loan_id, principal_fen, requested_support_fen, loan_principal_fen,
      loan_matures_on, loan_eligibility, loan_disbursed_on)
    select s.app_id, l.id, l.principal_fen, 60000000, l.principal_fen, l.matures_on, 'eligible', l.disbursed_on
    from loans l join app_seed s on s.g = (substr(l.loan_ref, 2)::int / 2 * 2) % ${TRANCHES}`);
  await client.query('vacuum analyze');
}

const RAW = `
  with j as (
    select sum(case when e.kind = 'disbursement' then l.debit_fen else 0 end) as provided, sum(l.debit_fen - l.credit_fen) as outstanding
    from journal_lines l join journal_entries e on e.id = l.entry_id
    where e.effective_on <= $1::date and l.account like 'pbc:relending_receivable:%'
  ), s as (
    select count(*) as loans, sum(al.principal_fen) as principal, count(distinct lo.borrower_credit_code) as enterprises,
      count(distinct lo.project_id) as projects,
      sum(div(2 * p.annual_reduction_centitonnes::numeric * al.principal_fen + p.total_investment_fen, 2 * p.total_investment_fen)) as reduction
    from journal_entries e join application_loans al on al.application_id = (e.memo->>'applicationId')::uuid
    join loans lo on lo.id = al.loan_id join projects p on p.id = lo.project_id
    where e.kind = 'disbursement' and e.effective_on <= $1::date
  )
  select * from j, s`;

/** The same figures as ours on one date, written by hand: the journal per bank and tranche, the loans in every grouping (count distinct). */
const RAW_SAME = `
  with j as (
    select e.institution_id, l.facility_id, sum(l.debit_fen - l.credit_fen) as outstanding,
      sum(case when e.kind = 'disbursement' then l.debit_fen when e.kind = 'reversal' and r.kind = 'disbursement' then -l.credit_fen else 0 end) as provided
    from journal_lines l join journal_entries e on e.id = l.entry_id left join journal_entries r on r.id = e.reverses_id
    where e.effective_on <= $1::date and l.account like 'pbc:relending_receivable:%'
    group by 1, 2
  ), banks as (
    select j.institution_id, sum(j.provided) as provided, sum(j.outstanding) as outstanding, sum(j.outstanding * f.rate_ppm) as rate_weight,
      count(*) filter (where j.outstanding > 0) as tranches
    from j join facilities f on f.id = j.facility_id group by 1
  ), s as (
    select e.institution_id, i.category, p.province, p.sub_area, lo.borrower_credit_code as borrower,
      coalesce(lo.register_id, lo.project_id) as project, al.principal_fen,
      div(2 * p.annual_reduction_centitonnes::numeric * al.principal_fen + p.total_investment_fen, 2 * p.total_investment_fen) as reduction
    from journal_entries e join institutions i on i.id = e.institution_id
    join application_loans al on al.application_id = (e.memo->>'applicationId')::uuid and al.active = 1
    join loans lo on lo.id = al.loan_id join projects p on p.id = lo.project_id
    where e.kind = 'disbursement' and e.effective_on <= $1::date
      and not exists (select 1 from journal_entries r where r.reverses_id = e.id and r.effective_on <= $1::date)
  )
  select 'loans' as part, grouping(category, province, sub_area, institution_id) as g, category, province, sub_area, institution_id::text,
    count(*) as loans, sum(principal_fen) as principal, count(distinct borrower) as enterprises, count(distinct project) as projects,
    sum(reduction) as reduction, null as provided, null as outstanding
  from s group by grouping sets ((), (category), (province), (sub_area), (institution_id))
  union all
  select 'banks', 14, null, null, null, institution_id::text, tranches, rate_weight, null, null, null, provided, outstanding from banks`;

const bench: Benchmark = async ({ pg: server, log }) => {
  const url = await freshDatabase(server, 'statistics');
  const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolMax: 2 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seeded = await timed(() => seed(client));
  log(`${fmt(LOANS)} loans in ${fmt(TRANCHES)} tranches of ${BANKS} banks (seeded in ${fmt(seeded.seconds, 1)} s); figures on ${ON}`);
  const acting = { now: new Date(`${ON}T04:00:00Z`), actor: null };
  // as every edge reads them: the summaries brought up to date, then the figures read in their own transaction
  const ours = (series: boolean) => readFigures(database.db, acting, (ctx) => facilityStatistics(ctx, { on: ON, series }));
  const best = async <T>(fn: () => Promise<T>) => {
    const a = await timed(fn);
    const b = await timed(fn);
    return a.seconds < b.seconds ? a : b;
  };
  const raw = await best(() => client.query(RAW, [ON]));
  const rawSame = await best(() => client.query(RAW_SAME, [ON]));
  // the seed marked every application changed: the first read summarises them all, the later ones read the summaries
  const first = await timed(() => ours(false));
  const one = await best(() => ours(false));
  const series = await best(() => ours(true));
  const r = raw.value.rows[0];
  const t = one.value.figures.total;
  if (
    String(r.loans) !== String(t.loans) ||
    String(r.principal) !== String(t.principalFen) ||
    String(r.provided) !== String(t.providedFen)
  ) {
    throw new Error(`ours and the raw aggregate differ: ${JSON.stringify(r)} vs ${t.loans} ${t.principalFen} ${t.providedFen}`);
  }
  const same = rawSame.value.rows.find((x) => x.part === 'loans' && Number(x.g) === 15);
  if (String(same.enterprises) !== String(t.enterprises) || String(same.projects) !== String(t.projects)) {
    throw new Error(`ours and the raw SQL of the same figures differ: ${JSON.stringify(same)} vs ${t.enterprises} ${t.projects}`);
  }
  log(`raw SQL aggregate (totals only): ${fmt(raw.seconds * 1000)} ms`);
  log(`raw SQL of the same figures (every breakdown, count distinct): ${fmt(rawSame.seconds * 1000)} ms`);
  log(
    `ours, first read after the seed (summarising all ${fmt(TRANCHES)} applications, then reading): ${fmt(first.seconds * 1000)} ms — ${fmt(first.seconds / raw.seconds, 2)}× the raw totals`,
  );
  log(
    `ours, one date, steady (totals and every breakdown): ${fmt(one.seconds * 1000)} ms — ratio ${fmt(one.seconds / raw.seconds, 2)} to the raw totals (target ≤ 1.5), ${fmt(one.seconds / rawSame.seconds, 2)} to the raw SQL of the same figures`,
  );
  const ends = series.value.series?.length ?? 0;
  log(
    `ours, the date and its ${ends} quarter ends: ${fmt(series.seconds * 1000)} ms — ${fmt(series.seconds / one.seconds, 2)}× one date (target ≤ 5)`,
  );
  log(`figures: ${t.loans} loans, ${t.enterprises} enterprises, ${t.projects} projects, provided ${t.providedFen} fen`);
  await client.end();
  await database.close();
};

export default bench;
