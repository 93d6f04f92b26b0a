/**
 * A synthetic book of covered loans generated inside PostgreSQL (fast, deterministic), for the benches
 * that time the quarter's compile and its corrections: projects spread over the banks already recorded,
 * loans spread over `spreadDays` from `disbursedFrom`, one operation and an approved application per
 * bank, and every loan listed on it with the support the policy in force on the application's date asks
 * for (its share of the principal) — or all but every tenth loan of each bank when `someUncovered`. And
 * the back-dated loans a late history import brings (`backDatedLoans`).
 */
import type pg from 'pg';
import { policyOn } from '../domain/policy/index.js';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import type { LoanText } from '../domain/loans/facts.js';

export type SyntheticBook = {
  projects: number;
  loans: number;
  disbursedFrom: string;
  spreadDays: number;
  operation: { quarter: string; opensOn: string; closesOn: string; appliedOn: string };
  someUncovered?: boolean;
  /** the user recorded as the loans' and the operation's author */
  userId: string;
};

export async function seedCoveredBook(client: pg.Client, book: SyntheticBook): Promise<void> {
  const policy = policyOn(book.operation.appliedOn);
  if (!policy) throw new Error(`no policy in force on ${book.operation.appliedOn}`);
  await client.query(
    `create temp table bank_n as select id, (row_number() over (order by code) - 1)::int as n from institutions where kind = 'bank'`,
  );
  const {
    rows: [{ banks }],
  } = await client.query(`select count(*)::int as banks from bank_n`);
  await client.query(`insert into projects (institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes, reduction_basis, evidence_title, evidence_sha256)
    select b.id, 'P' || i, '项目' || i, '内蒙古自治区', (array['CE.WIND','CE.SOLAR','CE.STORAGE','EE.INDUSTRIAL','CT.CCUS'])[1 + i % 5],
      10000000000000 + (i % 997)::bigint * 1000000007, 1000000 + (i % 1013)::bigint * 12345, 'feasibility_study', '可研', md5(i::text) || md5(i::text)
    from generate_series(0, ${book.projects - 1}) i join bank_n b on b.n = i % ${banks}`);
  await client.query(`create temp table project_n as select id, institution_id, substring(ref from 2)::int as n from projects`);
  await client.query(
    `insert into loans (institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen, rate_ppm,
      disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility, content_sha256, changed_by)
    select p.institution_id, 'L' || j, p.id, '借款人' || j, '91110108MA0000000X', 1000000000 + (j::bigint * 7919) % 1000000000, 1000000000 + (j::bigint * 7919) % 1000000000,
      30000 + j % 15000, date '${book.disbursedFrom}' + (j % ${book.spreadDays}), date '2032-01-01', '2021-11', '2021-11-launch', '5y_plus', '2022-05', 44500, true, 'eligible', md5(j::text), $1
    from generate_series(0, ${book.loans - 1}) j join project_n p on p.n = j % ${book.projects}`,
    [book.userId],
  );
  const { quarter, opensOn, closesOn, appliedOn } = book.operation;
  const {
    rows: [op],
  } = await client.query(
    `insert into operations (quarter, opens_on, closes_on, volume_fen, created_by) values ($1, $2, $3, 1000000000000000, $4) returning id`,
    [quarter, opensOn, closesOn, book.userId],
  );
  await client.query(
    `insert into applications (institution_id, operation_id, applied_on, status, policy_version, requested_fen, approved_fen)
    select id, $1, $2, 'approved', $3, 1, 1 from bank_n`,
    [op.id, appliedOn, policy.id],
  );
  await client.query(
    `insert into application_loans (application_id, loan_id, principal_fen, requested_support_fen, active,
      loan_principal_fen, loan_matures_on, loan_eligibility, loan_disbursed_on)
    select a.id, l.id, l.principal_fen, l.principal_fen * $1::bigint / 1000000, 1, l.principal_fen, l.matures_on, l.eligibility, l.disbursed_on
    from loans l join applications a on a.institution_id = l.institution_id
    ${book.someUncovered ? `where (substring(l.loan_ref from 2)::int / ${banks}) % 10 <> 0` : ''}`,
    [policy.supportSharePpm.toString()],
  );
}

/**
 * `count` back-dated loans of the facility's first year, as a history import carries them: from 2021-10-01,
 * one a day over `spreadDays`, to 100 wind-farm projects (their references and loans prefixed `refPrefix`),
 * each borrower's credit code numbered from `firstBorrower`, the projects' evidence hashes made of `hashFill`.
 */
export function backDatedLoans(options: {
  refPrefix: string;
  count: number;
  spreadDays: number;
  firstBorrower: number;
  hashFill: string;
}): LoanText[] {
  const { refPrefix, count, spreadDays, firstBorrower, hashFill } = options;
  return Array.from({ length: count }, (_, i) => {
    const disbursedOn = new Date(Date.UTC(2021, 9, 1) + (i % spreadDays) * 86_400_000).toISOString().slice(0, 10);
    return {
      loanRef: `${refPrefix}${i}`,
      borrower: { name: `补录借款人${i}`, creditCode: syntheticCreditCode('91110108', firstBorrower + i) },
      project: {
        ref: `${refPrefix}P${i % 100}`,
        name: `补录项目${i % 100}`,
        province: '内蒙古自治区',
        subArea: 'CE.WIND',
        totalInvestment: '100000000000.00',
        annualReductionTonnes: '50000.00',
        reductionBasis: 'feasibility_study',
        evidence: { title: '可行性研究报告', sha256: (i % 100).toString(16).padStart(64, hashFill) },
      },
      principal: `${1_000_000 + i * 37}.00`,
      annualRatePercent: '3.80',
      disbursedOn,
      maturesOn: `${Number(disbursedOn.slice(0, 4)) + 3}${disbursedOn.slice(4)}`,
    };
  });
}
