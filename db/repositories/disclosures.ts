/**
 * Disclosure versions: which banks have support, the exact sums of their counted loans, compiling a
 * version, and the guarded workflow updates. A loan is counted in a horizon when it was disbursed in
 * it and is covered by approved support: an active `application_loans` row whose application is
 * 'approved' or 'disbursed'.
 */
import { and, asc, desc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { compileDisclosure, quarterPeriod, type DisclosureContent, type Horizon, type ProjectFraction, type SubAreaSums, type TopProjectSums } from '../../domain/disclosures/compile.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { REDUCTION_UNIT, type HorizonSums } from '../../domain/disclosures/figures.js';
import type { DisclosureStatus } from '../../domain/disclosures/workflow.js';
import { policyOn } from '../../domain/policy/index.js';
import type { Tx } from '../client.js';
import { disclosureVersions, institutions } from '../schema/index.js';

export type DisclosureVersionRow = typeof disclosureVersions.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

/** Join that keeps only loans covered by approved support. */
const COVERED = sql.raw(`join application_loans al on al.loan_id = l.id and al.active = 1
  join applications a on a.id = al.application_id and a.status in ('approved','disbursed')`);

/** Banks with at least one covered loan disbursed on or before `through`. */
export async function banksWithSupport(db: Tx, through: string): Promise<{ id: string; code: string }[]> {
  return rowsOf<{ id: string; code: string }>(
    await db.execute(sql`select i.id, i.code from institutions i
      where i.kind = 'bank' and exists (select 1 from loans l ${COVERED} where l.institution_id = i.id and l.disbursed_on <= ${through})
      order by i.code`),
  );
}

type SumsRow = Record<string, string | number | null> & { sub_area: string };

const horizonSql = (prefix: string, filter: SQL) => sql`
  count(distinct x.project_id) filter (where ${filter}) as ${sql.raw(prefix + '_projects')},
  count(*) filter (where ${filter}) as ${sql.raw(prefix + '_loans')},
  coalesce(sum(x.principal_fen) filter (where ${filter}), 0)::text as ${sql.raw(prefix + '_principal')},
  coalesce(sum(x.rate_weighted) filter (where ${filter}), 0)::text as ${sql.raw(prefix + '_rate')},
  coalesce(sum(x.reduction_units) filter (where ${filter}), 0)::text as ${sql.raw(prefix + '_reduction')}`;

const sumsOf = (row: SumsRow, prefix: string): HorizonSums => ({
  projects: Number(row[`${prefix}_projects`]),
  loans: Number(row[`${prefix}_loans`]),
  principalFen: BigInt(String(row[`${prefix}_principal`])),
  rateWeightedPpmFen: BigInt(String(row[`${prefix}_rate`])),
  reductionLowerUnits: BigInt(String(row[`${prefix}_reduction`])),
});

/**
 * One pass over a bank's covered loans up to the quarter's end: per sub-area and horizon, the
 * distinct projects, the loans, Σ principal, Σ rate×principal and Σ truncated reduction terms.
 */
export async function horizonSums(db: Tx, institutionId: string, quarter: string): Promise<SubAreaSums[]> {
  const p = quarterPeriod(quarter);
  const unit = sql.raw(`${REDUCTION_UNIT.toString()}::numeric`);
  const rows = rowsOf<SumsRow>(
    await db.execute(sql`
    select x.sub_area,
      ${horizonSql('q', sql`x.disbursed_on >= ${p.start}`)},
      ${horizonSql('y', sql`x.disbursed_on >= ${p.yearStart}`)},
      ${horizonSql('a', sql`true`)}
    from (
      select l.project_id, pr.sub_area, l.disbursed_on, l.principal_fen,
        l.rate_ppm::numeric * l.principal_fen as rate_weighted,
        div(pr.annual_reduction_centitonnes::numeric * l.principal_fen * ${unit}, pr.total_investment_fen) as reduction_units
      from loans l join projects pr on pr.id = l.project_id ${COVERED}
      where l.institution_id = ${institutionId} and l.disbursed_on <= ${p.end}
      offset 0
    ) x
    group by x.sub_area
    order by x.sub_area`),
  );
  return rows.map((r) => ({ subArea: r.sub_area, quarter: sumsOf(r, 'q'), yearToDate: sumsOf(r, 'y'), sinceInception: sumsOf(r, 'a') }));
}

const horizonFrom = (quarter: string, h: Horizon) => {
  const p = quarterPeriod(quarter);
  return h === 'quarter' ? p.start : h === 'yearToDate' ? p.yearStart : '0001-01-01';
};

/** Exact per-project fractions of a horizon (the fallback when a truncated sum is not certified). */
export async function projectFractions(db: Tx, institutionId: string, quarter: string, h: Horizon): Promise<ProjectFraction[]> {
  const p = quarterPeriod(quarter);
  const rows = rowsOf<{ sub_area: string; num: string; den: string }>(
    await db.execute(sql`
    select pr.sub_area, sum(pr.annual_reduction_centitonnes::numeric * l.principal_fen)::text as num, pr.total_investment_fen::text as den
    from loans l join projects pr on pr.id = l.project_id ${COVERED}
    where l.institution_id = ${institutionId} and l.disbursed_on between ${horizonFrom(quarter, h)} and ${p.end}
    group by pr.id`),
  );
  return rows.map((r) => ({ subArea: r.sub_area, num: BigInt(r.num), den: BigInt(r.den) }));
}

/** The quarter's three projects with the largest attributed reduction (exact per project). */
export async function topProjects(db: Tx, institutionId: string, quarter: string, limit = 3): Promise<TopProjectSums[]> {
  const p = quarterPeriod(quarter);
  const rows = rowsOf<{ ref: string; name: string; sub_area: string; num: string; den: string }>(
    await db.execute(sql`
    select pr.ref, pr.name, pr.sub_area, sum(pr.annual_reduction_centitonnes::numeric * l.principal_fen)::text as num, pr.total_investment_fen::text as den
    from loans l join projects pr on pr.id = l.project_id ${COVERED}
    where l.institution_id = ${institutionId} and l.disbursed_on between ${p.start} and ${p.end}
    group by pr.id
    order by sum(pr.annual_reduction_centitonnes::numeric * l.principal_fen) / pr.total_investment_fen desc, pr.ref
    limit ${limit}`),
  );
  return rows.map((r) => ({ ref: r.ref, name: r.name, subArea: r.sub_area, num: BigInt(r.num), den: BigInt(r.den) }));
}

export async function countedLoanCandidates(db: Tx, institutionId: string, quarter: string): Promise<{ id: string; principalFen: bigint }[]> {
  const p = quarterPeriod(quarter);
  const rows = rowsOf<{ id: string; principal_fen: string }>(
    await db.execute(sql`select l.id, l.principal_fen::text as principal_fen from loans l ${COVERED}
      where l.institution_id = ${institutionId} and l.disbursed_on <= ${p.end} order by l.id`),
  );
  return rows.map((r) => ({ id: r.id, principalFen: BigInt(r.principal_fen) }));
}

/** Computes the content of a version from the loan-level data (not stored). */
export async function computeContent(
  db: Tx,
  input: { institution: { id: string; code: string; nameZh: string; nameEn: string }; quarter: string; version: number; previousVersion: number | null; restatesVersion: number | null },
): Promise<DisclosureContent> {
  const { end } = quarterPeriod(input.quarter);
  const policy = policyOn(end);
  if (!policy) throw new Error(`no policy in force on ${end}`);
  const [subAreas, top] = [await horizonSums(db, input.institution.id, input.quarter), await topProjects(db, input.institution.id, input.quarter)];
  const base = {
    institution: { code: input.institution.code, nameZh: input.institution.nameZh, nameEn: input.institution.nameEn },
    quarter: input.quarter,
    version: input.version,
    previousVersion: input.previousVersion,
    restatesVersion: input.restatesVersion,
    rounding: policy.rounding,
    subAreas,
    topProjects: top,
  };
  const first = compileDisclosure(base);
  if (first.ok) return first.value;
  const exact: Partial<Record<Horizon, ProjectFraction[]>> = {};
  for (const h of first.horizons) exact[h] = await projectFractions(db, input.institution.id, input.quarter, h);
  const second = compileDisclosure({ ...base, exact });
  if (!second.ok) throw new Error('exact fractions did not resolve the reduction sums');
  return second.value;
}

export async function findVersion(db: Tx, institutionId: string, quarter: string, version: number): Promise<DisclosureVersionRow | null> {
  const [row] = await db
    .select()
    .from(disclosureVersions)
    .where(and(eq(disclosureVersions.institutionId, institutionId), eq(disclosureVersions.quarter, quarter), eq(disclosureVersions.version, version)))
    .limit(1);
  return row ?? null;
}

export async function findVersionById(db: Tx, id: string): Promise<DisclosureVersionRow | null> {
  const [row] = await db.select().from(disclosureVersions).where(eq(disclosureVersions.id, id)).limit(1);
  return row ?? null;
}

/** The latest version, optionally only among the given statuses; `lock` takes a row lock for a transition. */
export async function findLatestVersion(db: Tx, institutionId: string, quarter: string, options: { statuses?: DisclosureStatus[]; lock?: boolean } = {}) {
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

/**
 * Compiles and stores version `version` unless it already exists (idempotent: the job may run again).
 * Returns the stored row and whether this call created it.
 */
export async function compileVersion(
  tx: Tx,
  input: { institutionId: string; quarter: string; version: number; previousVersionId: string | null; restatesVersionId: string | null; now: Date },
): Promise<{ row: DisclosureVersionRow; created: boolean }> {
  const existing = await findVersion(tx, input.institutionId, input.quarter, input.version);
  if (existing) return { row: existing, created: false };
  const [institution] = await tx.select().from(institutions).where(eq(institutions.id, input.institutionId)).limit(1);
  if (!institution) throw new Error(`institution ${input.institutionId} does not exist`);
  const previous = input.previousVersionId ? await findVersionById(tx, input.previousVersionId) : null;
  const restates = input.restatesVersionId ? await findVersionById(tx, input.restatesVersionId) : null;
  const content = await computeContent(tx, {
    institution,
    quarter: input.quarter,
    version: input.version,
    previousVersion: previous?.version ?? null,
    restatesVersion: restates?.version ?? null,
  });
  const [row] = await tx
    .insert(disclosureVersions)
    .values({
      institutionId: input.institutionId,
      quarter: input.quarter,
      version: input.version,
      status: 'compiled',
      content,
      contentSha256: sha256OfCanonical(content),
      countedLoans: content.basis.loans,
      previousVersionId: input.previousVersionId,
      restatesVersionId: input.restatesVersionId,
      compiledAt: input.now,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return { row: (await findVersion(tx, input.institutionId, input.quarter, input.version))!, created: false };
  return { row, created: true };
}

/** Moves a version from `from` to `to` only if it is still in `from`; returns the updated row or null. */
export async function moveStatus(tx: Tx, id: string, from: DisclosureStatus, to: DisclosureStatus, extra: Partial<typeof disclosureVersions.$inferInsert> = {}) {
  const [row] = await tx
    .update(disclosureVersions)
    .set({ ...extra, status: to })
    .where(and(eq(disclosureVersions.id, id), eq(disclosureVersions.status, from)))
    .returning();
  return row ?? null;
}

export type VersionListFilter = { quarter?: string; institutionCode?: string; visibility: { kind: 'public' } | { kind: 'operator' } | { kind: 'bank'; institutionId: string } | { kind: 'verifier'; institutionId: string } };

/** Versions visible to the caller, newest quarter first; cursor = (quarter, code, version) of the last item. */
export async function listVersions(db: Tx, filter: VersionListFilter, page: { limit: number; after: [string, string, number] | null }) {
  const v = filter.visibility;
  const visible =
    v.kind === 'operator'
      ? undefined
      : v.kind === 'public'
        ? eq(disclosureVersions.status, 'published')
        : v.kind === 'bank'
          ? or(eq(disclosureVersions.status, 'published'), eq(disclosureVersions.institutionId, v.institutionId))
          : or(
              eq(disclosureVersions.status, 'published'),
              sql`exists (select 1 from verification_assignments va where va.disclosure_version_id = ${disclosureVersions.id} and va.verifier_id = ${v.institutionId})`,
            );
  const after = page.after
    ? or(
        lt(disclosureVersions.quarter, page.after[0]),
        and(eq(disclosureVersions.quarter, page.after[0]), gt(institutions.code, page.after[1])),
        and(eq(disclosureVersions.quarter, page.after[0]), eq(institutions.code, page.after[1]), lt(disclosureVersions.version, page.after[2])),
      )
    : undefined;
  return db
    .select({ version: disclosureVersions, institution: { code: institutions.code, nameZh: institutions.nameZh, nameEn: institutions.nameEn } })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(
      and(
        visible,
        after,
        filter.quarter ? eq(disclosureVersions.quarter, filter.quarter) : undefined,
        filter.institutionCode ? eq(institutions.code, filter.institutionCode) : undefined,
      ),
    )
    .orderBy(desc(disclosureVersions.quarter), asc(institutions.code), desc(disclosureVersions.version))
    .limit(page.limit + 1);
}

export async function versionsOf(db: Tx, institutionId: string, quarter: string) {
  return db
    .select()
    .from(disclosureVersions)
    .where(and(eq(disclosureVersions.institutionId, institutionId), eq(disclosureVersions.quarter, quarter)))
    .orderBy(asc(disclosureVersions.version));
}
