/** What the checks before submission read: a version's frozen loans, with the LPR each was compared with. */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import type { CheckLoan } from '../../domain/disclosures/checks.js';

export async function checkLoansOf(db: Tx, versionId: string): Promise<CheckLoan[]> {
  const result = (await db.execute(sql`
    select dl.loan_ref, dl.principal_fen::text as principal, dl.rate_ppm::text as rate, l.lpr_ppm::text as lpr,
      dl.disbursed_on::text as disbursed_on, dl.attributed_centitonnes::text as attributed, dl.project_ref,
      dl.project_reduction_centitonnes::text as project_reduction
    from disclosure_loans dl join loans l on l.id = dl.loan_id
    where dl.version_id = ${versionId}::uuid
    order by dl.loan_ref`)) as unknown as {
    rows: {
      loan_ref: string;
      principal: string;
      rate: string;
      lpr: string;
      disbursed_on: string;
      attributed: string;
      project_ref: string;
      project_reduction: string | null;
    }[];
  };
  return result.rows.map((r) => ({
    loanRef: r.loan_ref,
    principalFen: BigInt(r.principal),
    ratePpm: BigInt(r.rate),
    lprPpm: BigInt(r.lpr),
    disbursedOn: r.disbursed_on,
    attributedCentitonnes: BigInt(r.attributed),
    projectRef: r.project_ref,
    projectReductionCentitonnes: r.project_reduction === null ? null : BigInt(r.project_reduction),
  }));
}
