/**
 * Disclosure versions: which banks have support, the exact sums of their counted loans (set-based
 * SQL), finding, inserting and locking versions, and the guarded status update. A loan is counted in
 * a horizon when it was disbursed in it and is covered by approved support (db/sql/). Compiling a
 * version is a use case: app/disclosures/compile-version.ts.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import {
  quarterPeriod,
  type Horizon,
  type ProjectFraction,
  type SubAreaSums,
  type TopProjectSums,
} from '../../domain/disclosures/compile.js';
import { REDUCTION_UNIT, type HorizonSums } from '../../domain/disclosures/figures.js';
import type { DisclosureStatus } from '../../domain/disclosures/workflow.js';
import type { Tx } from '../client.js';
import { disclosureVersions } from '../schema/index.js';
import { coveredByApprovedSupport as COVERED } from '../sql/covered-by-approved-support.js';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from '../sql/project-figures.js';

export type DisclosureVersionRow = typeof disclosureVersions.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

/** Banks with at least one covered loan disbursed on or before `through`. */
export async function banksWithSupport(db: Tx, through: string): Promise<{ id: string; code: string }[]> {
  return rowsOf<{ id: string; code: string }>(
    await db.execute(sql`select i.id, i.code from institutions i
      where i.kind = 'bank' and exists (select 1 from loans l ${COVERED} where l.institution_id = i.id and l.disbursed_on <= ${through})
      order by i.code`),
  );
}

type Horizons = { prefix: string; from: string }[];
const horizonsOf = (quarter: string): Horizons => {
  const p = quarterPeriod(quarter);
  return [
    { prefix: 'q', from: p.start },
    { prefix: 'y', from: p.yearStart },
    { prefix: 'a', from: '0001-01-01' },
  ];
};

const sumsOf = (row: Record<string, string | number | null>, prefix: string): HorizonSums => ({
  projects: Number(row[`${prefix}_projects`]),
  loans: Number(row[`${prefix}_loans`]),
  principalFen: BigInt(String(row[`${prefix}_principal`])),
  rateWeightedPpmFen: BigInt(String(row[`${prefix}_rate`])),
  reductionLowerUnits: BigInt(String(row[`${prefix}_reduction`])),
  reductionTerms: Number(row[`${prefix}_terms`]),
});

export type BankSums = { subAreas: SubAreaSums[]; topProjects: TopProjectSums[] };

/**
 * The raw sums behind a quarter's disclosures, for every bank with support (or one bank), in one
 * pass over the covered loans: first per project (Σ principal and Σ rate × principal per horizon,
 * exact), then per bank and sub-area (distinct projects, loans, sums, and the reduction as Σ over
 * projects of reduction × Σ principal ÷ total investment, truncated per project), and each bank's
 * three projects with the largest reduction in the quarter (exact numerator and denominator).
 */
export async function quarterSums(db: Tx, quarter: string, institutionId: string | null = null): Promise<Map<string, BankSums>> {
  const p = quarterPeriod(quarter);
  const hs = horizonsOf(quarter);
  const unit = sql.raw(`${REDUCTION_UNIT.toString()}::numeric`);
  const inner = hs.map(
    (h) => sql`count(*) filter (where l.disbursed_on >= ${h.from}::date) as ${sql.raw(h.prefix + '_loans')},
      coalesce(sum(l.principal_fen) filter (where l.disbursed_on >= ${h.from}::date), 0) as ${sql.raw(h.prefix + '_principal')},
      coalesce(sum(l.rate_ppm::numeric * l.principal_fen) filter (where l.disbursed_on >= ${h.from}::date), 0) as ${sql.raw(h.prefix + '_rate')}`,
  );
  const outer = hs.map((h) => {
    const x = (c: string) => sql.raw(`${h.prefix}_${c}`);
    return sql`count(distinct project_id) filter (where ${x('loans')} > 0) as ${x('projects')},
      count(*) filter (where ${x('loans')} > 0) as ${x('terms')}, sum(${x('loans')})::int as ${x('loans')},
      sum(${x('principal')})::text as ${x('principal')}, sum(${x('rate')})::text as ${x('rate')},
      sum(div(ct::numeric * ${x('principal')} * ${unit}, den))::text as ${x('reduction')}`;
  });
  // the application's bank too (always the loan's): the bank's few applications lead the plan even when
  // the statistics lag behind a large import in progress
  const onlyBank = institutionId ? sql`and l.institution_id = ${institutionId} and a.institution_id = ${institutionId}` : sql``;
  const result = await db.execute(sql`
    with ${DECIDED_PROJECTS},
    -- per project and the figures its loans are attributed with (an operator's decision of the project's
    -- figures in the register, else the bank's own: one group per project unless its loans name several entries)
    per_project as materialized (
      select l.project_id, dp.id as decided_id, ${sql.join(inner, sql`, `)}
      from loans l ${COVERED} ${DECIDED_JOIN}
      where l.disbursed_on <= ${p.end}::date ${onlyBank}
      group by l.project_id, dp.id
    ), projected as (
      select pr.institution_id, pr.sub_area, pr.reduction_basis, pr.ref, pr.name, ${ATTRIBUTED_REDUCTION} as ct, ${ATTRIBUTED_INVESTMENT} as den, pp.*
      from per_project pp join projects pr on pr.id = pp.project_id left join decided_projects dp on dp.id = pp.decided_id
    )
    select 'area' as kind, institution_id, sub_area, reduction_basis as basis, null as ref, null as name, null as num, null as den_text, ${sql.join(outer, sql`, `)}
    from projected group by institution_id, sub_area, reduction_basis
    union all
    select 'top', institution_id, sub_area, null, ref, name, num, den_text, ${sql.join(
      hs.flatMap((h) => ['projects', 'terms', 'loans', 'principal', 'rate', 'reduction'].map((c) => sql.raw(`null as ${h.prefix}_${c}`))),
      sql`, `,
    )}
    from (
      select institution_id, sub_area, ref, name, (ct::numeric * q_principal)::text as num, den::text as den_text,
        dense_rank() over (partition by institution_id order by total desc, ref) as rank
      from (select *, sum(ct::numeric * q_principal / den) over (partition by project_id) as total from projected where q_loans > 0) t
    ) ranked where rank <= 3
    order by 1, 2, 3, 4`);
  const out = new Map<string, BankSums>();
  const bank = (id: string) => {
    let b = out.get(id);
    if (!b) out.set(id, (b = { subAreas: [], topProjects: [] }));
    return b;
  };
  for (const r of rowsOf<Record<string, string | number | null>>(result)) {
    const id = String(r.institution_id);
    if (r.kind === 'area')
      bank(id).subAreas.push({
        subArea: String(r.sub_area),
        basis: String(r.basis),
        quarter: sumsOf(r, 'q'),
        yearToDate: sumsOf(r, 'y'),
        sinceInception: sumsOf(r, 'a'),
      });
    else {
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
