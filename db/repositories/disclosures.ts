/**
 * Disclosure versions: which banks have support, the exact sums of their counted loans (set-based
 * SQL), finding, inserting and locking versions, and the guarded status update. A loan is counted in
 * a horizon when it was disbursed in it and is covered by approved support (db/sql/). Compiling a
 * version is a use case: app/disclosures/compile-version.ts.
 */
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { quarterPeriod, type Horizon, type ProjectFraction } from '../../domain/disclosures/compile.js';
import type { HorizonSums } from '../../domain/disclosures/figures.js';
import { quarterSumsOfQuarters, type BankSums, type TermFigures, type TermQuarterTotals } from '../../domain/disclosures/quarter-sums.js';
import type { DisclosureStatus } from '../../domain/disclosures/workflow.js';
import type { Tx } from '../client.js';
import { disclosureVersions } from '../schema/index.js';
import { coveredByApprovedSupport as COVERED, supportingStatuses as SUPPORTING } from '../sql/covered-by-approved-support.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from '../sql/project-figures.js';
import { bankQuartersSql, type QuarterAndBase } from '../sql/bank-quarters.js';
import { quarterSumsSql, type BankScope } from '../sql/quarter-sums.js';

export type DisclosureVersionRow = typeof disclosureVersions.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

/**
 * Whether bank `bank` (an SQL expression of its id) has a covered loan disbursed on or before `through`
 * (covered-by-approved-support.ts: a live row on an approved or disbursed application): the bank's
 * supporting applications, each probed once for a live row whose loan was disbursed by then
 * (`application_loans_live_disbursed`, on the loan's date copied to the row: migration 0039). Walking
 * the bank's loans in disbursement order until a covered one read every loan of a bank whose support
 * starts later (0.38 s a call at 100,000 loans, twice per quarter compiled).
 */
const hasCoveredLoan = (bank: SQL, through: string) =>
  sql`exists (select 1 from applications a where a.institution_id = ${bank} and a.status in (${SUPPORTING})
    and exists (select 1 from application_loans al where al.application_id = a.id and al.active = 1 and al.loan_disbursed_on <= ${through}))`;

/** Banks with at least one covered loan disbursed on or before `through`. */
export async function banksWithSupport(db: Tx, through: string): Promise<{ id: string; code: string }[]> {
  return rowsOf<{ id: string; code: string }>(
    await db.execute(
      sql`select i.id, i.code from institutions i where i.kind = 'bank' and ${hasCoveredLoan(sql`i.id`, through)} order by i.code`,
    ),
  );
}

/**
 * The banks with support by `through`, each with an estimate of its loans disbursed by then: the loans
 * of a sample of the loans' pages holding about 20,000 loans, scaled to the table (all of them in a smaller table; a few
 * milliseconds at 1,000,000 loans). What the quarter's fan-out balances its parts by; never a figure.
 */
export async function banksWithSupportSized(db: Tx, through: string): Promise<{ id: string; code: string; estimatedLoans: number }[]> {
  const [table] = rowsOf<{ percent: number }>(
    await db.execute(
      sql`select least(100, 2000000 / greatest(reltuples, 1))::float8 as percent from pg_class where oid = 'loans'::regclass`,
    ),
  );
  const percent = Number(table?.percent ?? 100);
  return rowsOf<{ id: string; code: string; sampled_loans: string | number }>(
    await db.execute(
      sql`select i.id, i.code, coalesce(s.loans, 0) as sampled_loans from institutions i
        left join (select institution_id, count(*) as loans from loans tablesample system (${percent}) where disbursed_on <= ${through} group by institution_id) s
          on s.institution_id = i.id
        where i.kind = 'bank' and ${hasCoveredLoan(sql`i.id`, through)} order by i.code`,
    ),
  ).map((r) => ({ id: r.id, code: r.code, estimatedLoans: Math.round((Number(r.sampled_loans) * 100) / percent) }));
}

/** Whether the bank has a covered loan disbursed on or before `through` (something to count). */
export async function bankHasSupport(db: Tx, institutionId: string, through: string): Promise<boolean> {
  const [row] = rowsOf<{ yes: boolean }>(await db.execute(sql`select ${hasCoveredLoan(sql`${institutionId}::uuid`, through)} as yes`));
  return Boolean(row?.yes);
}

const sumsOf = (row: Record<string, string | number | null>, prefix: string): HorizonSums => ({
  projects: Number(row[`${prefix}_projects`]),
  loans: Number(row[`${prefix}_loans`]),
  principalFen: BigInt(String(row[`${prefix}_principal`])),
  rateWeightedPpmFen: BigInt(String(row[`${prefix}_rate`])),
  reductionLowerUnits: BigInt(String(row[`${prefix}_reduction`])),
  reductionTerms: Number(row[`${prefix}_terms`]),
});

export type { BankSums };

/**
 * The raw sums behind a quarter's disclosures, for every bank with support (or one bank), in one
 * statement (db/sql/quarter-sums.ts, the SQL copy of domain/disclosures/quarter-sums.ts `quarterSumsOf`):
 * per bank and sub-area the distinct projects, terms, loans, sums and truncated reduction of each horizon,
 * and each bank's three projects with the largest reduction in the quarter (exact numerator and denominator).
 */
export async function quarterSums(db: Tx, quarter: string, institutionId: string | null = null): Promise<Map<string, BankSums>> {
  await withoutJit(db);
  return sumsOfRows(rowsOf<Record<string, string | number | null>>(await db.execute(quarterSumsSql(quarter, institutionId))));
}

/**
 * For the rest of the transaction, JIT compilation off and sorts in memory: the quarter's one read over
 * every covered loan is costed high enough for PostgreSQL to compile its expressions, and compiling them
 * took longer than running them (most of a correction's per-quarter read); sorting each bank's loans by id
 * into its set spilled to disk at the default work_mem. A no-op outside a transaction.
 */
export async function withoutJit(db: Tx): Promise<void> {
  await db.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
}

/** A frozen loan set: its row's key (null: no loans, nothing stored), its length and its list's SHA-256. */
export type FrozenLoanSet = { key: string | null; loans: number; sha256: string };

/** The set of a bank with no loans to count: the SHA-256 of the empty list. */
export const EMPTY_LOAN_SET: FrozenLoanSet = {
  key: null,
  loans: 0,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

/**
 * The quarter's sums as `quarterSums` reads them and, from the same single read of the covered loans,
 * each bank's frozen loan set, stored unless it is already (db/sql/frozen-loan-sets.ts; for one bank, given
 * `base`, the set of the version it follows: as a delta from it). A bank without a set has no loans to
 * count (`EMPTY_LOAN_SET`).
 */
export async function quarterSumsAndSets(
  db: Tx,
  quarter: string,
  banks: BankScope = null,
  options: { base?: string | null } = {},
): Promise<{ sums: Map<string, BankSums>; sets: Map<string, FrozenLoanSet> }> {
  await withoutJit(db);
  const institutionId = typeof banks === 'string' ? banks : null;
  const oneBank = institutionId !== null;
  if (oneBank) await db.execute(sql`select set_config('enable_nestloop', 'off', true)`);
  // several banks' loans sorted into their sets at once (a part of the fan-out: half the facility's
  // loans, 85 MB of frozen rows at 1,000,000 loans) spill to disk at 64 MB
  else await db.execute(sql`select set_config('work_mem', '256MB', true)`);
  const rows = rowsOf<Record<string, string | number | null>>(
    await db.execute(quarterSumsSql(quarter, banks, { freeze: true, base: oneBank ? (options.base ?? null) : null })),
  );
  if (oneBank) await db.execute(sql`select set_config('enable_nestloop', 'on', true)`);
  const sets = new Map<string, FrozenLoanSet>();
  for (const r of rows)
    if (r.kind === 'set') sets.set(String(r.institution_id), { key: String(r.ref), loans: Number(r.num), sha256: String(r.name) });
  return { sums: sumsOfRows(rows), sets };
}

/**
 * One bank's quarters at once (a correction: its own quarter and every later compiled one), each with the
 * set its latest version froze as `base`: per quarter the sums `quarterSums` reads and the frozen loan set,
 * stored unless it is the base or the base's own whole set (db/sql/bank-quarters.ts), from one read of the
 * bank's covered loans. Quarters without loans to count have `EMPTY_LOAN_SET`.
 */
export async function bankQuartersSumsAndSets(
  db: Tx,
  institutionId: string,
  quarters: readonly QuarterAndBase[],
): Promise<Map<string, { sums: BankSums; loanSet: FrozenLoanSet }>> {
  const sorted = [...quarters].sort((a, b) => (a.quarter < b.quarter ? -1 : a.quarter > b.quarter ? 1 : 0));
  const out = new Map<string, { sums: BankSums; loanSet: FrozenLoanSet }>();
  if (!sorted.length) return out;
  await withoutJit(db);
  // the bank's covered loans joined by hash, as quarterSumsAndSets does for one bank
  await db.execute(sql`select set_config('enable_nestloop', 'off', true)`);
  const rows = rowsOf<Record<string, string | number | null>>(await db.execute(bankQuartersSql(institutionId, sorted)));
  await db.execute(sql`select set_config('enable_nestloop', 'on', true)`);
  const terms: TermFigures[] = [];
  const totals: TermQuarterTotals[] = [];
  const sets = new Map<number, FrozenLoanSet>();
  for (const r of rows as Record<string, unknown>[]) {
    if (r.kind !== 'term') continue;
    const term = Number(r.k);
    terms[term] = {
      projectId: String(r.project_id),
      ref: String(r.ref),
      name: String(r.name),
      subArea: String(r.sub_area),
      basis: String(r.basis),
      reductionCentitonnes: BigInt(String(r.num)),
      investmentFen: BigInt(String(r.den)),
    };
    for (const [quarterIndex, loans, principal, rate] of r.buckets as [number, number, string, string][])
      totals.push({ term, quarterIndex, loans, principalFen: BigInt(principal), rateWeightedPpmFen: BigInt(rate) });
  }
  for (const r of rows) {
    if (r.kind === 'set' && r.key) sets.set(Number(r.k), { key: String(r.key), loans: Number(r.loans), sha256: String(r.sha256) });
  }
  const sums = quarterSumsOfQuarters(
    terms,
    totals,
    sorted.map((t) => t.quarter),
  );
  sorted.forEach((t, i) => out.set(t.quarter, { sums: sums.get(t.quarter)!, loanSet: sets.get(i + 1) ?? EMPTY_LOAN_SET }));
  return out;
}

function sumsOfRows(rows: Record<string, string | number | null>[]): Map<string, BankSums> {
  const out = new Map<string, BankSums>();
  const bank = (id: string) => {
    let b = out.get(id);
    if (!b) out.set(id, (b = { subAreas: [], topProjects: [] }));
    return b;
  };
  for (const r of rows) {
    const id = String(r.institution_id);
    if (r.kind === 'area')
      bank(id).subAreas.push({
        subArea: String(r.sub_area),
        basis: String(r.basis),
        quarter: sumsOf(r, 'q'),
        yearToDate: sumsOf(r, 'y'),
        sinceInception: sumsOf(r, 'a'),
      });
    else if (r.kind === 'top') {
      const num = BigInt(String(r.num));
      const den = BigInt(String(r.den_text));
      // a project whose loans are attributed with two sets of figures: its fractions added exactly
      const same = bank(id).topProjects.find((t) => t.ref === String(r.ref));
      if (same) Object.assign(same, { num: same.num * den + num * same.den, den: same.den * den });
      else bank(id).topProjects.push({ ref: String(r.ref), name: String(r.name), subArea: String(r.sub_area), num, den });
    }
  }
  for (const b of out.values()) {
    b.topProjects.sort((x, y) => {
      const d = y.num * x.den - x.num * y.den; // descending by num/den, exactly
      return d > 0n ? 1 : d < 0n ? -1 : x.ref < y.ref ? -1 : 1;
    });
  }
  return out;
}

const horizonFrom = (quarter: string, h: Horizon) => {
  const p = quarterPeriod(quarter);
  return h === 'quarter' ? p.start : h === 'yearToDate' ? p.yearStart : '0001-01-01';
};

/** Exact per-project fractions of a horizon (the fallback when a truncated sum is not certified). */
export async function projectFractions(db: Tx, institutionId: string, quarter: string, h: Horizon): Promise<ProjectFraction[]> {
  const p = quarterPeriod(quarter);
  const rows = rowsOf<{ sub_area: string; basis: string; num: string; den: string }>(
    await db.execute(sql`
    with ${DECIDED_PROJECTS}
    select pr.sub_area, pr.reduction_basis as basis, sum(${ATTRIBUTED_REDUCTION}::numeric * l.principal_fen)::text as num, ${ATTRIBUTED_INVESTMENT}::text as den
    from loans l join projects pr on pr.id = l.project_id ${COVERED} ${DECIDED_JOIN}
    where l.institution_id = ${institutionId} and l.disbursed_on between ${horizonFrom(quarter, h)} and ${p.end}
    group by pr.id, pr.sub_area, pr.reduction_basis, ${ATTRIBUTED_REDUCTION}, ${ATTRIBUTED_INVESTMENT}`),
  );
  return rows.map((r) => ({ subArea: r.sub_area, basis: r.basis, num: BigInt(r.num), den: BigInt(r.den) }));
}

export async function countedLoanCandidates(
  db: Tx,
  institutionId: string,
  quarter: string,
): Promise<{ id: string; principalFen: bigint }[]> {
  const p = quarterPeriod(quarter);
  const rows = rowsOf<{ id: string; principal_fen: string }>(
    await db.execute(sql`select l.id, l.principal_fen::text as principal_fen from loans l ${COVERED}
      where l.institution_id = ${institutionId} and l.disbursed_on <= ${p.end} order by l.id`),
  );
  return rows.map((r) => ({ id: r.id, principalFen: BigInt(r.principal_fen) }));
}

/**
 * The quarters from `from` through `through` that were compiled for the bank: it has a version of them,
 * or the quarter's compilation ran (a compile-quarter job, `compile-quarter.<quarter>[.rN]`, in the
 * outbox) — possibly while the bank had nothing to count. Ascending.
 */
export async function compiledQuartersOf(db: Tx, institutionId: string, from: string, through: string): Promise<string[]> {
  const rows = rowsOf<{ quarter: string }>(
    await db.execute(sql`
    select quarter from disclosure_versions where institution_id = ${institutionId} and quarter between ${from} and ${through}
    union
    select q.quarter from (
      select substring(job_id from '^compile-quarter[.]([0-9]{4}Q[1-4])') as quarter from outbox
      where name = 'compile-quarter' and job_id like 'compile-quarter.%'
    ) q where q.quarter between ${from} and ${through}
    order by 1`),
  );
  return rows.map((r) => r.quarter);
}

export async function findVersion(db: Tx, institutionId: string, quarter: string, version: number): Promise<DisclosureVersionRow | null> {
  const [row] = await db
    .select()
    .from(disclosureVersions)
    .where(
      and(
        eq(disclosureVersions.institutionId, institutionId),
        eq(disclosureVersions.quarter, quarter),
        eq(disclosureVersions.version, version),
      ),
    )
    .limit(1);
  return row ?? null;
}

export async function findVersionById(db: Tx, id: string): Promise<DisclosureVersionRow | null> {
  const [row] = await db.select().from(disclosureVersions).where(eq(disclosureVersions.id, id)).limit(1);
  return row ?? null;
}

/** The latest version, optionally only among the given statuses; `lock` takes a row lock for a transition. */
export async function findLatestVersion(
  db: Tx,
  institutionId: string,
  quarter: string,
  options: { statuses?: DisclosureStatus[]; lock?: boolean } = {},
) {
  const q = db
    .select()
    .from(disclosureVersions)
    .where(
      and(
        eq(disclosureVersions.institutionId, institutionId),
        eq(disclosureVersions.quarter, quarter),
        options.statuses ? inArray(disclosureVersions.status, options.statuses) : undefined,
      ),
    )
    .orderBy(desc(disclosureVersions.version))
    .limit(1);
  const [row] = options.lock ? await q.for('update') : await q;
  return row ?? null;
}

/** The version row, locked until the transaction ends (a job's transition waits for a concurrent one). */
export async function lockVersionById(tx: Tx, id: string): Promise<DisclosureVersionRow | null> {
  const [row] = await tx.select().from(disclosureVersions).where(eq(disclosureVersions.id, id)).limit(1).for('update');
  return row ?? null;
}

/** Inserts a version unless (institution, quarter, version) exists; returns the new row or null. */
export async function insertVersion(tx: Tx, values: typeof disclosureVersions.$inferInsert): Promise<DisclosureVersionRow | null> {
  const [row] = await tx.insert(disclosureVersions).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

/** Moves a version from `from` to `to` only if it is still in `from`; returns the updated row or null. */
export async function moveStatus(
  tx: Tx,
  id: string,
  from: DisclosureStatus,
  to: DisclosureStatus,
  extra: Partial<typeof disclosureVersions.$inferInsert> = {},
) {
  const [row] = await tx
    .update(disclosureVersions)
    .set({ ...extra, status: to })
    .where(and(eq(disclosureVersions.id, id), eq(disclosureVersions.status, from)))
    .returning();
  return row ?? null;
}

/** Sets the loans a version adds to the previous one's count (known once its set is frozen); returns the row. */
export async function setAddedLoanIds(tx: Tx, id: string, addedLoanIds: string[]): Promise<DisclosureVersionRow> {
  const [row] = await tx.update(disclosureVersions).set({ addedLoanIds }).where(eq(disclosureVersions.id, id)).returning();
  return row;
}
