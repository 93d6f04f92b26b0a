/**
 * Verification: conflicts between verifiers and banks, assignment (by an operator or by a rule) with
 * its frozen, reproducible sample, findings, and the verdict with its report and the report's hash.
 */
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { areaOf } from '../../domain/disclosures/compile.js';
import { shanghaiDate } from '../../domain/dates.js';
import { formatScaled, formatYuan, formatPpmAsPercent } from '../../domain/money.js';
import { drawSample } from '../../domain/verification/sample.js';
import { checkVerdict } from '../../domain/verification/verdict.js';
import { jobIds } from '../../domain/job-ids.js';
import type { Tx } from '../client.js';
import { institutions, loans, projects, verificationAssignments, verificationFindings, verificationSamples, verifierConflicts } from '../schema/index.js';
import { countedLoanCandidates, type DisclosureVersionRow } from './disclosures.js';
import { applyVerb, institutionOf, notifyJob } from './disclosures-workflow.js';
import { writeOutbox, type NewOutboxJob } from './outbox.js';
import { attributedReduction, formatAttributedReduction } from '../../domain/loans/rules.js';
import { roundingOf } from '../../domain/policy/index.js';

export type AssignmentRow = typeof verificationAssignments.$inferSelect;

export async function isConflicted(tx: Tx, verifierId: string, bankId: string): Promise<boolean> {
  const [row] = await tx
    .select({ n: count() })
    .from(verifierConflicts)
    .where(and(eq(verifierConflicts.verifierId, verifierId), eq(verifierConflicts.bankId, bankId)));
  return (row?.n ?? 0) > 0;
}

export async function declareConflict(tx: Tx, input: { verifierId: string; bankId: string; reason: string; createdBy: string }) {
  await tx.insert(verifierConflicts).values(input).onConflictDoUpdate({ target: [verifierConflicts.verifierId, verifierConflicts.bankId], set: { reason: input.reason } });
}

/** The rule: the verifier with the fewest open assignments that is not conflicted with the bank (ties by code). */
export async function pickVerifierByRule(tx: Tx, bankId: string): Promise<{ id: string; code: string } | null> {
  const rows = (await tx.execute(sql`
    select i.id, i.code from institutions i
    where i.kind = 'verifier'
      and not exists (select 1 from verifier_conflicts c where c.verifier_id = i.id and c.bank_id = ${bankId})
    order by (select count(*) from verification_assignments va where va.verifier_id = i.id and va.completed_at is null), i.code
    limit 1`)) as unknown as { rows: { id: string; code: string }[] };
  return rows.rows[0] ?? null;
}

export type AssignFailure = { ok: false; status: 'verifier_conflicted' | 'not_a_verifier' | 'no_verifier_available' | 'illegal_transition'; message: string; current?: string };

/**
 * Assigns a verifier to a submitted version: refuses a conflicted verifier, draws the sample (every
 * loan above the materiality threshold plus a seeded random draw), moves the version to
 * under_verification and writes the verifier's notification — one transaction.
 */
export async function assignVerifier(
  tx: Tx,
  version: DisclosureVersionRow,
  input: { verifierId: string; assignedBy: string | null; assignedHow: string; seed: string; materialityFen: bigint; randomSampleSize: number; now: Date },
): Promise<{ ok: true; assignment: AssignmentRow } | AssignFailure> {
  const verifier = await institutionOf(tx, input.verifierId);
  if (!verifier || verifier.kind !== 'verifier') return { ok: false, status: 'not_a_verifier', message: 'the institution is not a registered verifier' };
  if (await isConflicted(tx, verifier.id, version.institutionId)) {
    return { ok: false, status: 'verifier_conflicted', message: `verifier ${verifier.code} is declared conflicted with this bank` };
  }
  const moved = await applyVerb(tx, version, 'assign');
  if (!moved.ok) return { ok: false, status: 'illegal_transition', message: moved.message, current: moved.current };
  const [assignment] = await tx
    .insert(verificationAssignments)
    .values({
      disclosureVersionId: version.id,
      verifierId: verifier.id,
      assignedBy: input.assignedBy,
      assignedHow: input.assignedHow,
      seed: input.seed,
      materialityFen: input.materialityFen,
      randomSampleSize: input.randomSampleSize,
      assignedAt: input.now,
    })
    .returning();
  const candidates = await countedLoanCandidates(tx, version.institutionId, version.quarter);
  const sample = drawSample({ candidates, materialityFen: input.materialityFen, randomSampleSize: input.randomSampleSize, seed: input.seed });
  if (sample.length) {
    const details = await loanSnapshots(
      tx,
      sample.map((s) => s.id),
    );
    await tx.insert(verificationSamples).values(sample.map((s) => ({ assignmentId: assignment.id, loanId: s.id, ordinal: s.ordinal, reason: s.reason, snapshot: details.get(s.id)! })));
  }
  await writeOutbox(tx, [notifyJob('disclosure.assigned', moved.row, verifier)]);
  return { ok: true, assignment };
}

/** What the verifier checks for each sampled loan, as the ledger holds it. */
async function loanSnapshots(tx: Tx, ids: string[]) {
  const rows = await tx
    .select({ loan: loans, project: projects })
    .from(loans)
    .innerJoin(projects, eq(projects.id, loans.projectId))
    .where(sql`${loans.id} in ${ids}`);
  return new Map(
    rows.map(({ loan, project }) => [
      loan.id,
      {
        loanId: loan.id,
        loanRef: loan.loanRef,
        borrowerName: loan.borrowerName,
        principal: formatYuan(loan.principalFen),
        annualRatePercent: formatPpmAsPercent(loan.ratePpm, 4),
        disbursedOn: loan.disbursedOn,
        project: {
          ref: project.ref,
          name: project.name,
          subArea: project.subArea,
          area: areaOf(project.subArea),
          totalInvestment: formatYuan(project.totalInvestmentFen),
          annualReductionTonnes: formatScaled(project.annualReductionCentitonnes, 2),
          reductionBasis: project.reductionBasis,
          evidence: { title: project.evidenceTitle, sha256: project.evidenceSha256 },
        },
        attributedAnnualReductionTonnes: formatAttributedReduction(attributedReduction({ principalFen: loan.principalFen, project }), roundingOf(loan.disbursedOn)),
      },
    ]),
  );
}

export async function findAssignmentForVersion(tx: Tx, versionId: string) {
  const [row] = await tx.select().from(verificationAssignments).where(eq(verificationAssignments.disclosureVersionId, versionId)).limit(1);
  return row ?? null;
}

export async function findAssignment(tx: Tx, id: string) {
  const [row] = await tx.select().from(verificationAssignments).where(eq(verificationAssignments.id, id)).limit(1);
  return row ?? null;
}

export async function sampleOf(tx: Tx, assignmentId: string) {
  return tx.select().from(verificationSamples).where(eq(verificationSamples.assignmentId, assignmentId)).orderBy(asc(verificationSamples.ordinal));
}

export async function findingsOf(tx: Tx, assignmentId: string) {
  return tx.select().from(verificationFindings).where(eq(verificationFindings.assignmentId, assignmentId)).orderBy(asc(verificationFindings.createdAt), asc(verificationFindings.id));
}

export async function addFindings(tx: Tx, assignmentId: string, createdBy: string, findings: { loanId: string; check: (typeof verificationFindings.$inferInsert)['check']; outcome: 'pass' | 'fail'; note?: string | null }[]) {
  if (!findings.length) return [];
  return tx
    .insert(verificationFindings)
    .values(findings.map((f) => ({ assignmentId, createdBy, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note ?? null })))
    .returning();
}

/**
 * The verdict: checks the rules, moves the version to verified or rejected, stores the report (the
 * sample, the findings, the verdict, the judged content's hash) with its SHA-256, and writes the
 * follow-up jobs (publication after "verified", the bank's notification).
 */
export async function giveVerdict(tx: Tx, version: DisclosureVersionRow, assignment: AssignmentRow, input: { verdict: 'verified' | 'rejected'; summary: string; now: Date }) {
  const sample = await sampleOf(tx, assignment.id);
  const findings = await findingsOf(tx, assignment.id);
  const rule = checkVerdict(
    input.verdict,
    sample.map((s) => s.loanId),
    findings,
  );
  if (!rule.ok) return rule;
  const moved = await applyVerb(tx, version, input.verdict === 'verified' ? 'verify' : 'reject', input.verdict === 'verified' ? { verifiedAt: input.now } : {});
  if (!moved.ok) return moved;
  const verifier = await institutionOf(tx, assignment.verifierId);
  const bank = await institutionOf(tx, version.institutionId);
  const completedOn = shanghaiDate(input.now);
  const report = {
    disclosure: { institution: bank!.code, quarter: version.quarter, version: version.version, contentSha256: version.contentSha256 },
    verifier: { code: verifier!.code, nameZh: verifier!.nameZh, nameEn: verifier!.nameEn },
    sampling: { seed: assignment.seed, materialityThreshold: formatYuan(assignment.materialityFen), randomSampleSize: assignment.randomSampleSize },
    sample: sample.map((s) => ({ ordinal: s.ordinal, loanId: s.loanId, reason: s.reason, snapshot: s.snapshot })),
    findings: findings.map((f) => ({ id: f.id, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note })),
    verdict: input.verdict,
    summary: input.summary,
    completedOn,
  };
  const reportSha256 = sha256OfCanonical(report);
  const [done] = await tx
    .update(verificationAssignments)
    .set({ verdict: input.verdict, summary: input.summary, report, reportSha256, completedAt: input.now, completedOn })
    .where(and(eq(verificationAssignments.id, assignment.id), isNull(verificationAssignments.completedAt)))
    .returning();
  const jobs: NewOutboxJob[] = [notifyJob(input.verdict === 'verified' ? 'disclosure.verified' : 'disclosure.rejected', moved.row, bank!)];
  if (input.verdict === 'verified') jobs.push({ queue: 'publish', jobId: jobIds.publish(version.id), payload: { versionId: version.id } });
  await writeOutbox(tx, jobs);
  return { ok: true as const, assignment: done, version: moved.row };
}

export async function assignmentsOfVerifier(tx: Tx, verifierId: string | null, open: boolean | null) {
  return tx
    .select({ assignment: verificationAssignments, bank: { code: institutions.code, nameZh: institutions.nameZh } })
    .from(verificationAssignments)
    .innerJoin(sql`disclosure_versions dv`, sql`dv.id = ${verificationAssignments.disclosureVersionId}`)
    .innerJoin(institutions, sql`${institutions.id} = dv.institution_id`)
    .where(
      and(
        verifierId ? eq(verificationAssignments.verifierId, verifierId) : undefined,
        open === null ? undefined : open ? isNull(verificationAssignments.completedAt) : sql`${verificationAssignments.completedAt} is not null`,
      ),
    )
    .orderBy(asc(verificationAssignments.assignedAt))
    .limit(1000);
}
