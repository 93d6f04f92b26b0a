/**
 * Projects financed by several banks (domain/disclosures/shared-projects.ts), read in one query per view:
 * - `sharedInNationalTotals`: what the national totals count once, over the loans each current published
 *   version froze (`disclosure_loans`) — the latest quarter's versions (their loans disbursed in that
 *   quarter) and each institution's newest version (since first support). Imported statements and
 *   versions compiled before frozen loan sets existed carry no loans, so they are never matched. Each loan's
 *   credit code, project name, province and project reduction are read as the version froze them, so the
 *   totals of published versions move only with a publication.
 * - `sharedProjectLoans`: for operators, every loan of a shared project among the loans the disclosures
 *   count (covered by approved support), disbursed on or before a date, with its bank and project.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { foldedName, sharedProjectGroups } from '../sql/shared-projects.js';
import { coveredByApprovedSupport } from '../sql/covered-by-approved-support.js';
import { NOTHING_SHARED, type CountedOnce, type SharedProjectLoan } from '../../domain/disclosures/shared-projects.js';

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export type SharedInTotals = { latest: CountedOnce; sinceInception: CountedOnce };

/**
 * The last answer of `sharedInNationalTotals` with the published versions it was computed from, kept by
 * the caller (one per service) so that the home page reads every frozen loan once per publication only.
 */
export type SharedTotalsMemo = { key: string | null; value: Promise<SharedInTotals> | null };

/** The columns `sharedProjectGroups` reads, from the frozen loans `dl` of versions `v` (what names the project was frozen with them). */
const FROZEN_COLUMNS = sql.raw(`v.institution_id, dl.borrower_credit_code as credit_code, dl.project_name, dl.province,
  v.institution_id::text || E'\\t' || dl.project_ref as project_id, dl.principal_fen, dl.attributed_centitonnes,
  dl.project_reduction_centitonnes`);
const FROZEN_JOINS = sql.raw(`join disclosure_loans dl on dl.version_id = v.id and dl.borrower_credit_code is not null`);

/**
 * What the national totals count once: for the latest quarter (the current published versions of
 * `latest.quarter`, their loans disbursed from `latest.start`) and since first support (each
 * institution's newest current published version, every loan it froze).
 */
export async function sharedInNationalTotals(
  db: Db,
  latest: { quarter: string; start: string } | null,
  memo?: SharedTotalsMemo,
): Promise<SharedInTotals> {
  if (!latest) return { latest: NOTHING_SHARED, sinceInception: NOTHING_SHARED };
  if (!memo) return computeShared(db, latest);
  // published versions and their frozen loans never change: the same published versions give the same answer
  const [row] = rowsOf<{ fingerprint: string }>(
    await db.execute(sql`select md5(${latest.quarter} || ':' || coalesce(string_agg(id::text, ',' order by id), '')) as fingerprint
      from disclosure_versions where status = 'published'`),
  );
  if (memo.key !== row.fingerprint || !memo.value) {
    // kept as a promise, so requests arriving while it is computed wait for the same answer
    const value = computeShared(db, latest);
    Object.assign(memo, { key: row.fingerprint, value });
    value.catch(() => {
      if (memo.value === value) Object.assign(memo, { key: null, value: null });
    });
  }
  return memo.value!;
}

async function computeShared(db: Db, latest: { quarter: string; start: string }): Promise<SharedInTotals> {
  const source = sql`
    with current_versions as (
      select distinct on (institution_id, quarter) id, institution_id, quarter
      from disclosure_versions where status = 'published'
      order by institution_id, quarter, version desc
    ), newest as (
      select distinct on (institution_id) id, institution_id from current_versions order by institution_id, quarter desc
    )
    select 'latest' as scope, ${FROZEN_COLUMNS} from current_versions v ${FROZEN_JOINS}
      where v.quarter = ${latest.quarter} and dl.disbursed_on >= ${latest.start}::date
    union all
    select 'since' as scope, ${FROZEN_COLUMNS} from newest v ${FROZEN_JOINS}`;
  const rows = rowsOf<{ scope: string; shared: string; projects: string; not_counted: string }>(
    await db.execute(sql`select g.scope, count(*)::text as shared, sum(g.projects::int - 1)::text as projects,
      sum(g.not_counted::bigint)::text as not_counted
      from (${sharedProjectGroups(source)}) g group by g.scope`),
  );
  const of = (scope: string): CountedOnce => {
    const r = rows.find((x) => x.scope === scope);
    if (!r) return NOTHING_SHARED;
    return {
      sharedProjects: Number(r.shared),
      projectsNotCounted: Number(r.projects),
      reductionNotCountedCentitonnes: BigInt(r.not_counted),
    };
  };
  return { latest: of('latest'), sinceInception: of('since') };
}

export type SharedProjectLoanRow = SharedProjectLoan & {
  loanId: string;
  loanRef: string;
  nameZh: string;
  nameEn: string;
  projectRef: string;
  disbursedOn: string;
};

/**
 * Every loan of a shared project among the loans covered by approved support and disbursed on or
 * before `through` (all when null), ordered by credit code, folded name and province, bank and loan
 * reference (one query). The attributed reduction is the project's reduction × principal ÷ its total
 * investment rounded half up to the centitonne, as the frozen loan sets store it.
 */
export async function sharedProjectLoans(db: Db, filter: { through: string | null }): Promise<SharedProjectLoanRow[]> {
  const through = filter.through ? sql`l.disbursed_on <= ${filter.through}::date` : sql`true`;
  const rows = rowsOf<Record<string, string>>(
    await db.execute(sql`
    with counted as (
      select l.id as loan_id, l.loan_ref, l.institution_id, i.code, i.name_zh, i.name_en, l.borrower_credit_code as credit_code,
        p.id as project_id, p.ref as project_ref, p.name as project_name, p.province, l.principal_fen, l.disbursed_on,
        div(2 * p.annual_reduction_centitonnes::numeric * l.principal_fen + p.total_investment_fen, 2 * p.total_investment_fen)::bigint
          as attributed_centitonnes,
        p.annual_reduction_centitonnes as project_reduction_centitonnes
      from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id ${coveredByApprovedSupport}
      where ${through}
    ), several as (
      -- only the borrowers two or more banks lend to can have a shared project: fold only their loans' names
      select credit_code from (select distinct credit_code, institution_id from counted) d group by credit_code having count(*) > 1
    ), keyed as (
      select c.*, ${foldedName(sql`c.project_name`)} as name_key, ${foldedName(sql`c.province`)} as province_key
      from counted c join several using (credit_code)
    ), shared as (
      select credit_code, name_key, province_key from keyed
      group by credit_code, name_key, province_key having count(distinct institution_id) > 1
    )
    select c.loan_id, c.loan_ref, c.code, c.name_zh, c.name_en, c.credit_code, c.project_id, c.project_ref, c.project_name, c.province,
      c.principal_fen::text, c.disbursed_on::text, c.attributed_centitonnes::text, c.project_reduction_centitonnes::text
    from keyed c join shared s using (credit_code, name_key, province_key)
    order by c.credit_code, c.name_key, c.province_key, c.code, c.loan_ref`),
  );
  return rows.map((r) => ({
    loanId: r.loan_id,
    loanRef: r.loan_ref,
    institutionCode: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    creditCode: r.credit_code,
    projectId: r.project_id,
    projectRef: r.project_ref,
    projectName: r.project_name,
    province: r.province,
    principalFen: BigInt(r.principal_fen),
    disbursedOn: r.disbursed_on,
    attributedCentitonnes: BigInt(r.attributed_centitonnes),
    projectReductionCentitonnes: BigInt(r.project_reduction_centitonnes),
  }));
}
