/**
 * The public read model of disclosures: only versions whose status is 'published'. The figures are
 * the ones each version was published with (its stored content). Each view reads a fixed number of
 * queries: the index one joined query (and two small ones for its filters' options), a disclosure two
 * (the versions with their restated numbers, the verification with its finding counts), the home page
 * three (the national totals summed exactly in SQL, the shared projects they count once, the latest quarter's rows).
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';
import { disclosureVersions, institutions, verificationAssignments, verificationFindings } from '../schema/index.js';
import { quarterBounds } from '../../domain/dates.js';
import { divRound, formatScaled, type RoundingMode } from '../../domain/money.js';
import { POLICY_VERSIONS, roundingOf } from '../../domain/policy/index.js';
import { NOTHING_SHARED, type CountedOnce } from '../../domain/disclosures/shared-projects.js';
import { sharedInNationalTotals, type SharedTotalsMemo } from './shared-projects.js';

export type Figures = {
  projects: number;
  loanAmountWanYuan: string;
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
  /** compiled versions: the figures at the ledger's precision beside the printed ones, and the reduction's method shares */
  exact?: { loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
  reductionMethods?: import('../../domain/disclosures/figures.js').MethodShares | null;
};
export type Horizons = { quarter: Figures; yearToDate: Figures; sinceInception: Figures };
export type AreaRow = { area: string; quarter?: Figures; yearToDate?: Figures; sinceInception?: Figures };

/** The parts of a version's stored content the pages use (API.md "Disclosures" shape). */
export type DisclosureContent = {
  institution?: { code: string; nameZh: string; nameEn: string };
  quarter?: string;
  horizons: Horizons;
  byArea?: AreaRow[];
  topProjects?: { name: string; annualReductionTonnes?: string; subArea?: string }[];
  statement?: { zh: string; en: string };
  /** a bank's already published statement, imported as figures: when and where it was published */
  imported?: { publishedOn: string; source: { url?: string; title?: string; sha256?: string } };
  namedProjects?: { ref: string; name: string }[];
  format?: Record<string, unknown>;
  loanSet?: { loans: number; sha256: string };
};

export type PublishedSummary = {
  versionId: string;
  institutionCode: string;
  nameZh: string;
  nameEn: string;
  quarter: string;
  version: number;
  publishedOn: string | null;
  restatesVersion: number | null;
  horizons: Horizons;
  /** imported from the bank's already published statement (not compiled or verified here) */
  imported: boolean;
  /** the figures of each area, as published */
  byArea: AreaRow[];
};

export type VerificationView = {
  verifierCode: string;
  verifierNameZh: string;
  verifierNameEn: string;
  verdict: string | null;
  completedOn: string | null;
  summary: string | null;
  checksPassed: number;
  checksFailed: number;
};

export type HistoryEntry = {
  version: number;
  publishedOn: string | null;
  restatesVersion: number | null;
  contentSha256: string;
  current: boolean;
  imported: boolean;
};

export type PublishedDisclosure = PublishedSummary & {
  content: DisclosureContent;
  /** why this version replaces the previous one, and the difference from it (figures, loans) */
  changeReason: string | null;
  difference: { figures?: import('../../domain/disclosures/difference.js').FigureChange[]; loans?: { change: string }[] } | null;
  contentSha256: string;
  verification: VerificationView | null;
  history: HistoryEntry[];
};

const EMPTY: Figures = { projects: 0, loanAmountWanYuan: '0.00', weightedAverageRatePercent: null, annualReductionTonnes: '0.00' };

const isImportedContent = (content: unknown) => Boolean((content as DisclosureContent | null)?.imported);

function horizonsOf(content: unknown): Horizons {
  const h = (content as DisclosureContent | null)?.horizons;
  return { quarter: h?.quarter ?? EMPTY, yearToDate: h?.yearToDate ?? EMPTY, sinceInception: h?.sinceInception ?? EMPTY };
}

export type ListFilters = {
  quarter?: string;
  institution?: string;
  area?: string;
  search?: string;
  after?: { quarter: string; code: string };
  limit: number;
};

const restated = alias(disclosureVersions, 'restated');

/** The current (highest) published version of each (institution, quarter), newest quarter first. */
export async function listPublished(db: Db, filters: ListFilters): Promise<PublishedSummary[]> {
  const latest = db
    .selectDistinctOn([disclosureVersions.institutionId, disclosureVersions.quarter], {
      id: disclosureVersions.id,
    })
    .from(disclosureVersions)
    .where(eq(disclosureVersions.status, 'published'))
    .orderBy(disclosureVersions.institutionId, disclosureVersions.quarter, desc(disclosureVersions.version))
    .as('latest');
  const conditions = [sql`true`];
  if (filters.quarter) conditions.push(eq(disclosureVersions.quarter, filters.quarter));
  if (filters.institution) conditions.push(eq(institutions.code, filters.institution));
  if (filters.area) {
    conditions.push(
      sql`exists (select 1 from jsonb_array_elements(coalesce(${disclosureVersions.content}->'byArea', '[]'::jsonb)) a where a->>'area' = ${filters.area})`,
    );
  }
  if (filters.search) {
    const like = `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      sql`(${institutions.nameZh} ilike ${like} or ${institutions.nameEn} ilike ${like} or ${institutions.code} ilike ${like}
        or exists (select 1 from jsonb_array_elements(coalesce(${disclosureVersions.content}->'topProjects', '[]'::jsonb)) p where p->>'name' ilike ${like}))`,
    );
  }
  if (filters.after) {
    conditions.push(
      sql`(${disclosureVersions.quarter} < ${filters.after.quarter} or (${disclosureVersions.quarter} = ${filters.after.quarter} and ${institutions.code} > ${filters.after.code}))`,
    );
  }
  const rows = await db
    .select({
      versionId: disclosureVersions.id,
      institutionCode: institutions.code,
      nameZh: institutions.nameZh,
      nameEn: institutions.nameEn,
      quarter: disclosureVersions.quarter,
      version: disclosureVersions.version,
      publishedOn: disclosureVersions.publishedOn,
      restatesVersion: restated.version,
      content: disclosureVersions.content,
    })
    .from(disclosureVersions)
    .innerJoin(latest, eq(latest.id, disclosureVersions.id))
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .leftJoin(restated, eq(restated.id, disclosureVersions.restatesVersionId))
    .where(and(...conditions))
    .orderBy(desc(disclosureVersions.quarter), asc(institutions.code))
    .limit(filters.limit);
  return rows.map((r) => ({
    versionId: r.versionId,
    institutionCode: r.institutionCode,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    quarter: r.quarter,
    version: r.version,
    publishedOn: r.publishedOn,
    restatesVersion: r.restatesVersion ?? null,
    horizons: horizonsOf(r.content),
    imported: isImportedContent(r.content),
    byArea: (r.content as DisclosureContent | null)?.byArea ?? [],
  }));
}

/** What the index's filters offer: every quarter and every institution with a published disclosure (two small queries). */
export async function publishedFilterOptions(
  db: Db,
): Promise<{ quarters: string[]; institutions: { institutionCode: string; nameZh: string; nameEn: string }[] }> {
  const quarters = await db
    .selectDistinct({ quarter: disclosureVersions.quarter })
    .from(disclosureVersions)
    .where(eq(disclosureVersions.status, 'published'))
    .orderBy(desc(disclosureVersions.quarter));
  const insts = await db
    .selectDistinct({ institutionCode: institutions.code, nameZh: institutions.nameZh, nameEn: institutions.nameEn })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(eq(disclosureVersions.status, 'published'));
  return {
    quarters: quarters.map((q) => q.quarter),
    institutions: insts.sort((a, b) => a.institutionCode.localeCompare(b.institutionCode)),
  };
}

/** One institution's quarter: its current published version, verification and published history (two queries). */
export async function findPublished(
  db: Db,
  institutionCode: string,
  quarter: string,
  /** a given published version (its history then ends with it); default: the current one */
  version?: number,
): Promise<PublishedDisclosure | null> {
  const rows = await db
    .select({ dv: disclosureVersions, inst: institutions, restatesVersion: restated.version })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .leftJoin(restated, eq(restated.id, disclosureVersions.restatesVersionId))
    .where(and(eq(institutions.code, institutionCode), eq(disclosureVersions.quarter, quarter), eq(disclosureVersions.status, 'published')))
    .orderBy(desc(disclosureVersions.version));
  const shown = version === undefined ? rows : rows.filter((r) => r.dv.version <= version);
  if (!shown.length || (version !== undefined && shown[0].dv.version !== version)) return null;
  const { dv, inst } = shown[0];
  const history: HistoryEntry[] = shown.map((r) => ({
    version: r.dv.version,
    publishedOn: r.dv.publishedOn,
    restatesVersion: r.restatesVersion ?? null,
    contentSha256: r.dv.contentSha256,
    current: r.dv.id === dv.id,
    imported: isImportedContent(r.dv.content),
  }));
  return {
    versionId: dv.id,
    institutionCode: inst.code,
    nameZh: inst.nameZh,
    nameEn: inst.nameEn,
    quarter: dv.quarter,
    version: dv.version,
    publishedOn: dv.publishedOn,
    restatesVersion: history[0].restatesVersion,
    horizons: horizonsOf(dv.content),
    imported: isImportedContent(dv.content),
    byArea: (dv.content as DisclosureContent | null)?.byArea ?? [],
    content: dv.content as DisclosureContent,
    changeReason: dv.changeReason ?? dv.reason ?? null,
    difference: (dv.difference as PublishedDisclosure['difference']) ?? null,
    contentSha256: dv.contentSha256,
    verification: await verificationOf(db, dv.id),
    history,
  };
}

/** The verification of a version with its counts of passed and failed checks, in one query. */
async function verificationOf(db: Db, versionId: string): Promise<VerificationView | null> {
  const count = (outcome: 'pass' | 'fail') =>
    sql<number>`(select count(*)::int from ${verificationFindings} f where f.assignment_id = ${verificationAssignments.id} and f.outcome = ${outcome} and f.superseded_at is null)`;
  const [row] = await db
    .select({ a: verificationAssignments, v: institutions, passed: count('pass'), failed: count('fail') })
    .from(verificationAssignments)
    .innerJoin(institutions, eq(institutions.id, verificationAssignments.verifierId))
    .where(eq(verificationAssignments.disclosureVersionId, versionId))
    .limit(1);
  if (!row) return null;
  return {
    verifierCode: row.v.code,
    verifierNameZh: row.v.nameZh,
    verifierNameEn: row.v.nameEn,
    verdict: row.a.verdict,
    completedOn: row.a.completedOn,
    summary: row.a.summary,
    checksPassed: Number(row.passed),
    checksFailed: Number(row.failed),
  };
}

/** Exact sums of published figures (integer hundredths), as the totals query returns them. */
type FigureSums = { projects: string; amount: string; reduction: string; rate_weighted: string; rated: string };

/**
 * Sums of published figures, exact: amounts and reductions add as decimals; the weighted rate is
 * Σ(rate × amount) ÷ Σ amount over the figures that have a rate and an amount, rounded once by the
 * policy's rounding.
 * The SQL returns integer units (hundredths of 万元 and of tonnes; ppm × hundredths of 万元).
 */
function figuresOf(s: FigureSums, rounding: RoundingMode): Figures {
  const rated = BigInt(s.rated);
  return {
    projects: Number(s.projects),
    loanAmountWanYuan: formatScaled(BigInt(s.amount), 2),
    // percent with two decimals = ppm / 100
    weightedAverageRatePercent: rated === 0n ? null : formatScaled(divRound(BigInt(s.rate_weighted), rated * 100n, rounding), 2),
    annualReductionTonnes: formatScaled(BigInt(s.reduction), 2),
  };
}

/** The select list summing a set of figures `f` (jsonb) exactly, in integer units. */
const FIGURE_SUMS = (p: string) => {
  // compiled versions keep their exact figures beside the printed ones (which may carry separators)
  const figure = (key: string) => `coalesce(f->'exact'->>'${key}', f->>'${key}')`;
  const amount = `(${figure('loanAmountWanYuan')})::numeric`;
  const rate = `(${figure('weightedAverageRatePercent')})::numeric`;
  const rated = `filter (where ${figure('weightedAverageRatePercent')} is not null and ${amount} > 0)`;
  return `coalesce(sum((f->>'projects')::int), 0)::text as ${p}_projects,
    round(coalesce(sum(${amount}), 0) * 100)::text as ${p}_amount,
    round(coalesce(sum((${figure('annualReductionTonnes')})::numeric), 0) * 100)::text as ${p}_reduction,
    trunc(coalesce(sum(${rate} * ${amount}) ${rated}, 0) * 1000000)::text as ${p}_rate_weighted,
    trunc(coalesce(sum(${amount}) ${rated}, 0) * 100)::text as ${p}_rated`;
};

const sumsOf = (row: Record<string, string>, p: string): FigureSums => ({
  projects: row[`${p}_projects`],
  amount: row[`${p}_amount`],
  reduction: row[`${p}_reduction`],
  rate_weighted: row[`${p}_rate_weighted`],
  rated: row[`${p}_rated`],
});

export type NationalTotals = {
  latestQuarter: string | null;
  institutionsInLatest: number;
  latest: Figures;
  sinceInception: Figures;
  institutionsEver: number;
  rows: PublishedSummary[];
  /** projects financed by several banks, counted once in `latest` and `sinceInception` (read-models/shared-projects.ts) */
  sharedProjects: { latest: CountedOnce; sinceInception: CountedOnce };
};

/** The banks' figures added up, with each shared project counted once (its reduction in whole centitonnes, so exact). */
function countOnce(f: Figures, once: CountedOnce): Figures {
  if (!once.sharedProjects) return f;
  const [whole, cents = ''] = f.annualReductionTonnes.split('.');
  const centitonnes = BigInt(whole + (cents + '00').slice(0, 2)) - once.reductionNotCountedCentitonnes;
  return { ...f, projects: f.projects - once.projectsNotCounted, annualReductionTonnes: formatScaled(centitonnes, 2) };
}

/**
 * Latest quarter's totals and, per institution, its most recent since-inception figures added up:
 * summed in SQL over the current published version of each (institution, quarter), each project
 * financed by several banks counted once (./shared-projects.ts), then the latest quarter's rows for its table.
 */
export async function nationalTotals(db: Db, options: { sharedMemo?: SharedTotalsMemo } = {}): Promise<NationalTotals> {
  const result = await db.execute(
    sql.raw(`with current_versions as (
      select distinct on (institution_id, quarter) institution_id, quarter, content->'horizons' as h
      from disclosure_versions where status = 'published'
      order by institution_id, quarter, version desc
    ), top as (
      select max(quarter) as quarter from current_versions
    ), in_latest as (
      select c.h->'quarter' as f from current_versions c join top on c.quarter = top.quarter
    ), newest as (
      select distinct on (institution_id) h->'sinceInception' as f from current_versions order by institution_id, quarter desc
    )
    select top.quarter as latest_quarter, l.n as in_latest, e.n as ever, l.*, e.*
    from top
    cross join (select count(*)::int as n, ${FIGURE_SUMS('l')} from in_latest) l
    cross join (select count(*)::int as n, ${FIGURE_SUMS('e')} from newest) e`),
  );
  const row = (result as unknown as { rows: Record<string, string>[] }).rows[0];
  const latestQuarter = (row.latest_quarter as string | null) ?? null;
  // the rounding of the policy in force at the latest quarter's end (the launch policy's before any)
  const rounding = roundingOf(latestQuarter ? quarterBounds(latestQuarter).end : POLICY_VERSIONS[0].effectiveFrom);
  const shared = latestQuarter
    ? await sharedInNationalTotals(db, { quarter: latestQuarter, start: quarterBounds(latestQuarter).start }, options.sharedMemo)
    : { latest: NOTHING_SHARED, sinceInception: NOTHING_SHARED };
  return {
    latestQuarter,
    institutionsInLatest: Number(row.in_latest),
    latest: countOnce(figuresOf(sumsOf(row, 'l'), rounding), shared.latest),
    sinceInception: countOnce(figuresOf(sumsOf(row, 'e'), rounding), shared.sinceInception),
    institutionsEver: Number(row.ever),
    rows: latestQuarter ? await listPublished(db, { quarter: latestQuarter, limit: 100_000 }) : [],
    sharedProjects: shared,
  };
}

/** An institution's current published version of every quarter, oldest first (for charts). */
export async function institutionSeries(db: Db, code: string) {
  const [inst] = await db.select().from(institutions).where(eq(institutions.code, code)).limit(1);
  if (!inst || inst.kind !== 'bank') return null;
  const rows = await listPublished(db, { institution: code, limit: 1000 });
  return { institution: inst, quarters: rows.reverse() };
}
