/**
 * Frozen loan sets: the loans a disclosure version counted (its since-inception horizon: disbursed on
 * or before the quarter's end and covered by approved support), written by ONE INSERT … SELECT per
 * version together with the SHA-256 over the list, then read in pages, as the verifier's sample
 * candidates, as the sample's coverage, and compared between two versions (added, removed, changed).
 *
 * The list's hash: SHA-256 (hex) of the UTF-8 lines, ordered by loan id, joined by "\n", each line
 * the tab-separated fields loan id, loan reference, principal (fen), rate (ppm), attributed annual
 * reduction (centitonnes, half up), project reference (as a JSON string), sub-area.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureLoans } from '../schema/index.js';
import { attributedCentitonnesHalfUpSql } from '../sql/attributed-reduction.js';
import { coveredByApprovedSupport as COVERED } from '../sql/covered-by-approved-support.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from '../sql/project-figures.js';

export type DisclosureLoanRow = typeof disclosureLoans.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

/** The line of one loan in the list's hash (SQL; the same fields in the same order as `hashLine`). */
const LINE = sql.raw(`concat_ws(E'\\t', loan_id::text, loan_ref, principal_fen::text, rate_ppm::text,
  attributed_centitonnes::text, to_json(project_ref)::text, sub_area)`);

/** The same line in TypeScript, for anyone checking a downloaded list against its hash. */
export const hashLine = (r: {
  loanId: string;
  loanRef: string;
  principalFen: bigint;
  ratePpm: bigint;
  attributedCentitonnes: bigint;
  projectRef: string;
  subArea: string;
}) => [r.loanId, r.loanRef, r.principalFen, r.ratePpm, r.attributedCentitonnes, JSON.stringify(r.projectRef), r.subArea].join('\t');

/**
 * Freezes the version's loan set (one statement) and answers its length and hash. The attributed
 * reduction is project reduction × principal ÷ total investment rounded half up to the centitonne
 * (db/sql/attributed-reduction.ts, the mirror of domain/loans/rules.ts attributedReduction rounded half up),
 * with the figures an operator decided for the project in the register when there are (db/sql/project-figures.ts).
 */
export async function freezeLoanSet(
  tx: Tx,
  input: { versionId: string; institutionId: string; through: string },
): Promise<{ loans: number; sha256: string }> {
  const [row] = rowsOf<{ n: number; sha256: string }>(
    await tx.execute(sql`
    with ${DECIDED_PROJECTS}, frozen as (
      insert into disclosure_loans (version_id, loan_id, loan_ref, principal_fen, rate_ppm, disbursed_on, attributed_centitonnes, project_ref, sub_area,
        borrower_credit_code, project_name, province, project_reduction_centitonnes, project_total_investment_fen)
      select ${input.versionId}::uuid, l.id, l.loan_ref, l.principal_fen, l.rate_ppm, l.disbursed_on,
        ${attributedCentitonnesHalfUpSql({ principalFen: sql`l.principal_fen`, annualReductionCentitonnes: ATTRIBUTED_REDUCTION, totalInvestmentFen: ATTRIBUTED_INVESTMENT })},
        pr.ref, pr.sub_area, l.borrower_credit_code, pr.name, pr.province, ${ATTRIBUTED_REDUCTION}, ${ATTRIBUTED_INVESTMENT}
      from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
      -- the bank's own applications only (the same rows: an application's loans are its bank's), so the plan
      -- reads this bank's application loans by index instead of every bank's; inserted in key order
      where l.institution_id = ${input.institutionId} and a.institution_id = ${input.institutionId} and l.disbursed_on <= ${input.through}::date
      order by l.id
      returning loan_id, loan_ref, principal_fen, rate_ppm, attributed_centitonnes, project_ref, sub_area
    )
    select count(*)::int as n,
      encode(sha256(convert_to(coalesce(string_agg(${LINE}, E'\\n' order by loan_id), ''), 'UTF8')), 'hex') as sha256
    from frozen`),
  );
  return { loans: Number(row.n), sha256: row.sha256 };
}

/**
 * The length and hash the version's loan set would have if it were frozen now (the same rows and lines
 * as `freezeLoanSet`, nothing written): a correction compares it with the latest version's.
 */
export async function loanSetHashNow(
  tx: Tx,
  input: { institutionId: string; through: string },
): Promise<{ loans: number; sha256: string }> {
  const [row] = rowsOf<{ n: number; sha256: string }>(
    await tx.execute(sql`
    with ${DECIDED_PROJECTS}, now_set as (
      select l.id as loan_id, l.loan_ref, l.principal_fen, l.rate_ppm,
        div(2 * ${ATTRIBUTED_REDUCTION}::numeric * l.principal_fen + ${ATTRIBUTED_INVESTMENT}, 2 * ${ATTRIBUTED_INVESTMENT})::bigint
          as attributed_centitonnes,
        pr.ref as project_ref, pr.sub_area
      from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
      where l.institution_id = ${input.institutionId} and a.institution_id = ${input.institutionId} and l.disbursed_on <= ${input.through}::date
    )
    select count(*)::int as n,
      encode(sha256(convert_to(coalesce(string_agg(${LINE}, E'\\n' order by loan_id), ''), 'UTF8')), 'hex') as sha256
    from now_set`),
  );
  return { loans: Number(row.n), sha256: row.sha256 };
}

/** The loans the set would count now that the version's frozen set does not (all of them without a version), by id. */
export async function loansAddedSince(
  tx: Tx,
  input: { institutionId: string; through: string; versionId: string | null },
): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(
    await tx.execute(sql`
    select l.id::text as id from loans l ${COVERED}
    where l.institution_id = ${input.institutionId} and a.institution_id = ${input.institutionId} and l.disbursed_on <= ${input.through}::date
      and not exists (select 1 from disclosure_loans dl where dl.version_id = ${input.versionId}::uuid and dl.loan_id = l.id)
    order by l.id`),
  );
  return rows.map((r) => r.id);
}

/** A page of the version's loans in loan-id order, after `afterLoanId`; reads `limit + 1`. */
export async function loanSetPage(
  db: Tx,
  versionId: string,
  page: { limit: number; afterLoanId: string | null },
): Promise<DisclosureLoanRow[]> {
  return db
    .select()
    .from(disclosureLoans)
    .where(and(eq(disclosureLoans.versionId, versionId), page.afterLoanId ? gt(disclosureLoans.loanId, page.afterLoanId) : undefined))
    .orderBy(asc(disclosureLoans.loanId))
    .limit(page.limit + 1);
}

/** The projects of the version's loan set among `refs`, with their names. */
export async function countedProjects(db: Tx, versionId: string, refs: readonly string[]): Promise<{ ref: string; name: string }[]> {
  if (!refs.length) return [];
  return rowsOf<{ ref: string; name: string }>(
    await db.execute(sql`
    select distinct p.ref, p.name from disclosure_loans dl
    join disclosure_versions v on v.id = dl.version_id
    join projects p on p.institution_id = v.institution_id and p.ref = dl.project_ref
    where dl.version_id = ${versionId} and dl.project_ref in (${sql.join(
      refs.map((r) => sql`${r}`),
      sql`, `,
    )})`),
  );
}

/** The sample's candidates: every loan of the set, with its principal (for the materiality threshold). */
export async function loanSetCandidates(db: Tx, versionId: string): Promise<{ id: string; principalFen: bigint }[]> {
  const rows = rowsOf<{ id: string; principal_fen: string }>(
    await db.execute(
      sql`select loan_id as id, principal_fen::text as principal_fen from disclosure_loans where version_id = ${versionId} order by loan_id`,
    ),
  );
  return rows.map((r) => ({ id: r.id, principalFen: BigInt(r.principal_fen) }));
}

/** Loans, Σ principal and Σ attributed reduction of the whole set and of the sampled loans (one query). */
export async function sampleCoverageSums(db: Tx, versionId: string, sampledLoanIds: readonly string[]) {
  const ids = sampledLoanIds.length
    ? sql.join(
        sampledLoanIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )
    : sql`null::uuid`;
  const [row] = rowsOf<Record<string, string>>(
    await db.execute(sql`
    select count(*)::text as loans, coalesce(sum(principal_fen), 0)::text as principal, coalesce(sum(attributed_centitonnes), 0)::text as reduction,
      count(*) filter (where loan_id in (${ids}))::text as s_loans,
      coalesce(sum(principal_fen) filter (where loan_id in (${ids})), 0)::text as s_principal,
      coalesce(sum(attributed_centitonnes) filter (where loan_id in (${ids})), 0)::text as s_reduction
    from disclosure_loans where version_id = ${versionId}`),
  );
  const big = (k: string) => BigInt(row[k]);
  return {
    total: { loans: big('loans'), principalFen: big('principal'), centitonnes: big('reduction') },
    sampled: { loans: big('s_loans'), principalFen: big('s_principal'), centitonnes: big('s_reduction') },
  };
}

export type LoanChange = {
  loanId: string;
  loanRef: string;
  change: 'added' | 'removed' | 'changed';
  /** the fields that differ, each { from, to } (changed loans only) */
  fields?: Record<string, { from: string; to: string }>;
};

/** The loans that differ between two versions' sets (full outer join, one query), in loan-reference order. */
export async function loanSetDifference(db: Tx, fromVersionId: string, toVersionId: string): Promise<LoanChange[]> {
  const rows = rowsOf<Record<string, string | null>>(
    await db.execute(sql`
    select coalesce(b.loan_id, a.loan_id)::text as loan_id, coalesce(b.loan_ref, a.loan_ref) as loan_ref,
      case when a.loan_id is null then 'added' when b.loan_id is null then 'removed' else 'changed' end as change,
      a.principal_fen::text as a_principal, b.principal_fen::text as b_principal, a.rate_ppm::text as a_rate, b.rate_ppm::text as b_rate,
      a.attributed_centitonnes::text as a_reduction, b.attributed_centitonnes::text as b_reduction,
      a.project_ref as a_project, b.project_ref as b_project, a.sub_area as a_sub_area, b.sub_area as b_sub_area,
      a.loan_ref as a_ref, b.loan_ref as b_ref
    from (select * from disclosure_loans where version_id = ${fromVersionId}) a
    full outer join (select * from disclosure_loans where version_id = ${toVersionId}) b on a.loan_id = b.loan_id
    where a.loan_id is null or b.loan_id is null
      or (a.principal_fen, a.rate_ppm, a.attributed_centitonnes, a.project_ref, a.sub_area, a.loan_ref)
         is distinct from (b.principal_fen, b.rate_ppm, b.attributed_centitonnes, b.project_ref, b.sub_area, b.loan_ref)
    order by 2, 1`),
  );
  const FIELDS = [
    ['principalFen', 'principal'],
    ['ratePpm', 'rate'],
    ['attributedCentitonnes', 'reduction'],
    ['projectRef', 'project'],
    ['subArea', 'sub_area'],
    ['loanRef', 'ref'],
  ] as const;
  return rows.map((r) => {
    const change = r.change as LoanChange['change'];
    const out: LoanChange = { loanId: r.loan_id!, loanRef: r.loan_ref!, change };
    if (change === 'changed') {
      out.fields = {};
      for (const [name, col] of FIELDS)
        if (r[`a_${col}`] !== r[`b_${col}`]) out.fields[name] = { from: String(r[`a_${col}`]), to: String(r[`b_${col}`]) };
    }
    return out;
  });
}
