/**
 * The public read model of disclosures: only versions whose status is 'published'. The figures are
 * the ones each version was published with (its stored content); national totals add published
 * figures exactly (decimal strings → bigint) and round the derived weighted rate once, half up.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { disclosureVersions, institutions, verificationAssignments, verificationFindings } from '../../db/schema/index.js';
import { divRound, formatScaled, parsePercentToPpm, parseScaled } from '../../domain/money.js';

export type Figures = { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
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

export type HistoryEntry = { version: number; publishedOn: string | null; restatesVersion: number | null; contentSha256: string; current: boolean };

export type PublishedDisclosure = PublishedSummary & {
  content: DisclosureContent;
  contentSha256: string;
  verification: VerificationView | null;
  history: HistoryEntry[];
};

const EMPTY: Figures = { projects: 0, loanAmountWanYuan: '0.00', weightedAverageRatePercent: null, annualReductionTonnes: '0.00' };

function horizonsOf(content: unknown): Horizons {
  const h = (content as DisclosureContent | null)?.horizons;
  return { quarter: h?.quarter ?? EMPTY, yearToDate: h?.yearToDate ?? EMPTY, sinceInception: h?.sinceInception ?? EMPTY };
}

export type ListFilters = { quarter?: string; institution?: string; area?: string; search?: string; after?: { quarter: string; code: string }; limit: number };

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
    conditions.push(sql`exists (select 1 from jsonb_array_elements(coalesce(${disclosureVersions.content}->'byArea', '[]'::jsonb)) a where a->>'area' = ${filters.area})`);
  }
  if (filters.search) {
    const like = `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(${institutions.nameZh} ilike ${like} or ${institutions.nameEn} ilike ${like} or ${institutions.code} ilike ${like})`);
  }
  if (filters.after) {
    conditions.push(sql`(${disclosureVersions.quarter} < ${filters.after.quarter} or (${disclosureVersions.quarter} = ${filters.after.quarter} and ${institutions.code} > ${filters.after.code}))`);
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
      restatesVersionId: disclosureVersions.restatesVersionId,
      content: disclosureVersions.content,
    })
    .from(disclosureVersions)
    .innerJoin(latest, eq(latest.id, disclosureVersions.id))
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(and(...conditions))
    .orderBy(desc(disclosureVersions.quarter), asc(institutions.code))
    .limit(filters.limit);
  const restated = await versionNumbers(db, rows.map((r) => r.restatesVersionId).filter((id): id is string => !!id));
  return rows.map((r) => ({
    versionId: r.versionId,
    institutionCode: r.institutionCode,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    quarter: r.quarter,
    version: r.version,
    publishedOn: r.publishedOn,
    restatesVersion: r.restatesVersionId ? (restated.get(r.restatesVersionId) ?? null) : null,
    horizons: horizonsOf(r.content),
  }));
}

async function versionNumbers(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: disclosureVersions.id, version: disclosureVersions.version }).from(disclosureVersions).where(inArray(disclosureVersions.id, ids));
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** One institution's quarter: its current published version, verification and published history. */
export async function findPublished(db: Db, institutionCode: string, quarter: string): Promise<PublishedDisclosure | null> {
  const rows = await db
    .select({ dv: disclosureVersions, inst: institutions })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(and(eq(institutions.code, institutionCode), eq(disclosureVersions.quarter, quarter), eq(disclosureVersions.status, 'published')))
    .orderBy(desc(disclosureVersions.version));
  if (!rows.length) return null;
  const { dv, inst } = rows[0];
  const numbers = new Map(rows.map((r) => [r.dv.id, r.dv.version]));
  const restatedIds = rows.map((r) => r.dv.restatesVersionId).filter((id): id is string => !!id && !numbers.has(id));
  for (const [id, v] of await versionNumbers(db, restatedIds)) numbers.set(id, v);
  const history: HistoryEntry[] = rows.map((r) => ({
    version: r.dv.version,
    publishedOn: r.dv.publishedOn,
    restatesVersion: r.dv.restatesVersionId ? (numbers.get(r.dv.restatesVersionId) ?? null) : null,
    contentSha256: r.dv.contentSha256,
    current: r.dv.id === dv.id,
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
    content: dv.content as DisclosureContent,
    contentSha256: dv.contentSha256,
    verification: await verificationOf(db, dv.id),
    history,
  };
}

async function verificationOf(db: Db, versionId: string): Promise<VerificationView | null> {
  const [row] = await db
    .select({ a: verificationAssignments, v: institutions })
    .from(verificationAssignments)
    .innerJoin(institutions, eq(institutions.id, verificationAssignments.verifierId))
    .where(eq(verificationAssignments.disclosureVersionId, versionId))
    .limit(1);
  if (!row) return null;
  const counts = await db
    .select({ outcome: verificationFindings.outcome, n: sql<number>`count(*)::int` })
    .from(verificationFindings)
    .where(eq(verificationFindings.assignmentId, row.a.id))
    .groupBy(verificationFindings.outcome);
  return {
    verifierCode: row.v.code,
    verifierNameZh: row.v.nameZh,
    verifierNameEn: row.v.nameEn,
    verdict: row.a.verdict,
    completedOn: row.a.completedOn,
    summary: row.a.summary,
    checksPassed: counts.find((c) => c.outcome === 'pass')?.n ?? 0,
    checksFailed: counts.find((c) => c.outcome === 'fail')?.n ?? 0,
  };
}

/** Sums published figures exactly; the weighted rate is Σ(rate × amount) ÷ Σ amount, rounded half up once. */
export function addFigures(list: readonly Figures[]): Figures {
  let amount = 0n; // hundredths of 万元
  let reduction = 0n; // centitonnes
  let rateWeighted = 0n; // ppm × hundredths of 万元
  let rated = 0n;
  let projects = 0;
  for (const f of list) {
    const a = parseScaled(f.loanAmountWanYuan, 2) ?? 0n;
    amount += a;
    reduction += parseScaled(f.annualReductionTonnes, 2) ?? 0n;
    projects += f.projects;
    const ppm = f.weightedAverageRatePercent ? parsePercentToPpm(f.weightedAverageRatePercent) : null;
    if (ppm !== null && a > 0n) {
      rateWeighted += ppm * a;
      rated += a;
    }
  }
  return {
    projects,
    loanAmountWanYuan: formatScaled(amount, 2),
    // percent with two decimals = ppm / 100
    weightedAverageRatePercent: rated === 0n ? null : formatScaled(divRound(rateWeighted, rated * 100n, 'half_up'), 2),
    annualReductionTonnes: formatScaled(reduction, 2),
  };
}

export type NationalTotals = {
  latestQuarter: string | null;
  institutionsInLatest: number;
  latest: Figures;
  sinceInception: Figures;
  institutionsEver: number;
  rows: PublishedSummary[];
};

/** Latest quarter's totals and, per institution, its most recent since-inception figures added up. */
export async function nationalTotals(db: Db): Promise<NationalTotals> {
  const all = await listPublished(db, { limit: 100_000 });
  const latestQuarter = all.length ? all.map((r) => r.quarter).sort().at(-1)! : null;
  const inLatest = all.filter((r) => r.quarter === latestQuarter);
  const newestPerInstitution = new Map<string, PublishedSummary>();
  for (const r of all) {
    const seen = newestPerInstitution.get(r.institutionCode);
    if (!seen || r.quarter > seen.quarter) newestPerInstitution.set(r.institutionCode, r);
  }
  return {
    latestQuarter,
    institutionsInLatest: inLatest.length,
    latest: addFigures(inLatest.map((r) => r.horizons.quarter)),
    sinceInception: addFigures([...newestPerInstitution.values()].map((r) => r.horizons.sinceInception)),
    institutionsEver: newestPerInstitution.size,
    rows: inLatest,
  };
}

/** An institution's current published version of every quarter, oldest first (for charts). */
export async function institutionSeries(db: Db, code: string) {
  const [inst] = await db.select().from(institutions).where(eq(institutions.code, code)).limit(1);
  if (!inst || inst.kind !== 'bank') return null;
  const rows = await listPublished(db, { institution: code, limit: 1000 });
  return { institution: inst, quarters: rows.reverse() };
}
