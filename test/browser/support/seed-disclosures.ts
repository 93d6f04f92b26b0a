/**
 * Published disclosures written straight into the disclosure tables (real database, no mocks), for
 * page tests that must not depend on the compile → verify → publish jobs. Figures are CITIC's real
 * 2022 Q3 statement (cerf-facts §4.5) and made-up earlier quarters.
 */
import { freezeLoanSet } from '../../../db/repositories/disclosure-loans.js';
import { sha256OfCanonical } from '../../../domain/disclosures/canonical.js';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { disclosureVersions, institutions, verificationAssignments } from '../../../db/schema/index.js';
import { renderStatement } from '../../../domain/disclosures/statement.js';
import { quarterBounds } from '../../../domain/dates.js';

type F = { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
const f = (projects: number, loanAmountWanYuan: string, weightedAverageRatePercent: string, annualReductionTonnes: string): F => ({
  projects,
  loanAmountWanYuan,
  weightedAverageRatePercent,
  annualReductionTonnes,
});

export const CITIC_2022Q3 = {
  quarter: f(4, '13773.43', '4.29', '19457.55'),
  yearToDate: f(9, '61938.43', '4.42', '194423.28'),
  sinceInception: f(11, '79967.43', '4.40', '235229.33'),
};

export async function publishDisclosure(
  db: Db,
  input: {
    institutionCode: string;
    quarter: string;
    version?: number;
    horizons: { quarter: F; yearToDate: F; sinceInception: F };
    byArea?: { area: string; quarter: F; yearToDate: F; sinceInception: F }[];
    topProjects?: { name: string; annualReductionTonnes: string }[];
    restatesVersionId?: string;
    publishedOn?: string;
    verifierCode?: string;
    status?: 'published' | 'compiled' | 'under_verification' | 'verified';
  },
) {
  const [inst] = await db.select().from(institutions).where(eq(institutions.code, input.institutionCode));
  const { year, q } = quarterBounds(input.quarter);
  const byArea = input.byArea ?? [{ area: 'clean_energy', ...input.horizons }];
  const topProjects = input.topProjects ?? [];
  let restatesVersion: number | null = null;
  if (input.restatesVersionId) {
    const [r] = await db.select().from(disclosureVersions).where(eq(disclosureVersions.id, input.restatesVersionId));
    restatesVersion = r.version;
  }
  const statement = renderStatement({
    bank: { nameZh: inst.nameZh, nameEn: inst.nameEn },
    year,
    q,
    horizons: input.horizons,
    areas: ['clean_energy'],
    namedProjects: topProjects.map((p) => p.name),
    restatesVersion,
  });
  const content = {
    institution: { code: inst.code, nameZh: inst.nameZh, nameEn: inst.nameEn },
    quarter: input.quarter,
    horizons: input.horizons,
    byArea,
    topProjects,
    statement,
  };
  const status = input.status ?? 'published';
  const publishedOn = input.publishedOn ?? '2022-11-28';
  const [row] = await db
    .insert(disclosureVersions)
    .values({
      institutionId: inst.id,
      quarter: input.quarter,
      version: input.version ?? 1,
      status,
      content,
      contentSha256: sha256OfCanonical(content),
      countedLoans: input.horizons.sinceInception.projects,
      restatesVersionId: input.restatesVersionId ?? null,
      compiledAt: new Date(`${publishedOn}T00:00:00Z`),
      publishedAt: status === 'published' ? new Date(`${publishedOn}T08:00:00Z`) : null,
      publishedOn: status === 'published' ? publishedOn : null,
    })
    .returning();
  // the loans it counted, frozen with it as compilation does (the verifier's sample is drawn from them)
  await freezeLoanSet(db, { versionId: row.id, institutionId: inst.id, through: quarterBounds(input.quarter).end });
  if (input.verifierCode) {
    const [verifier] = await db.select().from(institutions).where(eq(institutions.code, input.verifierCode));
    await db.insert(verificationAssignments).values({
      disclosureVersionId: row.id,
      verifierId: verifier.id,
      assignedHow: 'operator',
      seed: 'seed-1',
      materialityFen: 1_000_000_000n,
      randomSampleSize: 3,
      verdict: status === 'published' ? 'verified' : null,
      summary: status === 'published' ? 'all sampled loans agree with their evidence' : null,
      assignedAt: new Date(`${publishedOn}T01:00:00Z`),
      completedAt: status === 'published' ? new Date(`${publishedOn}T06:00:00Z`) : null,
      completedOn: status === 'published' ? publishedOn : null,
    });
  }
  return row;
}
