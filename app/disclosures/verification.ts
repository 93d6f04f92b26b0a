/**
 * Verification: the operator declares conflicts; a verifier is assigned to a submitted version — named
 * by the operator, or picked by the rule (least open assignments, never a conflicted one) in the
 * assign job — with the policy's sampling defaults and a frozen, reproducible sample; the assigned
 * verifier records findings on sampled loans and gives the verdict, which stores the report and its
 * SHA-256 and writes the follow-up jobs. The route, the verifier's pages and the assign job call these.
 */
import { findingsOf as checkFindingsOf } from './check-findings.js';
import { loanSetCandidates, sampleCoverageSums } from '../../db/repositories/disclosure-loans.js';
import { findLatestVersion, findVersionById, lockVersionById, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { findInstitutionByCode, findInstitutionById, type InstitutionRow } from '../../db/repositories/institutions.js';
import { lockKey, writeOutbox, type NewOutboxJob } from '../../db/repositories/outbox.js';
import {
  addFindings,
  completeAssignment,
  declareConflict as insertConflict,
  findAssignment,
  findAssignmentForVersion,
  findingsOf,
  insertAssignment,
  insertSample,
  isConflicted,
  loansWithProjects,
  pickVerifierByRule,
  sampleOf,
  type AssignmentRow,
  type FindingCheck,
  type FindingRow,
} from '../../db/repositories/verification.js';
import type { Tx } from '../../db/client.js';
import { currentFindingsOf } from '../../db/repositories/finding-corrections.js';
import { queryThreadsOf, type QueryThread } from '../../db/repositories/verification-queries.js';
import { shanghaiDate } from '../../domain/dates.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { areaOf, quarterPeriod } from '../../domain/disclosures/compile.js';
import { attributedReduction, formatAttributedReduction } from '../../domain/loans/rules.js';
import { divRound, formatPpmAsPercent, formatScaled, formatYuan } from '../../domain/money.js';
import { policyForLoanDisbursedOn, roundingOf } from '../../domain/policy/index.js';
import { drawSample } from '../../domain/verification/sample.js';
import { checkVerdict } from '../../domain/verification/verdict.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { applyVerb, bankOf, latestForVerb, refuseIllegal, type DisclosureRef } from './workflow.js';

/** The operator declares a verifier conflicted with a bank: the verifier is never assigned to it. */
export async function declareConflict(ctx: ActorContext, input: { verifierCode: string; bankCode: string; reason: string }) {
  const verifier = await findInstitutionByCode(ctx.tx, input.verifierCode);
  if (!verifier || verifier.kind !== 'verifier') refuse('not_found', `verifier ${input.verifierCode} not found`);
  const bank = await findInstitutionByCode(ctx.tx, input.bankCode);
  if (!bank || bank.kind !== 'bank') refuseViolations([{ path: 'bank', code: 'unknown_bank', message: `${input.bankCode} is not a bank` }]);
  await insertConflict(ctx.tx, { verifierId: verifier.id, bankId: bank.id, reason: input.reason, createdBy: ctx.actor.userId });
  return { verifier: verifier.code, bank: bank.code, reason: input.reason };
}

/** Who verifies: a verifier named by its code, or the rule's pick. */
export type VerifierChoice = { verifier: string } | { rule: 'least_loaded' };

/** Sampling parameters; absent ones take the policy's defaults (the seed: the version's id). */
export type Sampling = { seed?: string; materialityFen?: bigint; randomSampleSize?: number };

/**
 * Assigns a verifier to a submitted version (locked by the caller): refuses a version that is not
 * submitted, an institution that is not a verifier, a conflicted verifier, or no verifier at all for
 * the rule; draws the sample (every loan above the materiality threshold plus a seeded draw), moves the
 * version to under_verification and notifies the verifier — one transaction.
 */
async function assignVerifier(
  ctx: UseCaseContext,
  version: DisclosureVersionRow,
  input: { choice: VerifierChoice; sampling: Sampling; assignedBy: string | null },
): Promise<{ assignment: AssignmentRow; verifier: InstitutionRow }> {
  if (version.status !== 'submitted')
    refuseIllegal({ message: `cannot assign a disclosure that is ${version.status}; assign needs submitted`, current: version.status });
  const bank = (await findInstitutionById(ctx.tx, version.institutionId))!;
  let verifier: InstitutionRow | null;
  if ('verifier' in input.choice) {
    verifier = await findInstitutionByCode(ctx.tx, input.choice.verifier);
    if (!verifier || verifier.kind !== 'verifier')
      refuseViolations([{ path: 'verifier', code: 'not_a_verifier', message: `${input.choice.verifier} is not a registered verifier` }]);
  } else {
    const picked = await pickVerifierByRule(ctx.tx, version.institutionId);
    if (!picked) refuse('no_verifier_available', 'no verifier available that is not conflicted with the bank');
    verifier = (await findInstitutionById(ctx.tx, picked.id))!;
  }
  if (await isConflicted(ctx.tx, verifier.id, version.institutionId))
    refuse('verifier_conflicted', `verifier ${verifier.code} is declared conflicted with this bank (${bank.code})`);
  const policy = policyForLoanDisbursedOn(quarterPeriod(version.quarter).end)!;
  const seed = input.sampling.seed ?? version.id;
  const materialityFen = input.sampling.materialityFen ?? policy.verificationMaterialityFen;
  const randomSampleSize = input.sampling.randomSampleSize ?? policy.verificationRandomSampleSize;
  const moved = await applyVerb(ctx.tx, version, 'assign');
  const assignment = await insertAssignment(ctx.tx, {
    disclosureVersionId: version.id,
    verifierId: verifier.id,
    assignedBy: input.assignedBy,
    assignedHow: 'verifier' in input.choice ? 'operator' : input.choice.rule,
    seed,
    materialityFen,
    randomSampleSize,
    assignedAt: ctx.now,
  });
  // the sample is drawn from the loans the version counted, frozen with it
  const candidates = await loanSetCandidates(ctx.tx, version.id);
  const sample = drawSample({ candidates, materialityFen, randomSampleSize, seed });
  const snapshots = await loanSnapshots(
    ctx.tx,
    sample.map((s) => s.id),
  );
  await insertSample(
    ctx.tx,
    sample.map((s) => ({
      assignmentId: assignment.id,
      loanId: s.id,
      ordinal: s.ordinal,
      reason: s.reason,
      snapshot: snapshots.get(s.id)!,
    })),
  );
  await writeOutbox(ctx.tx, [outboxJobs.notify('disclosure.assigned', moved, verifier)]);
  return { assignment, verifier };
}

/**
 * The operator assigns a verifier to a bank's submitted disclosure: a named one now, or by the rule
 * as a job (the answer names the job to follow).
 */
export async function assignDisclosure(
  ctx: ActorContext,
  input: DisclosureRef & { choice: VerifierChoice; sampling: Sampling },
): Promise<{ kind: 'job'; jobId: string } | { kind: 'assigned'; assignment: AssignmentRow }> {
  const { latest } = await latestForVerb(ctx, input);
  if ('rule' in input.choice) {
    if (latest.status !== 'submitted')
      refuseIllegal({ message: `cannot assign a disclosure that is ${latest.status}; assign needs submitted`, current: latest.status });
    const job = outboxJobs.assign({
      versionId: latest.id,
      rule: input.choice.rule,
      assignedBy: ctx.actor.userId,
      seed: input.sampling.seed,
      materialityFen: input.sampling.materialityFen?.toString(),
      randomSampleSize: input.sampling.randomSampleSize,
    });
    await writeOutbox(ctx.tx, [job]);
    return { kind: 'job', jobId: job.jobId };
  }
  const { assignment } = await assignVerifier(ctx, latest, {
    choice: input.choice,
    sampling: input.sampling,
    assignedBy: ctx.actor.userId,
  });
  return { kind: 'assigned', assignment };
}

/** The assign job: the rule picks the verifier. A version already assigned is done (the job may run again). */
export async function assignByRule(
  ctx: UseCaseContext,
  input: { versionId: string; rule: 'least_loaded'; assignedBy: string | null; sampling: Sampling },
): Promise<{ alreadyAssigned: true } | { alreadyAssigned: false; verifierCode: string }> {
  const version = await lockVersionById(ctx.tx, input.versionId);
  if (!version) refuse('not_found', `disclosure version ${input.versionId} does not exist`);
  if (await findAssignmentForVersion(ctx.tx, version.id)) return { alreadyAssigned: true };
  // one rule-based choice at a time: two jobs choosing at once would read the same loads and pick the same verifier
  await lockKey(ctx.tx, `assign-rule:${input.rule}`);
  const { verifier } = await assignVerifier(ctx, version, {
    choice: { rule: input.rule },
    sampling: input.sampling,
    assignedBy: input.assignedBy,
  });
  return { alreadyAssigned: false, verifierCode: verifier.code };
}

/** What the verifier checks for each sampled loan, as the ledger holds it when the sample is drawn. */
async function loanSnapshots(tx: Tx, ids: string[]) {
  const rows = await loansWithProjects(tx, ids);
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
        attributedAnnualReductionTonnes: formatAttributedReduction(
          attributedReduction({ principalFen: loan.principalFen, project }),
          roundingOf(loan.disbursedOn),
        ),
      },
    ]),
  );
}

/**
 * How much of the disclosure the sample checked: its share of the version's loans, of their amount and
 * of their attributed reduction, in percent with two decimals (rounded half up once).
 */
export function sampleCoverage(sums: Awaited<ReturnType<typeof sampleCoverageSums>>) {
  const share = (part: bigint, whole: bigint) => (whole === 0n ? null : formatScaled(divRound(part * 10_000n, whole), 2));
  return {
    loans: {
      sampled: Number(sums.sampled.loans),
      total: Number(sums.total.loans),
      sharePercent: share(sums.sampled.loans, sums.total.loans),
    },
    amount: {
      sampled: formatYuan(sums.sampled.principalFen),
      total: formatYuan(sums.total.principalFen),
      sharePercent: share(sums.sampled.principalFen, sums.total.principalFen),
    },
    reduction: {
      sampledTonnes: formatScaled(sums.sampled.centitonnes, 2),
      totalTonnes: formatScaled(sums.total.centitonnes, 2),
      sharePercent: share(sums.sampled.centitonnes, sums.total.centitonnes),
    },
  };
}

/** An assignment as the edges name it: by its id (the verifier's pages) or by the disclosure (the API). */
export type AssignmentRef = { assignmentId: string } | DisclosureRef;

/**
 * The acting verifier's assignment on the latest version of its disclosure (locked), which must be
 * under verification and not yet judged. Another verifier's assignment does not exist for it.
 */
export async function openAssignment(
  ctx: ActorContext,
  ref: AssignmentRef,
): Promise<{ assignment: AssignmentRow; latest: DisclosureVersionRow }> {
  let assignment: AssignmentRow | null;
  let latest: DisclosureVersionRow | null;
  if ('assignmentId' in ref) {
    assignment = await findAssignment(ctx.tx, ref.assignmentId);
    if (!assignment || assignment.verifierId !== ctx.actor.institutionId) refuse('not_found', `assignment ${ref.assignmentId} not found`);
    const judged = (await findVersionById(ctx.tx, assignment.disclosureVersionId))!;
    latest = await findLatestVersion(ctx.tx, judged.institutionId, judged.quarter, { lock: true });
  } else {
    const bank = await bankOf(ctx.tx, ref.institutionCode);
    latest = await findLatestVersion(ctx.tx, bank.id, ref.quarter, { lock: true });
    assignment = latest ? await findAssignmentForVersion(ctx.tx, latest.id) : null;
    if (!latest || !assignment || assignment.verifierId !== ctx.actor.institutionId)
      refuse('not_found', `assignment for ${ref.institutionCode} ${ref.quarter} not found`);
  }
  if (!latest || latest.id !== assignment.disclosureVersionId || latest.status !== 'under_verification' || assignment.completedAt) {
    const status = latest?.status ?? 'compiled';
    refuseIllegal({ message: `the disclosure is ${status}; findings and verdicts need under_verification`, current: status });
  }
  return { assignment, latest };
}

/** The assigned verifier records checks on sampled loans (only sampled loans: each other one is named by path). */
export async function recordFindings(
  ctx: ActorContext,
  input: AssignmentRef & { findings: { loanId: string; check: FindingCheck; outcome: 'pass' | 'fail'; note?: string | null }[] },
): Promise<FindingRow[]> {
  const { assignment } = await openAssignment(ctx, input);
  const sampled = new Set((await sampleOf(ctx.tx, assignment.id)).map((s) => s.loanId));
  const outside = input.findings.flatMap((f, i) =>
    sampled.has(f.loanId)
      ? []
      : [{ path: `findings.${i}.loanId`, code: 'loan_not_in_sample', message: 'findings are recorded on sampled loans only' }],
  );
  if (outside.length) refuseViolations(outside);
  // one current finding per loan and check: a second one is a correction (supersede), never a silent append
  const current = new Map((await currentFindingsOf(ctx.tx, assignment.id)).map((f) => [`${f.loanId}/${f.check}`, f]));
  const seen = new Set<string>();
  const twice = input.findings.flatMap((f, i) => {
    const key = `${f.loanId}/${f.check}`;
    const repeated = seen.has(key);
    seen.add(key);
    return repeated
      ? [{ path: `findings.${i}.check`, code: 'duplicate_finding', message: `the ${f.check} check of this loan is listed twice` }]
      : [];
  });
  if (twice.length) refuseViolations(twice);
  const taken = input.findings.flatMap((f, i) => {
    const before = current.get(`${f.loanId}/${f.check}`);
    if (!before) return [];
    const message = `the ${f.check} check of this loan is already recorded (finding ${before.id}): supersede it to correct it`;
    return [{ path: `findings.${i}.check`, code: 'finding_already_recorded', message }];
  });
  if (taken.length)
    refuse('finding_already_recorded', `${taken.length} check(s) already recorded: supersede a finding to correct it`, { errors: taken });
  return addFindings(ctx.tx, assignment.id, ctx.actor.userId, input.findings);
}

/**
 * The verdict: checks the rules (every sampled loan checked; "verified" with no failed check,
 * "rejected" with one at least), moves the version to verified or rejected, stores the report (the
 * sample, the findings, the checks before signing with the bank's reasons, the verdict, the judged
 * content's hash) with its SHA-256, and writes the
 * follow-up jobs (publication after "verified", the bank's notification).
 */
export async function giveVerdict(
  ctx: ActorContext,
  input: AssignmentRef & { verdict: 'verified' | 'rejected'; summary: string },
): Promise<{ assignment: AssignmentRow; version: DisclosureVersionRow }> {
  const { assignment, latest: version } = await openAssignment(ctx, input);
  const sample = await sampleOf(ctx.tx, assignment.id);
  const history = await findingsOf(ctx.tx, assignment.id);
  // the verdict judges the findings in force; the superseded ones stay in the report as its history
  const findings = history.filter((f) => f.supersededAt === null);
  const rule = checkVerdict(
    input.verdict,
    sample.map((s) => s.loanId),
    findings,
  );
  if (!rule.ok) refuseViolations([{ path: rule.path ?? 'verdict', code: rule.status, message: rule.message ?? rule.status }]);
  const moved = await applyVerb(
    ctx.tx,
    version,
    input.verdict === 'verified' ? 'verify' : 'reject',
    input.verdict === 'verified' ? { verifiedAt: ctx.now } : {},
  );
  const verifier = (await findInstitutionById(ctx.tx, assignment.verifierId))!;
  const bank = (await findInstitutionById(ctx.tx, version.institutionId))!;
  const completedOn = shanghaiDate(ctx.now);
  const corrected = history
    .filter((f) => f.supersededAt !== null)
    .map((f) => ({ id: f.id, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note, supersededBy: f.supersededBy }));
  const queries = (await queryThreadsOf(ctx.tx, version.id)).map(reportThread);
  // the checks before signing as the verifier saw them, each with the bank's reason (kept only when there are some)
  const checks = (await checkFindingsOf(ctx.tx, version)).map((f) => ({
    kind: f.kind,
    check: f.check,
    subject: f.subject,
    message: f.message,
    reason: f.confirmation?.reason ?? null,
  }));
  const report = {
    disclosure: { institution: bank.code, quarter: version.quarter, version: version.version, contentSha256: version.contentSha256 },
    verifier: { code: verifier.code, nameZh: verifier.nameZh, nameEn: verifier.nameEn },
    sampling: {
      seed: assignment.seed,
      materialityThreshold: formatYuan(assignment.materialityFen),
      randomSampleSize: assignment.randomSampleSize,
    },
    sample: sample.map((s) => ({ ordinal: s.ordinal, loanId: s.loanId, reason: s.reason, snapshot: s.snapshot })),
    coverage: sampleCoverage(
      await sampleCoverageSums(
        ctx.tx,
        version.id,
        sample.map((s) => s.loanId),
      ),
    ),
    findings: findings.map((f) => ({ id: f.id, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note })),
    ...(corrected.length ? { supersededFindings: corrected } : {}),
    ...(queries.length ? { queries } : {}),
    ...(checks.length ? { checksBeforeSigning: checks } : {}),
    verdict: input.verdict,
    summary: input.summary,
    completedOn,
  };
  const done = await completeAssignment(ctx.tx, assignment.id, {
    verdict: input.verdict,
    summary: input.summary,
    report,
    reportSha256: sha256OfCanonical(report),
    completedAt: ctx.now,
    completedOn,
  });
  const jobs: NewOutboxJob[] = [
    outboxJobs.notify(input.verdict === 'verified' ? 'disclosure.verified' : 'disclosure.rejected', moved, bank),
  ];
  if (input.verdict === 'verified') jobs.push(outboxJobs.publish(version.id));
  await writeOutbox(ctx.tx, jobs);
  return { assignment: done!, version: moved };
}

/** A query thread as the report keeps it: the loan, the question and each answer (who, institution, when, text). */
export function reportThread(q: QueryThread) {
  const message = (m: QueryThread['question']) => ({
    id: m.id,
    by: m.by,
    institution: m.institution,
    at: m.at.toISOString(),
    text: m.text,
  });
  return { id: q.id, loanId: q.loanId, loanRef: q.loanRef, question: message(q.question), answers: q.answers.map(message) };
}
