/**
 * What the checks before submission read: a version's frozen loans (with the LPR each was compared
 * with and the area of its sub-area), the bank's earlier compiled quarters (the new loans of each, as
 * its latest version froze them, and the project facts it froze), and how many institutions of the
 * facility had loans by the quarter's end.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import type { CheckLoan, EarlierProjectFacts, QuarterTotals } from '../../domain/disclosures/checks.js';
import { subAreaAnyVersion } from '../../domain/policy/index.js';

type Rows<T> = { rows: T[] };
const big = (v: string | null) => (v === null ? null : BigInt(v));

export async function checkLoansOf(db: Tx, versionId: string): Promise<CheckLoan[]> {
  const result = (await db.execute(sql`
    select dl.loan_ref, dl.principal_fen::text as principal, dl.rate_ppm::text as rate, l.lpr_ppm::text as lpr,
      dl.disbursed_on::text as disbursed_on, dl.attributed_centitonnes::text as attributed, dl.project_ref,
      dl.project_reduction_centitonnes::text as project_reduction,
      dl.project_total_investment_fen::text as project_investment, dl.sub_area, dl.borrower_credit_code, dl.project_name
    from disclosure_loans dl join loans l on l.id = dl.loan_id
    where dl.version_id = ${versionId}::uuid
    order by dl.loan_ref`)) as unknown as Rows<{
    loan_ref: string;
    principal: string;
    rate: string;
    lpr: string;
    disbursed_on: string;
    attributed: string;
    project_ref: string;
    project_reduction: string | null;
    project_investment: string | null;
    sub_area: string;
    borrower_credit_code: string | null;
    project_name: string | null;
  }>;
  return result.rows.map((r) => ({
    loanRef: r.loan_ref,
    principalFen: BigInt(r.principal),
    ratePpm: BigInt(r.rate),
    lprPpm: BigInt(r.lpr),
    disbursedOn: r.disbursed_on,
    attributedCentitonnes: BigInt(r.attributed),
    projectRef: r.project_ref,
    projectReductionCentitonnes: big(r.project_reduction),
    projectTotalInvestmentFen: big(r.project_investment),
    subArea: r.sub_area,
    area: subAreaAnyVersion(r.sub_area)?.area ?? r.sub_area,
    borrowerCreditCode: r.borrower_credit_code,
    projectName: r.project_name,
  }));
}

/** The latest version of each of the bank's quarters before `quarter`. */
const earlierLatest = (institutionId: string, quarter: string) => sql`
  select distinct on (v.quarter) v.id, v.quarter
  from disclosure_versions v
  where v.institution_id = ${institutionId}::uuid and v.quarter < ${quarter}
  order by v.quarter, v.version desc`;

/** The bank's earlier compiled quarters, newest first: the loans each one's latest version counted that were disbursed in it. */
export async function quarterHistoryOf(db: Tx, institutionId: string, quarter: string, limit = 4): Promise<QuarterTotals[]> {
  const result = (await db.execute(sql`
    with latest as (${earlierLatest(institutionId, quarter)})
    select latest.quarter,
      coalesce(sum(dl.principal_fen) filter (where to_char(dl.disbursed_on, 'YYYY"Q"Q') = latest.quarter), 0)::text as principal,
      coalesce(sum(dl.attributed_centitonnes) filter (where to_char(dl.disbursed_on, 'YYYY"Q"Q') = latest.quarter), 0)::text as attributed
    from latest left join disclosure_loans dl on dl.version_id = latest.id
    group by latest.quarter
    order by latest.quarter desc
    limit ${limit}`)) as unknown as Rows<{ quarter: string; principal: string; attributed: string }>;
  return result.rows.map((r) => ({ quarter: r.quarter, principalFen: BigInt(r.principal), attributedCentitonnes: BigInt(r.attributed) }));
}

/** The project facts the bank's earlier quarters froze (one row per quarter, project and facts). */
export async function earlierProjectFactsOf(db: Tx, institutionId: string, quarter: string): Promise<EarlierProjectFacts[]> {
  const result = (await db.execute(sql`
    with latest as (${earlierLatest(institutionId, quarter)})
    select distinct latest.quarter, dl.project_ref, dl.borrower_credit_code, dl.project_name,
      dl.project_total_investment_fen::text as investment, dl.project_reduction_centitonnes::text as reduction
    from latest join disclosure_loans dl on dl.version_id = latest.id
    order by latest.quarter, dl.project_ref`)) as unknown as Rows<{
    quarter: string;
    project_ref: string;
    borrower_credit_code: string | null;
    project_name: string | null;
    investment: string | null;
    reduction: string | null;
  }>;
  return result.rows.map((r) => ({
    quarter: r.quarter,
    projectRef: r.project_ref,
    borrowerCreditCode: r.borrower_credit_code,
    projectName: r.project_name,
    totalInvestmentFen: big(r.investment),
    reductionCentitonnes: big(r.reduction),
  }));
}

/** How many institutions had loans disbursed on or before `on`. */
export async function institutionsWithLoansOn(db: Tx, on: string): Promise<number> {
  const result = (await db.execute(
    sql`select count(distinct institution_id)::int as n from loans where disbursed_on <= ${on}::date`,
  )) as unknown as Rows<{ n: number }>;
  return Number(result.rows[0]?.n ?? 0);
}

/** The latest version of every bank's disclosure of a quarter, with the bank's code and names, by code. */
export async function latestVersionsOfQuarter(
  db: Tx,
  quarter: string,
): Promise<
  { id: string; institutionId: string; quarter: string; version: number; status: string; code: string; nameZh: string; nameEn: string }[]
> {
  const result = (await db.execute(sql`
    select * from (
      select distinct on (v.institution_id) v.id, v.institution_id, v.quarter, v.version, v.status, i.code, i.name_zh, i.name_en
      from disclosure_versions v join institutions i on i.id = v.institution_id
      where v.quarter = ${quarter}
      order by v.institution_id, v.version desc
    ) latest order by code`)) as unknown as Rows<{
    id: string;
    institution_id: string;
    quarter: string;
    version: number;
    status: string;
    code: string;
    name_zh: string;
    name_en: string;
  }>;
  return result.rows.map((r) => ({
    id: r.id,
    institutionId: r.institution_id,
    quarter: r.quarter,
    version: Number(r.version),
    status: r.status,
    code: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
  }));
}
