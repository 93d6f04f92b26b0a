/**
 * The disclosure workflow's commands: the bank submits its compiled version, the operator publishes a
 * verified one (or the publish job does, after a "verified" verdict), and a new version is asked for
 * after a rejection (correction) or a publication (restatement). Each changes state and writes the
 * jobs it implies to the outbox in the same transaction. Assigning a verifier, findings and the
 * verdict are app/disclosures/verification.ts.
 */
import { findLatestVersion, lockVersionById, moveStatus, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { findInstitutionByCode, findInstitutionById, type InstitutionRow } from '../../db/repositories/institutions.js';
import { writeOutbox } from '../../db/repositories/outbox.js';
import type { Tx } from '../../db/client.js';
import { shanghaiDate } from '../../domain/dates.js';
import { nextVersionKind, transition, type DisclosureStatus, type WorkflowVerb } from '../../domain/disclosures/workflow.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { signVersion } from './sign-publication.js';
import { refuseUncheckedSubmission } from './check-findings.js';

/** A bank's disclosure of a quarter, as the edges name it. */
export type DisclosureRef = { institutionCode: string; quarter: string };

/** `illegal_transition`, naming the state the disclosure is in. */
export function refuseIllegal(r: { message: string; current: string }): never {
  refuse('illegal_transition', r.message, { extra: { currentStatus: r.current } });
}

/** The bank of a disclosure reference; anything that is not a bank does not exist here. */
export async function bankOf(tx: Tx, code: string): Promise<InstitutionRow> {
  const bank = await findInstitutionByCode(tx, code);
  if (!bank || bank.kind !== 'bank') refuse('not_found', `bank ${code} not found`);
  return bank;
}

/** The latest version of a bank's quarter, locked for a transition; a bank may act only on its own. */
export async function latestForVerb(
  ctx: ActorContext,
  ref: DisclosureRef,
): Promise<{ bank: InstitutionRow; latest: DisclosureVersionRow }> {
  const bank = await bankOf(ctx.tx, ref.institutionCode);
  if (ctx.actor.role === 'bank' && ctx.actor.institutionId !== bank.id)
    refuse('not_found', `disclosure ${ref.institutionCode} ${ref.quarter} not found`);
  const latest = await findLatestVersion(ctx.tx, bank.id, ref.quarter, { lock: true });
  if (!latest) refuse('not_found', `disclosure ${ref.institutionCode} ${ref.quarter} not found`);
  return { bank, latest };
}

/** Applies a workflow verb to a locked version, or refuses the illegal transition naming its state. */
export async function applyVerb(
  tx: Tx,
  version: DisclosureVersionRow,
  verb: WorkflowVerb,
  extra: Parameters<typeof moveStatus>[4] = {},
): Promise<DisclosureVersionRow> {
  const next = transition(version.status, verb);
  if (!next.ok) refuseIllegal(next as { message: string; current: string });
  const row = await moveStatus(tx, version.id, version.status, next.value as DisclosureStatus, extra);
  if (!row) {
    const fresh = await findLatestVersion(tx, version.institutionId, version.quarter);
    refuseIllegal({ current: fresh?.status ?? version.status, message: `the disclosure changed state meanwhile; it is ${fresh?.status}` });
  }
  return row;
}

/** The bank submits its compiled version for verification. */
export async function submitDisclosure(ctx: ActorContext, ref: DisclosureRef): Promise<DisclosureVersionRow> {
  const { latest } = await latestForVerb(ctx, ref);
  if (latest.status === 'compiled') await refuseUncheckedSubmission(ctx.tx, latest);
  return applyVerb(ctx.tx, latest, 'submit', { submittedAt: ctx.now, submittedBy: ctx.actor.userId });
}

/** Publishes a verified version and notifies the bank; an already published version is answered as is. */
async function publish(ctx: UseCaseContext, version: DisclosureVersionRow): Promise<{ row: DisclosureVersionRow; changed: boolean }> {
  if (version.status === 'published') return { row: version, changed: false };
  const row = await applyVerb(ctx.tx, version, 'publish', { publishedAt: ctx.now, publishedOn: shanghaiDate(ctx.now) });
  await signVersion(ctx, row);
  const bank = await findInstitutionById(ctx.tx, version.institutionId);
  await writeOutbox(ctx.tx, [outboxJobs.notify('disclosure.published', row, bank!)]);
  return { row, changed: true };
}

/** The operator publishes the latest version, which must be verified (published again: a restatement is a new version). */
export async function publishDisclosure(ctx: ActorContext, ref: DisclosureRef): Promise<DisclosureVersionRow> {
  const { latest } = await latestForVerb(ctx, ref);
  if (latest.status === 'published')
    refuseIllegal({ message: 'the disclosure is already published; a change is a restatement (a new version)', current: latest.status });
  return (await publish(ctx, latest)).row;
}

/** The publish job after a "verified" verdict: idempotent (a published version is done). */
export async function publishVerified(
  ctx: UseCaseContext,
  input: { versionId: string },
): Promise<{ row: DisclosureVersionRow; changed: boolean }> {
  const version = await lockVersionById(ctx.tx, input.versionId);
  if (!version) refuse('not_found', `disclosure version ${input.versionId} does not exist`);
  return publish(ctx, version);
}

/** A corrected (after rejection) or restated (after publication) version: writes its compile job. */
export async function requestNewVersion(
  ctx: ActorContext,
  ref: DisclosureRef & { reason: string },
): Promise<{ jobId: string; version: number; kind: 'correction' | 'restatement' }> {
  const { bank, latest } = await latestForVerb(ctx, ref);
  const kind = nextVersionKind(latest.status);
  if (!kind.ok) refuseIllegal(kind as { message: string; current: string });
  const version = latest.version + 1;
  const job = outboxJobs.compile(bank.code, {
    institutionId: latest.institutionId,
    quarter: latest.quarter,
    version,
    previousVersionId: latest.id,
    restatesVersionId: kind.value === 'restatement' ? latest.id : null,
    changeReason: ref.reason,
  });
  await writeOutbox(ctx.tx, [job]);
  return { jobId: job.jobId, version, kind: kind.value };
}
