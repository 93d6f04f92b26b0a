/**
 * The checks of a bank's latest disclosure version (`GET …/checks`) and the bank confirming a quality
 * finding with a reason (`POST …/checks/confirm`).
 */
import { upsertConfirmation } from '../../db/repositories/disclosure-checks.js';
import { latestVersionsOfQuarter } from '../../db/read-models/disclosure-checks.js';
import type { UseCaseContext } from '../perform.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { blocking, findingsOf } from './check-findings.js';
import { latestForVerb, type DisclosureRef } from './workflow.js';

export async function disclosureChecks(ctx: ActorContext, ref: DisclosureRef) {
  const { latest } = await latestForVerb(ctx, ref);
  const findings = await findingsOf(ctx.tx, latest);
  return { version: latest.version, status: latest.status, findings, submittable: blocking(findings).length === 0 };
}

/** The bank confirms one quality finding of its latest version with a reason. */
export async function confirmFinding(ctx: ActorContext, input: DisclosureRef & { check: string; subject: string; reason: string }) {
  const { latest } = await latestForVerb(ctx, input);
  if (latest.status !== 'compiled')
    refuse('illegal_transition', `findings are confirmed before submission; the disclosure is ${latest.status}`);
  const finding = (await findingsOf(ctx.tx, latest)).find((f) => f.check === input.check && f.subject === input.subject);
  if (!finding) refuse('not_found', `no finding ${input.check} of ${input.subject} in version ${latest.version}`);
  if (finding.kind === 'validity') refuse('disclosure_checks_failed', `${finding.message}: a validity finding is corrected, not confirmed`);
  await upsertConfirmation(ctx.tx, {
    versionId: latest.id,
    check: input.check,
    subject: input.subject,
    reason: input.reason,
    confirmedBy: ctx.actor.userId,
    confirmedAt: ctx.now,
  });
  return disclosureChecks(ctx, input);
}

/** Every bank's latest version of a quarter with its findings (operators, across banks); `open`: only those with a finding not yet settled. */
export async function checksOfQuarter(ctx: UseCaseContext, input: { quarter: string; open: boolean }) {
  const out = [];
  for (const v of await latestVersionsOfQuarter(ctx.tx, input.quarter)) {
    const findings = await findingsOf(ctx.tx, v);
    const open = blocking(findings).length;
    if (input.open && open === 0) continue;
    out.push({
      institution: { code: v.code, nameZh: v.nameZh, nameEn: v.nameEn },
      version: v.version,
      status: v.status,
      submittable: open === 0,
      findings,
    });
  }
  return { quarter: input.quarter, disclosures: out };
}
