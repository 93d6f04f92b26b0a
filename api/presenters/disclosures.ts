/**
 * The API's JSON of disclosure versions and verification assignments (API.md shapes). Pure: rows of
 * the read models in, view data out; no database.
 */
import type { VersionView } from '../../db/read-models/disclosure-versions.js';
import type { AssignmentView } from '../../db/read-models/verifier-queue.js';
import type { FindingRow, SampleRow } from '../../db/repositories/verification.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { isImported } from '../../domain/disclosures/imported-statement.js';
import { formatYuan } from '../../domain/money.js';

/** One version, with its verification and the version that restates it, if any. */
export function presentVersion(view: VersionView) {
  const row = view.version;
  const content = row.content as DisclosureContent;
  const v = view.verification;
  return {
    institution: content.institution,
    quarter: row.quarter,
    version: row.version,
    status: row.status,
    period: content.period,
    horizons: content.horizons,
    byArea: content.byArea,
    topProjects: content.topProjects,
    statement: content.statement,
    basis: content.basis,
    previousVersion: content.previousVersion,
    restatesVersion: content.restatesVersion,
    restatedBy: view.restatedBy,
    reason: row.reason,
    addedLoanIds: row.addedLoanIds ?? [],
    namedProjects: content.namedProjects ?? [],
    format: content.format ?? null,
    loanSet: content.loanSet ?? null,
    changeReason: row.changeReason ?? null,
    difference: row.difference ?? null,
    compiledAt: row.compiledAt.toISOString(),
    submittedAt: row.submittedAt?.toISOString() ?? null,
    publishedOn: row.publishedOn,
    verification: v
      ? {
          verifier: v.verifier,
          verifierNameZh: v.verifierNameZh,
          assignedAt: v.assignedAt.toISOString(),
          verdict: v.verdict,
          completedOn: v.completedOn,
          reportSha256: v.reportSha256,
        }
      : null,
    contentSha256: row.contentSha256,
    imported: isImported(content) ? { publishedOn: content.imported.publishedOn, source: content.imported.source } : null,
  };
}

export function presentAssignment(view: AssignmentView) {
  const a = view.assignment;
  return {
    id: a.id,
    disclosure: {
      institution: view.bank.code,
      quarter: view.version.quarter,
      version: view.version.version,
      contentSha256: view.version.contentSha256,
    },
    verifier: view.verifier.code,
    assignedHow: a.assignedHow,
    assignedAt: a.assignedAt.toISOString(),
    sampling: { seed: a.seed, materialityThreshold: formatYuan(a.materialityFen), randomSampleSize: a.randomSampleSize },
    verdict: a.verdict,
    summary: a.summary,
    completedOn: a.completedOn,
    reportSha256: a.reportSha256,
  };
}

export const presentSampledLoan = (s: SampleRow) => ({ ordinal: s.ordinal, loanId: s.loanId, reason: s.reason, snapshot: s.snapshot });

export const presentFinding = (f: FindingRow) => ({
  id: f.id,
  loanId: f.loanId,
  check: f.check,
  outcome: f.outcome,
  note: f.note,
  createdAt: f.createdAt.toISOString(),
  supersedes: f.supersedes,
  reason: f.reason,
  supersededBy: f.supersededBy,
  supersededAt: f.supersededAt?.toISOString() ?? null,
});
