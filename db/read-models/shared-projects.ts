/**
 * Projects financed by several banks (domain/disclosures/shared-projects.ts), for operators:
 * `sharedProjectLoans`, every loan of a shared project among the loans the disclosures count (covered by
 * approved support), disbursed on or before a date, with its bank and project, in one query. (The national
 * totals count them once from the frozen loans: read-models/published.ts, db/sql/national-totals.ts.)
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { foldedName } from '../sql/shared-projects.js';
import { coveredByApprovedSupport } from '../sql/covered-by-approved-support.js';
import type { SharedProjectLoan } from '../../domain/disclosures/shared-projects.js';

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export type SharedProjectLoanRow = SharedProjectLoan & {
  loanId: string;
  loanRef: string;
  nameZh: string;
  nameEn: string;
  projectRef: string;
  disbursedOn: string;
};

/**
 * Every loan of a shared project (grouped by register entry: test/api/sql-mirrors-shared-projects.test.ts
 * pins the same grouping) among the loans covered by approved support and disbursed on or
 * before `through` (all when null), ordered by credit code, project, bank and loan
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
        p.annual_reduction_centitonnes as project_reduction_centitonnes, l.register_id
      from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id ${coveredByApprovedSupport}
      where ${through}
    ), several as (
      -- only the borrowers two or more banks lend to can share a project by spelling: fold only their loans' names
      select credit_code from (select distinct credit_code, institution_id from counted where register_id is null) d
      group by credit_code having count(*) > 1
    ), keyed as (
      -- one project: the register entry (two spellings an operator linked are one), else the folded spelling
      select c.*, 'r' || E'\\t' || c.register_id::text as grp from counted c where c.register_id is not null
      union all
      select c.*, 'k' || E'\\t' || c.credit_code || E'\\t' || ${foldedName(sql`c.project_name`)} || E'\\t' || ${foldedName(sql`c.province`)}
      from counted c join several using (credit_code) where c.register_id is null
    ), shared as (
      select grp from keyed group by grp having count(distinct institution_id) > 1
    )
    select c.loan_id, c.loan_ref, c.code, c.name_zh, c.name_en, c.credit_code, c.project_id, c.project_ref, c.project_name, c.province,
      c.principal_fen::text, c.disbursed_on::text, c.attributed_centitonnes::text, c.project_reduction_centitonnes::text,
      c.register_id::text as register_id
    from keyed c join shared s using (grp)
    order by c.credit_code, s.grp, c.code, c.loan_ref`),
  );
  return rows.map((r) => ({
    loanId: r.loan_id,
    loanRef: r.loan_ref,
    institutionCode: r.code,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    creditCode: r.credit_code,
    registerId: r.register_id,
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
