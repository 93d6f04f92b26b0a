/**
 * What the disclosure API shows of a version: the version row, its bank, its verification (the
 * assignment and the verifier's name) and the version that restates it, if any — read in one joined
 * query however many versions a page lists.
 */
import { and, asc, desc, eq, gt, isNotNull, lt, min, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../client.js';
import type { DisclosureVersionRow } from '../repositories/disclosures.js';
import { disclosureVersions, institutions, verificationAssignments } from '../schema/index.js';

export type Visibility =
  { kind: 'public' } | { kind: 'operator' } | { kind: 'bank'; institutionId: string } | { kind: 'verifier'; institutionId: string };

export type VersionView = {
  version: DisclosureVersionRow;
  institution: { code: string; nameZh: string; nameEn: string };
  verification: {
    verifierId: string;
    verifier: string;
    verifierNameZh: string;
    assignedAt: Date;
    verdict: 'verified' | 'rejected' | null;
    completedOn: string | null;
    reportSha256: string | null;
  } | null;
  /** the number of the version that restates this one */
  restatedBy: number | null;
};

const verifier = alias(institutions, 'verifier');

/** One joined query: versions with their bank, verification and restating version, filtered by `where`. */
function views(db: Tx, where: SQL | undefined) {
  const restating = db
    .select({ restatesId: disclosureVersions.restatesVersionId, restatedBy: min(disclosureVersions.version).as('restated_by') })
    .from(disclosureVersions)
    .where(isNotNull(disclosureVersions.restatesVersionId))
    .groupBy(disclosureVersions.restatesVersionId)
    .as('restating');
  return db
    .select({
      version: disclosureVersions,
      institution: { code: institutions.code, nameZh: institutions.nameZh, nameEn: institutions.nameEn },
      verification: {
        verifierId: verificationAssignments.verifierId,
        verifier: verifier.code,
        verifierNameZh: verifier.nameZh,
        assignedAt: verificationAssignments.assignedAt,
        verdict: verificationAssignments.verdict,
        completedOn: verificationAssignments.completedOn,
        reportSha256: verificationAssignments.reportSha256,
      },
      restatedBy: restating.restatedBy,
    })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .leftJoin(verificationAssignments, eq(verificationAssignments.disclosureVersionId, disclosureVersions.id))
    .leftJoin(verifier, eq(verifier.id, verificationAssignments.verifierId))
    .leftJoin(restating, eq(restating.restatesId, disclosureVersions.id))
    .where(where)
    .$dynamic();
}

type Joined = {
  version: DisclosureVersionRow;
  institution: VersionView['institution'];
  verification: { [K in keyof NonNullable<VersionView['verification']>]: NonNullable<VersionView['verification']>[K] | null } | null;
  restatedBy: number | null;
};

const asView = (r: Joined): VersionView => {
  const v = r.verification;
  return {
    version: r.version,
    institution: r.institution,
    verification:
      v && v.verifierId
        ? {
            verifierId: v.verifierId,
            verifier: v.verifier!,
            verifierNameZh: v.verifierNameZh!,
            assignedAt: v.assignedAt!,
            verdict: v.verdict,
            completedOn: v.completedOn,
            reportSha256: v.reportSha256,
          }
        : null,
    restatedBy: r.restatedBy === null ? null : Number(r.restatedBy),
  };
};

/** Versions visible to the caller, newest quarter first; cursor = (quarter, code, version) of the last item. Reads `limit + 1`. */
export async function listVersionViews(
  db: Tx,
  filter: { quarter?: string; institutionCode?: string; visibility: Visibility },
  page: { limit: number; after: [string, string, number] | null },
): Promise<VersionView[]> {
  const v = filter.visibility;
  const visible =
    v.kind === 'operator'
      ? undefined
      : v.kind === 'public'
        ? eq(disclosureVersions.status, 'published')
        : v.kind === 'bank'
          ? or(eq(disclosureVersions.status, 'published'), eq(disclosureVersions.institutionId, v.institutionId))
          : or(eq(disclosureVersions.status, 'published'), eq(verificationAssignments.verifierId, v.institutionId));
  const after = page.after
    ? or(
        lt(disclosureVersions.quarter, page.after[0]),
        and(eq(disclosureVersions.quarter, page.after[0]), gt(institutions.code, page.after[1])),
        and(
          eq(disclosureVersions.quarter, page.after[0]),
          eq(institutions.code, page.after[1]),
          lt(disclosureVersions.version, page.after[2]),
        ),
      )
    : undefined;
  const rows = await views(
    db,
    and(
      visible,
      after,
      filter.quarter ? eq(disclosureVersions.quarter, filter.quarter) : undefined,
      filter.institutionCode ? eq(institutions.code, filter.institutionCode) : undefined,
    ),
  )
    .orderBy(desc(disclosureVersions.quarter), asc(institutions.code), desc(disclosureVersions.version))
    .limit(page.limit + 1);
  return rows.map(asView);
}

/** Every version of a bank's quarter, oldest first. */
export async function versionViewsOf(db: Tx, institutionId: string, quarter: string): Promise<VersionView[]> {
  const rows = await views(db, and(eq(disclosureVersions.institutionId, institutionId), eq(disclosureVersions.quarter, quarter))).orderBy(
    asc(disclosureVersions.version),
  );
  return rows.map(asView);
}

export async function versionView(db: Tx, versionId: string): Promise<VersionView | null> {
  const [row] = await views(db, eq(disclosureVersions.id, versionId)).limit(1);
  return row ? asView(row) : null;
}

/** Who sees a version (the same rule as `listVersionViews`'s filter): everyone a published one, the operator all, a bank its own, a verifier those assigned to it. */
export function canSee(visibility: Visibility, view: VersionView): boolean {
  const v = visibility;
  return (
    view.version.status === 'published' ||
    v.kind === 'operator' ||
    (v.kind === 'bank' && view.version.institutionId === v.institutionId) ||
    (v.kind === 'verifier' && view.verification?.verifierId === v.institutionId)
  );
}

/** The quarters that have at least one disclosure version, newest first, with how many versions each has. */
export async function quartersWithVersions(db: Tx): Promise<{ quarter: string; versions: number }[]> {
  const rows = await db
    .select({ quarter: disclosureVersions.quarter, versions: sql<number>`count(*)::int` })
    .from(disclosureVersions)
    .groupBy(disclosureVersions.quarter)
    .orderBy(desc(disclosureVersions.quarter));
  return rows.map((r) => ({ quarter: r.quarter, versions: Number(r.versions) }));
}
