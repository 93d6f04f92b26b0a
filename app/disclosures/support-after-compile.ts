/**
 * Support after compile: under 先贷后借 a loan of September is often supported in the next quarter's
 * operation, and it still belongs to September's quarter. When support is approved (approve, allocate)
 * for loans of a quarter that was already compiled — the bank has a version of it, or the quarter's
 * compilation ran while the bank had nothing to count — the service compiles that quarter again for the
 * bank, in the same transaction as the approval: version 1 if it had none, a correction while
 * unpublished, a restatement once published, with the reason `support_after_compile` and the loans it
 * adds. The later compiled quarters of the same year are compiled again too (their year-to-date figures
 * count the loans), so a year's quarters always add up to its year-to-date figures.
 *
 * Our choice for a version being verified: a corrected version supersedes it. A version still compiled,
 * submitted or under verification becomes `superseded`, its open assignment is withdrawn (closed without
 * a verdict, the verifier notified), and the new version goes through the workflow (the bank submits
 * it). A rejected version keeps its verdict (the new one is its correction); a verified one is published
 * now — its publication is due by the verdict — and then restated.
 */
import { compiledQuartersOf, findLatestVersion, moveStatus, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { findInstitutionById } from '../../db/repositories/institutions.js';
import { lockKey, writeOutbox } from '../../db/repositories/outbox.js';
import { withdrawAssignment } from '../../db/repositories/verification.js';
import { addDays, quarterOf, shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { planAfterLateSupport } from '../../domain/disclosures/workflow.js';
import { jobIds } from '../../domain/job-ids.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { UseCaseContext } from '../perform.js';
import { compileVersion } from './compile-version.js';
import { publishVerified } from './workflow.js';

export type NewlyCoveredLoan = { loanId: string; disbursedOn: IsoDate };

/** One bank's loans newly covered by an approval. */
export type NewSupport = { institutionId: string; loans: readonly NewlyCoveredLoan[] };

/**
 * Why coverage changed: support approved for the loans (`support_after_compile`, the version lists the
 * loans it adds), or an approved application rejected before its disbursement (`support_withdrawn`, the
 * loans leave the count; the version's difference lists them as removed).
 */
export type CoverageChange = 'support_after_compile' | 'support_withdrawn';

/**
 * Compiles again, for each bank, every already compiled quarter whose quarter or year-to-date figures
 * its newly covered loans change (from the quarter of each loan's disbursement to the end of its year,
 * quarters that have ended). Returns the versions it compiled.
 */
export async function compileAfterSupport(
  ctx: UseCaseContext,
  input: { support: readonly NewSupport[]; reason?: CoverageChange },
): Promise<DisclosureVersionRow[]> {
  const reason = input.reason ?? 'support_after_compile';
  const today = shanghaiDate(ctx.now);
  const work: { institutionId: string; loans: NewlyCoveredLoan[]; quarters: string[] }[] = [];
  for (const { institutionId, loans } of input.support) {
    const byYear = new Map<string, NewlyCoveredLoan[]>();
    for (const loan of loans) byYear.set(loan.disbursedOn.slice(0, 4), [...(byYear.get(loan.disbursedOn.slice(0, 4)) ?? []), loan]);
    for (const [year, ofYear] of byYear) {
      const first = ofYear.reduce((min, l) => (l.disbursedOn < min ? l.disbursedOn : min), ofYear[0].disbursedOn);
      // quarters not ended yet are still to be compiled, and will count the loans
      const ended = quartersFrom(quarterOf(first), `${year}Q4`).filter((q) => quarterPeriod(q).end < today);
      if (ended.length) work.push({ institutionId, loans: ofYear, quarters: ended });
    }
  }
  // the key a quarter's compilation request and fan-out take, all at once in quarter order (no two
  // approvals wait on each other in a circle): either that compilation counts this approval's loans,
  // or this approval sees its run and compiles the bank's version itself
  for (const quarter of [...new Set(work.flatMap((w) => w.quarters))].sort()) await lockKey(ctx.tx, jobIds.compileQuarter(quarter));
  const compiled: DisclosureVersionRow[] = [];
  for (const { institutionId, loans, quarters } of work) {
    for (const quarter of await compiledQuartersOf(ctx.tx, institutionId, quarters[0], quarters[quarters.length - 1])) {
      const { end } = quarterPeriod(quarter);
      const changed = loans
        .filter((l) => l.disbursedOn <= end)
        .map((l) => l.loanId)
        .sort();
      compiled.push(
        await compileNextVersion(ctx, { institutionId, quarter, reason, addedLoanIds: reason === 'support_after_compile' ? changed : [] }),
      );
    }
  }
  return compiled;
}

/** The quarters from `from` through `through`, in order ('2022Q3', '2022Q4'). */
function quartersFrom(from: string, through: string): string[] {
  const out: string[] = [];
  for (let q = from; q <= through; q = quarterOf(addDays(quarterPeriod(q).end, 1))) out.push(q);
  return out;
}

/** The bank's next version of the quarter, after whatever its latest version is (planAfterLateSupport). */
async function compileNextVersion(
  ctx: UseCaseContext,
  input: { institutionId: string; quarter: string; reason: CoverageChange; addedLoanIds: string[] },
): Promise<DisclosureVersionRow> {
  const { tx } = ctx;
  // a compile job (the quarter's fan-out) may insert the same version number meanwhile: then the next one
  for (let attempt = 0; ; attempt++) {
    let latest = await findLatestVersion(tx, input.institutionId, input.quarter, { lock: true });
    const plan = planAfterLateSupport(latest?.status ?? null);
    const version = (latest?.version ?? 0) + 1;
    if (latest && plan.kind === 'correction' && plan.supersede) await supersede(ctx, latest, version, input.reason);
    if (latest && plan.kind === 'restatement' && plan.publishFirst) latest = (await publishVerified(ctx, { versionId: latest.id })).row;
    const result = await compileVersion(ctx, {
      institutionId: input.institutionId,
      quarter: input.quarter,
      version,
      previousVersionId: latest?.id ?? null,
      restatesVersionId: latest && plan.kind === 'restatement' ? latest.id : null,
      reason: input.reason,
      addedLoanIds: input.addedLoanIds,
    });
    if (result.created) return result.row;
    if (attempt === 2) throw new Error(`version ${version} of ${input.quarter} kept being compiled by another transaction`);
  }
}

/** A version still before its verdict gives way to the new one; an open verification of it is withdrawn. */
async function supersede(ctx: UseCaseContext, version: DisclosureVersionRow, by: number, reason: CoverageChange) {
  const moved = await moveStatus(ctx.tx, version.id, version.status, 'superseded');
  if (!moved) throw new Error(`version ${version.version} of ${version.quarter} changed state while it was locked`);
  const withdrawn = await withdrawAssignment(ctx.tx, version.id, {
    summary: `withdrawn: version ${by} supersedes version ${version.version} (${reason}: ${
      reason === 'support_after_compile' ? 'support was approved for' : 'an approval was withdrawn from'
    } loans of ${version.quarter} after it was compiled)`,
    completedAt: ctx.now,
    completedOn: shanghaiDate(ctx.now),
  });
  if (withdrawn) {
    const verifier = await findInstitutionById(ctx.tx, withdrawn.verifierId);
    await writeOutbox(ctx.tx, [outboxJobs.notify('disclosure.withdrawn', version, verifier!)]);
  }
}
