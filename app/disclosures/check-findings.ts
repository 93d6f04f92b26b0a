/**
 * The findings of the checks a disclosure version passes before submission (domain/disclosures/checks.ts),
 * each with the bank's confirmation, and the gate of the submission: a validity finding stops it, and so
 * does a quality or macro finding the bank has not confirmed with a reason. The thresholds are the ones
 * in force at the quarter's end.
 */
import { quarterBounds } from '../../domain/dates.js';
import { checkDisclosure, type CheckFinding } from '../../domain/disclosures/checks.js';
import { checkThresholdsOn } from '../../domain/policy/index.js';
import type { DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import {
  checkLoansOf,
  earlierProjectFactsOf,
  earlierQuartersOf,
  institutionsWithLoansOn,
  quarterHistoryOf,
} from '../../db/read-models/disclosure-checks.js';
import { confirmationsOf } from '../../db/repositories/disclosure-checks.js';
import type { Tx } from '../../db/client.js';
import { refuse } from '../refusals.js';

export type CheckedFinding = CheckFinding & { confirmation: { reason: string; at: Date } | null };

/** The findings of a version, each with the bank's confirmation if it has one. */
export async function findingsOf(
  tx: Tx,
  version: Pick<DisclosureVersionRow, 'id' | 'quarter' | 'institutionId'>,
): Promise<CheckedFinding[]> {
  const { start, end } = quarterBounds(version.quarter);
  const earlier = await earlierQuartersOf(tx, version.institutionId, version.quarter);
  const findings = checkDisclosure({
    quarter: version.quarter,
    quarterStart: start,
    quarterEnd: end,
    loans: await checkLoansOf(tx, version.id),
    thresholds: checkThresholdsOn(end),
    history: await quarterHistoryOf(tx, earlier),
    earlierFacts: await earlierProjectFactsOf(tx, earlier),
    institutionsWithLoans: await institutionsWithLoansOn(tx, end),
  });
  const confirmed = new Map((await confirmationsOf(tx, version.id)).map((c) => [`${c.check} ${c.subject}`, c]));
  return findings.map((f) => {
    const c = f.kind !== 'validity' ? confirmed.get(`${f.check} ${f.subject}`) : undefined;
    return { ...f, confirmation: c ? { reason: c.reason, at: c.confirmedAt } : null };
  });
}

export const blocking = (findings: readonly CheckedFinding[]) => findings.filter((f) => f.kind === 'validity' || f.confirmation === null);

/** Refuses the submission of a version with a validity finding or an unconfirmed quality finding. */
export async function refuseUncheckedSubmission(tx: Tx, version: DisclosureVersionRow): Promise<void> {
  const open = blocking(await findingsOf(tx, version));
  if (!open.length) return;
  const errors = open.map((f) => ({ path: f.subject, code: f.check, message: f.message }));
  if (open.some((f) => f.kind === 'validity'))
    refuse('disclosure_checks_failed', `${open.length} finding(s) stop the submission: ${open[0].message}`, { errors });
  refuse('disclosure_checks_unconfirmed', `${open.length} quality or macro finding(s) must be confirmed with a reason before submitting`, {
    errors,
  });
}
