/**
 * Frozen loan sets: the loans a disclosure version counted (its since-inception horizon: disbursed on
 * or before the quarter's end and covered by approved support), stored once per distinct set as one row
 * of `disclosure_loan_sets` (the loans in loan-id order in one array, db/sql/frozen-loan-sets.ts) that
 * versions name by its key, written together with the SHA-256 over the list, then read (through the view
 * `disclosure_loans`, one row per loan) in pages, as the verifier's sample candidates, as the sample's
 * coverage, and compared between two versions (added, removed, changed).
 *
 * The list's hash: SHA-256 (hex) of the UTF-8 lines, ordered by loan id, joined by "\n", each line
 * the tab-separated fields loan id, loan reference, principal (fen), rate (ppm), attributed annual
 * reduction (centitonnes, half up), project reference (as a JSON string), sub-area.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { disclosureLoans } from '../schema/index.js';
import { coveredByApprovedSupport as COVERED } from '../sql/covered-by-approved-support.js';
import { FROZEN_LOAN, storedSets, unnestFrozen } from '../sql/frozen-loan-sets.js';
import { DECIDED_JOIN, DECIDED_PROJECTS } from '../sql/project-figures.js';
import { EMPTY_LOAN_SET, type FrozenLoanSet } from './disclosures.js';

export type DisclosureLoanRow = typeof disclosureLoans.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

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
 * Freezes the bank's counted loans now as one set (one statement; stored unless it is already) and, given
 * `versionId`, makes it that version's set; answers its key, length and hash (`EMPTY_LOAN_SET` without
 * loans). The compilation and the corrections take the set from the same read as the sums instead
 * (disclosures.ts `quarterSumsAndSets`).
 */
export async function freezeLoanSet(tx: Tx, input: { versionId?: string; institutionId: string; through: string }): Promise<FrozenLoanSet> {
  const [row] = rowsOf<{ key: string; loans: number; sha256: string }>(
    await tx.execute(sql`
    with ${DECIDED_PROJECTS}, lists as (
      select l.institution_id, array_agg(${FROZEN_LOAN} order by l.id) as list
      from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
      -- the bank's own applications only (the same rows: an application's loans are its bank's), so the plan
      -- reads this bank's application loans by index instead of every bank's
      where l.institution_id = ${input.institutionId} and a.institution_id = ${input.institutionId} and l.disbursed_on <= ${input.through}::date
      group by l.institution_id
    ), ${storedSets()}
    select key, loans::int as loans, sha256 from frozen_sets`),
  );
  const set = row ? { key: row.key, loans: Number(row.loans), sha256: row.sha256 } : EMPTY_LOAN_SET;
  if (input.versionId && set.key) await attachLoanSet(tx, input.versionId, set.key);
  return set;
}

/** Makes `key` the version's frozen set. */
export async function attachLoanSet(tx: Tx, versionId: string, key: string): Promise<void> {
  await tx.execute(sql`update disclosure_versions set loan_set_key = ${key} where id = ${versionId}::uuid`);
}

/** The ids of the set's loans, in loan-id order (none for no set). */
export async function loanIdsOfSet(tx: Tx, key: string | null): Promise<string[]> {
  if (!key) return [];
  const rows = rowsOf<{ id: string }>(
    await tx.execute(sql`select u.loan_id::text as id from disclosure_loan_sets s, ${unnestFrozen(sql`s.list`, 'u')}
      where s.key = ${key} order by u.ordinal`),
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

/**
 * The loans that differ between two versions' sets (full outer join, one query), in loan-reference order.
 * Two sets on the same whole set (a correction's delta and its base, or two deltas of one base) can differ
 * only among the loans their deltas touch (`frozen_loans_changed_in_base`): only those are compared.
 */
export async function loanSetDifference(db: Tx, fromVersionId: string, toVersionId: string): Promise<LoanChange[]> {
  const sets = rowsOf<{ id: string; key: string | null; root: string | null }>(
    await db.execute(sql`select v.id::text as id, s.key, coalesce(s.base_key, s.key) as root
      from disclosure_versions v left join disclosure_loan_sets s on s.key = v.loan_set_key where v.id in (${fromVersionId}::uuid, ${toVersionId}::uuid)`),
  );
  const from = sets.find((r) => r.id === fromVersionId);
  const to = sets.find((r) => r.id === toVersionId);
  const sameBase = from?.root != null && from.root === to?.root;
  // on one base: the base's loans among those touched, read once for both sides; each side is its own
  // delta's loans and the base's loans it does not drop
  const side = (versionId: string, key: string | null | undefined) =>
    sameBase && key
      ? sql`(select (u.x).* from (select unnest(s.list) as x from disclosure_loan_sets s where s.key = ${key} and s.base_key is not null) u
          union all
          select b.* from touched_in_base b where b.loan_id not in (
            select unnest(s.dropped) from disclosure_loan_sets s where s.key = ${key} and s.base_key is not null))`
      : sql`(select * from disclosure_loans where version_id = ${versionId})`;
  const touched = sameBase
    ? sql`with touched as materialized (select frozen_loans_changed_in_base(${from!.key}) as id union select frozen_loans_changed_in_base(${to!.key})),
      touched_in_base as materialized (
        select (u.x).* from (select unnest(r.list) as x from disclosure_loan_sets r where r.key = ${from!.root}) u
        where (u.x).loan_id in (select id from touched))`
    : sql``;
  const rows = rowsOf<Record<string, string | null>>(
    await db.execute(sql`${touched}
    select coalesce(b.loan_id, a.loan_id)::text as loan_id, coalesce(b.loan_ref, a.loan_ref) as loan_ref,
      case when a.loan_id is null then 'added' when b.loan_id is null then 'removed' else 'changed' end as change,
      a.principal_fen::text as a_principal, b.principal_fen::text as b_principal, a.rate_ppm::text as a_rate, b.rate_ppm::text as b_rate,
      a.attributed_centitonnes::text as a_reduction, b.attributed_centitonnes::text as b_reduction,
      a.project_ref as a_project, b.project_ref as b_project, a.sub_area as a_sub_area, b.sub_area as b_sub_area,
      a.loan_ref as a_ref, b.loan_ref as b_ref
    from ${side(fromVersionId, from?.key)} a
    full outer join ${side(toVersionId, to?.key)} b on a.loan_id = b.loan_id
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
