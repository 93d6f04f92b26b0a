/**
 * The public read model of disclosures: only versions whose status is 'published'. The figures are
 * the ones each version was published with (its stored content). Each view reads a fixed number of
 * queries: the index one joined query (and two small ones for its filters' options), a disclosure two
 * (the versions with their restated numbers, the verification with its finding counts), the home page
 * three (the current published versions, the national totals summed exactly in SQL from their frozen loans with
 * shared projects counted once — kept until the next publication —, the latest quarter's rows).
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';
import { disclosureVersions, institutions, verificationAssignments, verificationFindings } from '../schema/index.js';
import { quarterBounds } from '../../domain/dates.js';
import type { Fraction, RoundingMode } from '../../domain/money.js';
import { POLICY_VERSIONS, roundingOf } from '../../domain/policy/index.js';
import type { CountedOnce } from '../../domain/disclosures/shared-projects.js';
import { sumFractionsExact } from '../../domain/disclosures/imported-statement.js';
import {
  presentExactTotals,
  presentTotals,
  publishedTotalsFigures,
  reductionOfTerms,
  withPublished,
  type PublishedTotalsFigures,
  type TotalsSums,
} from '../../domain/disclosures/national-totals.js';
import { nationalTotalsSums, nationalTotalsTerms, totalsSumsOfRow } from '../sql/national-totals.js';

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

/** A quarter's current published version, and whether its page in `variant` is kept for the template. */
export type CurrentPublished = { code: string; quarter: string; version: number; versionId: string; kept: boolean };

/**
 * Every quarter's current published version (the highest published, as findPublished reads it), in one
 * query, with whether its page in `variant` and `template` is kept already (published-fast-path.ts keeps
 * its readers' lookups and first renders out of their requests with it).
 */
export async function currentPublishedVersions(db: Db, variant: string, template: number): Promise<CurrentPublished[]> {
  type Row = { code: string; quarter: string; version: number; version_id: string; kept: boolean };
  const { rows } = (await db.execute(sql`
    select i.code, c.quarter, c.version, c.id as version_id,
      exists (select 1 from published_pages p where p.disclosure_version_id = c.id and p.variant = ${variant} and p.template = ${template}) as kept
    from (
      select distinct on (v.institution_id, v.quarter) v.id, v.institution_id, v.quarter, v.version
      from disclosure_versions v where v.status = 'published'
      order by v.institution_id, v.quarter, v.version desc
    ) c join institutions i on i.id = c.institution_id`)) as unknown as { rows: Row[] };
  return rows.map((r) => ({
    code: r.code,
    quarter: r.quarter,
    version: Number(r.version),
    versionId: r.version_id,
    kept: Boolean(r.kept),
  }));
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

export type NationalTotals = {
  latestQuarter: string | null;
  institutionsInLatest: number;
  latest: Figures;
  sinceInception: Figures;
  institutionsEver: number;
  rows: PublishedSummary[];
  /** projects financed by several banks, counted once in `latest` and `sinceInception` */
  sharedProjects: { latest: CountedOnce; sinceInception: CountedOnce };
  /** how many institutions' figures are computed from their frozen loans, and how many are counted as published */
  counting: { latest: TotalsCounting; sinceInception: TotalsCounting };
};

export type TotalsCounting = { fromLoans: number; asPublished: number };

/**
 * The last loan sums of the totals with the published versions they were computed from, kept by the caller
 * (one per service): published versions and their frozen loans never change, so the home page reads every
 * frozen loan once per publication only.
 */
export type TotalsMemo = { key: string | null; value: Promise<Map<string, LoanSums>> | null };

type LoanSums = { sums: TotalsSums | null; exact: { counted: Fraction; notCounted: Fraction } | null };

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

const NO_LOANS: TotalsSums = {
  projects: 0,
  principalFen: 0n,
  rateWeightedPpmFen: 0n,
  ratedPrincipalFen: 0n,
  reductionLowerUnits: 0n,
  reductionTerms: 0,
  sharedProjects: 0,
  projectsNotCounted: 0,
  notCountedLowerUnits: 0n,
  notCountedTerms: 0,
};

/** The frozen loans of the current published versions `ids` (scope `scope`), as db/sql/national-totals.ts reads them. */
const frozenLoans = (scope: string, ids: readonly string[], from: string | null) =>
  sql`select ${scope}::text as scope, dl.loan_id, v.institution_id, dl.borrower_credit_code as credit_code, dl.project_name, dl.province,
    v.institution_id::text || E'\t' || dl.project_ref as project_id, dl.principal_fen, dl.rate_ppm, dl.attributed_centitonnes,
    dl.project_reduction_centitonnes, dl.project_total_investment_fen, l.register_id
  from disclosure_versions v join disclosure_loans dl on dl.version_id = v.id
    -- the project's identity is read now, through the loan: a link or split of the register reaches every version
    left join loans l on l.id = dl.loan_id
  where v.id in (${
    ids.length
      ? sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )
      : sql`null::uuid`
  })
    ${from ? sql`and dl.disbursed_on >= ${from}::date` : sql``}`;

/** The loans' sums of each scope (one statement), and the exact terms only for a scope whose rounding the interval leaves open. */
async function loanSums(
  db: Db,
  scopes: { scope: string; ids: string[]; from: string | null }[],
  published: Map<string, PublishedTotalsFigures[]>,
  rounding: RoundingMode,
): Promise<Map<string, LoanSums>> {
  const source = sql.join(
    scopes.map((s) => frozenLoans(s.scope, s.ids, s.from)),
    sql` union all `,
  );
  const rows = rowsOf<Record<string, string>>(await db.execute(nationalTotalsSums(source)));
  const out = new Map<string, LoanSums>();
  for (const s of scopes) {
    const r = rows.find((x) => x.scope === s.scope);
    const sums: TotalsSums = r ? totalsSumsOfRow(r) : NO_LOANS;
    if (presentTotals(withPublished(sums, published.get(s.scope) ?? []), rounding)) {
      out.set(s.scope, { sums, exact: null });
      continue;
    }
    // the interval straddles a rounding boundary: the exact terms decide (rare)
    const terms = rowsOf<Record<string, string | null>>(await db.execute(nationalTotalsTerms(frozenLoans(s.scope, s.ids, s.from))));
    out.set(s.scope, {
      sums,
      exact: reductionOfTerms(
        terms.map((t) => ({ group: t.grp, cap: t.cap === null ? null : BigInt(t.cap), num: BigInt(t.num!), den: BigInt(t.den!) })),
      ),
    });
  }
  return out;
}

/** The totals of one scope: the loans' sums and the published figures, rounded once. */
function totalsOf(loans: LoanSums, published: readonly PublishedTotalsFigures[], rounding: RoundingMode) {
  const sums = withPublished(loans.sums ?? NO_LOANS, published);
  const certified = loans.exact ? null : presentTotals(sums, rounding);
  if (certified) return certified;
  const exact = loans.exact ?? { counted: { num: 0n, den: 1n }, notCounted: { num: 0n, den: 1n } };
  const reduction = sumFractionsExact([exact.counted, ...published.map((p) => p.reductionCentitonnes)]);
  return presentExactTotals(sums, reduction, exact.notCounted, rounding);
}

/**
 * The national totals of the latest quarter (the current published versions of that quarter) and since first
 * support (each institution's newest current published version), computed from the loans those versions
 * froze, exactly, and rounded once (domain/disclosures/national-totals.ts): a project financed by several
 * banks counts once; a version without frozen loans (an imported statement, or compiled before loan sets
 * existed) counts at its published figures. Then the latest quarter's rows for its table.
 */
export async function nationalTotals(db: Db, options: { memo?: TotalsMemo } = {}): Promise<NationalTotals> {
  const versions = rowsOf<{
    scope: string;
    id: string;
    has_loans: boolean;
    f: Parameters<typeof publishedTotalsFigures>[0] | null;
    quarter: string;
  }>(
    await db.execute(sql`
    with current_versions as (
      select distinct on (institution_id, quarter) id, institution_id, quarter, content ? 'loanSet' as has_loans, content->'horizons' as h
      from disclosure_versions where status = 'published'
      order by institution_id, quarter, version desc
    ), top as (
      select max(quarter) as quarter from current_versions
    )
    select 'latest' as scope, c.id, c.quarter, c.has_loans, c.h->'quarter' as f
      from current_versions c join top on c.quarter = top.quarter
    union all
    select 'since', n.id, n.quarter, n.has_loans, n.f from (
      select distinct on (institution_id) id, quarter, has_loans, h->'sinceInception' as f
      from current_versions order by institution_id, quarter desc
    ) n`),
  );
  const latest = versions.filter((v) => v.scope === 'latest');
  const since = versions.filter((v) => v.scope === 'since');
  const latestQuarter = latest[0]?.quarter ?? null;
  // the rounding of the policy in force at the latest quarter's end (the launch policy's before any)
  const rounding = roundingOf(latestQuarter ? quarterBounds(latestQuarter).end : POLICY_VERSIONS[0].effectiveFrom);
  const publishedOf = (vs: typeof versions) => vs.filter((v) => !v.has_loans && v.f).map((v) => publishedTotalsFigures(v.f!));
  const published = new Map([
    ['latest', publishedOf(latest)],
    ['since', publishedOf(since)],
  ]);
  const scopes = [
    {
      scope: 'latest',
      ids: latest.filter((v) => v.has_loans).map((v) => v.id),
      from: latestQuarter ? quarterBounds(latestQuarter).start : null,
    },
    { scope: 'since', ids: since.filter((v) => v.has_loans).map((v) => v.id), from: null },
  ];
  const compute = () => loanSums(db, scopes, published, rounding);
  let sums: Map<string, LoanSums>;
  if (!latestQuarter) sums = new Map();
  else if (!options.memo) sums = await compute();
  else {
    const memo = options.memo;
    // the loans' sums change with the versions counted and with each link or split of the register (the
    // projects are grouped by the loans' register entries as they stand)
    const [acts] = rowsOf<{ n: string }>(
      await db.execute(
        sql`select count(*)::text as n from approvals where status = 'confirmed' and kind in ('link_projects', 'split_project')`,
      ),
    );
    const key = `${versions
      .map((v) => `${v.scope}:${v.id}`)
      .sort()
      .join(',')};register:${acts!.n}`;
    if (memo.key !== key || !memo.value) {
      // kept as a promise, so requests arriving while it is computed wait for the same answer
      const value = compute();
      Object.assign(memo, { key, value });
      value.catch(() => {
        if (memo.value === value) Object.assign(memo, { key: null, value: null });
      });
    }
    sums = await memo.value!;
  }
  const none: LoanSums = { sums: null, exact: null };
  const l = totalsOf(sums.get('latest') ?? none, published.get('latest')!, rounding);
  const e = totalsOf(sums.get('since') ?? none, published.get('since')!, rounding);
  const counting = (vs: typeof versions): TotalsCounting => ({
    fromLoans: vs.filter((v) => v.has_loans).length,
    asPublished: vs.filter((v) => !v.has_loans).length,
  });
  return {
    latestQuarter,
    institutionsInLatest: latest.length,
    latest: l.figures,
    sinceInception: e.figures,
    institutionsEver: since.length,
    rows: latestQuarter ? await listPublished(db, { quarter: latestQuarter, limit: 100_000 }) : [],
    sharedProjects: { latest: l.countedOnce, sinceInception: e.countedOnce },
    counting: { latest: counting(latest), sinceInception: counting(since) },
  };
}

/** An institution's current published version of every quarter, oldest first (for charts). */
export async function institutionSeries(db: Db, code: string) {
  const [inst] = await db.select().from(institutions).where(eq(institutions.code, code)).limit(1);
  if (!inst || inst.kind !== 'bank') return null;
  const rows = await listPublished(db, { institution: code, limit: 1000 });
  return { institution: inst, quarters: rows.reverse() };
}
