/**
 * Corrections: when the records of an earlier date change — support approved late, an approval
 * withdrawn, a loan amended or accepted after the fact, a history import, a project's figures decided —
 * every compiled version whose figures change gets its next version. For each bank, the quarters
 * compiled so far that have ended and end on or after the earliest changed date: the change's own
 * quarter, the rest of its year (year to date) and every later compiled quarter (since inception),
 * across years. A quarter is compiled again only when the records now give other figures or another
 * counted loan set than its latest version; one new version per bank and quarter per call, so an event
 * that changes a thousand records (an import) calls this once, at its end.
 *
 * The next version follows the latest as support-after-compile always did (domain planAfterLateSupport):
 * version 1 when the bank had nothing to count when its quarter was compiled; a draft (compiled,
 * submitted, under verification) is superseded by its correction and its open verification withdrawn;
 * a rejected one is followed by its correction; a verified one is published (its publication is due by
 * the verdict) and restated; a published one is restated. Each new version names its reason and carries
 * its difference (figures and loans, compile-version.ts).
 *
 * A published statement the bank itself published and that was imported (`imported`) is a historical
 * document: a correction never restates it by itself; its reconciliation shows the difference and an
 * operator may restate it by hand (`correctQuarterByHand`).
 *
 * Runs in the caller's transaction: the event and its corrections are written together or not at all.
 * Locks: the quarter keys the quarter's compilation takes (`compile-quarter.<quarter>`), all at once in
 * quarter order, then each version row — so no two corrections, and no correction and a compilation,
 * wait on each other in a circle.
 */
import {
  bankQuartersSumsAndSets,
  compiledQuartersOf,
  findLatestVersion,
  moveStatus,
  quarterSumsAndSets,
  setAddedLoanIds,
  EMPTY_LOAN_SET,
  type BankSums,
  type DisclosureVersionRow,
  type FrozenLoanSet,
} from '../../db/repositories/disclosures.js';
import { loanIdsOfSet, type LoanChange } from '../../db/repositories/disclosure-loans.js';
import { findInstitutionById, type InstitutionRow } from '../../db/repositories/institutions.js';
import { lockKey, writeOutbox } from '../../db/repositories/outbox.js';
import { withdrawAssignment } from '../../db/repositories/verification.js';
import { addDays, quarterOf, shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { quarterPeriod, type DisclosureContent } from '../../domain/disclosures/compile.js';
import { figureDifference } from '../../domain/disclosures/difference.js';
import { isImported } from '../../domain/disclosures/imported-statement.js';
import { planAfterLateSupport } from '../../domain/disclosures/workflow.js';
import { jobIds } from '../../domain/job-ids.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import { refuse, Refused } from '../refusals.js';
import { compileVersion, computeContent, formatOn, type VersionReason } from './compile-version.js';
import { bankOf, publishVerified, refuseIllegal, requestNewVersion, type DisclosureRef } from './workflow.js';

/** Why the records changed (every version reason). */
export type CorrectionReason = VersionReason;

/** A bank whose records changed on and after `from`. */
export type RecordChange = { institutionId: string; from: IsoDate };

export type CorrectionDetail = {
  /** the version's change reason, in words (default: the reason) */
  changeReason?: string;
};

const REASON_WORDS: Record<CorrectionReason, string> = {
  support_after_compile: 'support was approved for loans of the quarter after it was compiled',
  support_withdrawn: 'an approval was withdrawn from loans of the quarter after it was compiled',
  loan_changed: 'a loan the quarter counts changed after it was compiled',
  history_imported: 'records of the quarter were imported after it was compiled',
  project_decided: "a project's figures were decided after the quarter was compiled",
  operator_correction: 'an operator compiled a correction',
};

/**
 * An event changed the records of `changes`: corrected now, or — inside a historical import, which
 * sets `ctx.correctionsDue` — noted, and corrected once at the import's end.
 */
export async function recordsChanged(
  ctx: UseCaseContext,
  changes: readonly RecordChange[],
  reason: CorrectionReason,
  detail: CorrectionDetail = {},
): Promise<DisclosureVersionRow[]> {
  if (!changes.length) return [];
  if (!ctx.correctionsDue) return correctFrom(ctx, changes, reason, detail);
  for (const c of changes) keepEarliest(ctx.correctionsDue, c.institutionId, c.from);
  return [];
}

/** Keeps in `earliest` the earlier of its date for the bank and `on`. */
function keepEarliest(earliest: Map<string, IsoDate>, institutionId: string, on: IsoDate) {
  const seen = earliest.get(institutionId);
  if (!seen || on < seen) earliest.set(institutionId, on);
}

/** One change per bank, from the earliest of its loans' disbursement dates. */
export function changesOfLoans(loans: readonly { institutionId: string; disbursedOn: IsoDate }[]): RecordChange[] {
  const earliest = new Map<string, IsoDate>();
  for (const l of loans) keepEarliest(earliest, l.institutionId, l.disbursedOn);
  return [...earliest].map(([institutionId, from]) => ({ institutionId, from }));
}

/**
 * Compiles, for each bank, the next version of every compiled quarter that has ended, ends on or after
 * the bank's earliest `from`, and whose figures or counted loans the records now change. Returns the
 * versions it compiled, in bank then quarter order.
 *
 * The correction runs inside a savepoint of the event's transaction. If it fails (anything but a
 * refusal), the savepoint is rolled back — every version stays as it was — the event is still booked,
 * and a `correct` job written with it in the outbox compiles the correction on its own, retried with
 * backoff until it succeeds (jobs/processors/correct.ts).
 */
export async function correctFrom(
  ctx: UseCaseContext,
  changes: readonly RecordChange[],
  reason: CorrectionReason,
  detail: CorrectionDetail = {},
): Promise<DisclosureVersionRow[]> {
  if (!changes.length) return [];
  try {
    return await ctx.tx.transaction((tx) => correctNow({ ...ctx, tx }, changes, reason, detail));
  } catch (err) {
    if (err instanceof Refused) throw err;
    await writeOutbox(ctx.tx, [
      outboxJobs.correct({
        changes: changes.map((c) => ({ institutionId: c.institutionId, from: c.from })),
        reason,
        changeReason: detail.changeReason,
        at: ctx.now.toISOString(),
      }),
    ]);
    return [];
  }
}

/** The correction itself, in the caller's transaction (the `correct` job's work). */
export async function correctNow(
  ctx: UseCaseContext,
  changes: readonly RecordChange[],
  reason: CorrectionReason,
  detail: CorrectionDetail = {},
): Promise<DisclosureVersionRow[]> {
  const today = shanghaiDate(ctx.now);
  const lastEnded = quarterOf(addDays(quarterPeriod(quarterOf(today)).start, -1));
  const earliest = new Map<string, IsoDate>();
  for (const c of changes) keepEarliest(earliest, c.institutionId, c.from);
  const work: { institutionId: string; quarters: string[] }[] = [];
  for (const [institutionId, from] of [...earliest].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const first = quarterOf(from);
    if (first > lastEnded) continue;
    const quarters = await compiledQuartersOf(ctx.tx, institutionId, first, lastEnded);
    if (quarters.length) work.push({ institutionId, quarters });
  }
  await lockQuarters(
    ctx,
    work.flatMap((w) => w.quarters),
  );
  const compiled: DisclosureVersionRow[] = [];
  for (const { institutionId, quarters } of work) {
    const bank = (await findInstitutionById(ctx.tx, institutionId))!;
    const read = await readQuarters(ctx, bank, quarters);
    for (const quarter of quarters) {
      const pre = read.get(quarter);
      if (!pre) continue;
      const row = await correctQuarter(ctx, bank, quarter, reason, { ...detail, force: false }, pre);
      if (row) compiled.push(row);
    }
  }
  return compiled;
}

/** A quarter's latest version (locked) and what the records give it now, read with the bank's other quarters. */
type QuarterRead = { latest: DisclosureVersionRow | null; sums: BankSums; loanSet: FrozenLoanSet };

/**
 * The bank's quarters to correct, each with its latest version locked, read at once (one read of the
 * bank's covered loans for every quarter: bankQuartersSumsAndSets), each set stored as a delta of the
 * set its latest version froze. A quarter whose latest version is an imported statement is left out:
 * a correction never restates it by itself.
 */
async function readQuarters(ctx: UseCaseContext, bank: InstitutionRow, quarters: readonly string[]): Promise<Map<string, QuarterRead>> {
  const latest = new Map<string, DisclosureVersionRow | null>();
  for (const quarter of quarters) {
    const row = await findLatestVersion(ctx.tx, bank.id, quarter, { lock: true });
    if (!(row && isImported(row.content))) latest.set(quarter, row);
  }
  const read = await bankQuartersSumsAndSets(
    ctx.tx,
    bank.id,
    [...latest].map(([quarter, row]) => ({ quarter, base: row?.loanSetKey ?? null })),
  );
  return new Map([...latest].map(([quarter, row]) => [quarter, { latest: row, ...read.get(quarter)! }]));
}

/**
 * An operator's correction of one compiled quarter by hand (reason `operator_correction`, with the
 * operator's words): compiled even when the records give the same figures (the operator asked for it),
 * after whatever the latest version is, an imported statement included. Null when the quarter was
 * never compiled for the bank.
 */
export async function correctQuarterByHand(
  ctx: UseCaseContext,
  input: { bank: InstitutionRow; quarter: string; changeReason: string },
): Promise<DisclosureVersionRow | null> {
  await lockQuarters(ctx, [input.quarter]);
  return correctQuarter(ctx, input.bank, input.quarter, 'operator_correction', { changeReason: input.changeReason, force: true });
}

/**
 * A new version asked for by hand (POST …/versions, with its reason): after a rejection or a
 * publication, the correction or restatement is compiled by its job as always; a version before its
 * verdict (compiled, submitted, under verification, verified) is corrected at once by an operator
 * (reason `operator_correction`), and is refused to a bank (`illegal_transition`: the service corrects
 * its drafts by itself when the records change). The quarter's key is taken before the version's row,
 * in the order every correction takes them.
 */
export async function requestVersion(
  ctx: ActorContext,
  ref: DisclosureRef & { reason: string },
): Promise<{ queued: Awaited<ReturnType<typeof requestNewVersion>> } | { compiled: DisclosureVersionRow }> {
  const bank = await bankOf(ctx.tx, ref.institutionCode);
  if (ctx.actor.role === 'bank' && ctx.actor.institutionId !== bank.id)
    refuse('not_found', `disclosure ${ref.institutionCode} ${ref.quarter} not found`);
  await lockQuarters(ctx, [ref.quarter]);
  const latest = await findLatestVersion(ctx.tx, bank.id, ref.quarter);
  if (!latest) refuse('not_found', `disclosure ${ref.institutionCode} ${ref.quarter} not found`);
  if (latest.status === 'rejected' || latest.status === 'published') return { queued: await requestNewVersion(ctx, ref) };
  if (ctx.actor.role !== 'operator')
    refuseIllegal({
      current: latest.status,
      message: `a bank asks for a new version after a rejection or a publication; the latest is ${latest.status} (the service corrects it by itself when the records change, and an operator can compile a correction by hand)`,
    });
  const row = await correctQuarter(ctx, bank, ref.quarter, 'operator_correction', { changeReason: ref.reason, force: true });
  return { compiled: row! };
}

/** Whether the records now give the quarter other figures or another loan set than its latest version. */
export async function correctionDue(ctx: UseCaseContext, bank: InstitutionRow, quarter: string): Promise<boolean> {
  const latest = await findLatestVersion(ctx.tx, bank.id, quarter);
  return (await freshCompile(ctx, bank, quarter, latest)).due;
}

async function lockQuarters(ctx: UseCaseContext, quarters: readonly string[]) {
  // the key a quarter's compilation request and fan-out take: either that compilation counts these
  // records, or this correction sees its run and compiles the bank's version itself
  for (const quarter of [...new Set(quarters)].sort()) await lockKey(ctx.tx, jobIds.compileQuarter(quarter));
}

/**
 * The quarter's sums and counted loan set from the records now (one read; the set is stored unless it
 * is already), and whether they differ from `latest`: its figures first, then the counted loan set's
 * hash (a loan may change without moving a rounded figure).
 */
async function freshCompile(
  ctx: UseCaseContext,
  bank: InstitutionRow,
  quarter: string,
  latest: DisclosureVersionRow | null,
  pre?: { sums: BankSums; loanSet: FrozenLoanSet },
) {
  const { end } = quarterPeriod(quarter);
  // the set stored as a delta from the latest version's: a correction that changes k loans writes O(k)
  const read = pre ? null : await quarterSumsAndSets(ctx.tx, quarter, bank.id, { base: latest?.loanSetKey ?? null });
  const sums = pre?.sums ?? read!.sums.get(bank.id) ?? { subAreas: [], topProjects: [] };
  const loanSet = pre?.loanSet ?? read!.sets.get(bank.id) ?? EMPTY_LOAN_SET;
  if (!latest) return { due: loanSet.loans > 0, sums, loanSet };
  const before = latest.content as DisclosureContent;
  const now = await computeContent(ctx.tx, {
    institution: bank,
    quarter,
    version: latest.version + 1,
    previousVersion: latest.version,
    restatesVersion: null,
    precomputed: sums,
    format: await formatOn(ctx.tx, bank.id, end),
  });
  const due =
    figureDifference(before, now).length > 0 || before.basis?.loans !== now.basis.loans || before.loanSet?.sha256 !== loanSet.sha256;
  return { due, sums, loanSet };
}

/** The bank's next version of the quarter when a correction is due (or forced); null when none is. */
async function correctQuarter(
  ctx: UseCaseContext,
  bank: InstitutionRow,
  quarter: string,
  reason: CorrectionReason,
  detail: CorrectionDetail & { force: boolean },
  pre?: QuarterRead,
): Promise<DisclosureVersionRow | null> {
  const { tx } = ctx;
  let latest = pre ? pre.latest : await findLatestVersion(tx, bank.id, quarter, { lock: true });
  if (!detail.force && latest && isImported(latest.content)) return null;
  const fresh = await freshCompile(ctx, bank, quarter, latest, pre);
  if (!fresh.due && !detail.force) return null;
  // the loans the version adds: every counted one for a first version, else the added side of its difference
  const addedFirst = latest ? [] : await loanIdsOfSet(tx, fresh.loanSet.key);
  // a compile job (the quarter's fan-out, a requested version) may insert the same number meanwhile: the next one
  for (let attempt = 0; ; attempt++) {
    const plan = planAfterLateSupport(latest?.status ?? null);
    const version = (latest?.version ?? 0) + 1;
    if (latest && plan.kind === 'correction' && plan.supersede) await supersede(ctx, latest, version, reason);
    if (latest && plan.kind === 'restatement' && plan.publishFirst) latest = (await publishVerified(ctx, { versionId: latest.id })).row;
    const result = await compileVersion(ctx, {
      institutionId: bank.id,
      quarter,
      version,
      previousVersionId: latest?.id ?? null,
      restatesVersionId: latest && plan.kind === 'restatement' ? latest.id : null,
      reason,
      changeReason: detail.changeReason,
      addedLoanIds: addedFirst,
      sums: fresh.sums,
      loanSet: fresh.loanSet,
    });
    if (result.created) {
      if (!latest) return result.row;
      const loans = (result.row.difference as { loans?: LoanChange[] } | null)?.loans ?? [];
      const added = loans.filter((l) => l.change === 'added').map((l) => l.loanId);
      return added.length ? setAddedLoanIds(tx, result.row.id, added.sort()) : result.row;
    }
    if (attempt === 2) throw new Error(`version ${version} of ${quarter} kept being compiled by another transaction`);
    latest = await findLatestVersion(tx, bank.id, quarter, { lock: true });
  }
}

/** A version still before its verdict gives way to the new one; an open verification of it is withdrawn. */
async function supersede(ctx: UseCaseContext, version: DisclosureVersionRow, by: number, reason: CorrectionReason) {
  const moved = await moveStatus(ctx.tx, version.id, version.status, 'superseded');
  if (!moved) throw new Error(`version ${version.version} of ${version.quarter} changed state while it was locked`);
  const withdrawn = await withdrawAssignment(ctx.tx, version.id, {
    summary: `withdrawn: version ${by} supersedes version ${version.version} (${reason}: ${REASON_WORDS[reason]})`,
    completedAt: ctx.now,
    completedOn: shanghaiDate(ctx.now),
  });
  if (withdrawn) {
    const verifier = await findInstitutionById(ctx.tx, withdrawn.verifierId);
    await writeOutbox(ctx.tx, [outboxJobs.notify('disclosure.withdrawn', version, verifier!)]);
  }
}
