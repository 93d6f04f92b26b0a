/**
 * The disclosure workflow's commands. Each one changes state and writes the jobs it implies to the
 * outbox in the caller's transaction, so the state change and its follow-up commit together.
 */
import { eq, inArray, like, or, sql } from 'drizzle-orm';
import { nextVersionKind, transition, type DisclosureStatus, type IllegalTransition, type WorkflowVerb } from '../../domain/disclosures/workflow.js';
import { shanghaiDate } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { jobIds } from '../../domain/job-ids.js';
import type { Tx } from '../client.js';
import { institutions, outbox } from '../schema/index.js';
import { banksWithSupport, findLatestVersion, moveStatus, quarterSums, serialiseBankSums, type DisclosureVersionRow } from './disclosures.js';
import { writeOutbox } from './outbox.js';

export type NotifyEvent = 'disclosure.compiled' | 'disclosure.assigned' | 'disclosure.verified' | 'disclosure.rejected' | 'disclosure.published';

/** Outbox row for a notification to an institution about a disclosure version. */
export const notifyJob = (event: NotifyEvent, version: DisclosureVersionRow, institution: { id: string; code: string }) => ({
  queue: 'notify',
  jobId: jobIds.notify(event, version.id, institution.code),
  payload: { event, institutionId: institution.id, versionId: version.id },
});

/**
 * Writes the quarter's compilation job (the fan-out) and lists the banks it will cover. While a run
 * for the quarter is pending or running, asking again adds nothing; once earlier runs are over (for
 * instance the start-up catch-up ran before any support was booked), a new run is written, numbered
 * `.r2`, `.r3`, …. A run compiles only banks without a version for the quarter, so nothing is compiled twice.
 */
export async function requestQuarterCompile(tx: Tx, quarter: string) {
  const base = jobIds.compileQuarter(quarter);
  const banks = await banksWithSupport(tx, quarterPeriod(quarter).end);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${base}))`);
  const runs = await tx
    .select({ jobId: outbox.jobId, status: outbox.status })
    .from(outbox)
    .where(or(eq(outbox.jobId, base), like(outbox.jobId, `${base}.r%`)));
  const open = runs.find((r) => r.status === 'pending' || r.status === 'enqueued');
  if (open) return { jobId: open.jobId, new: false, banks: banks.map((b) => b.code) };
  const jobId = runs.length === 0 ? base : `${base}.r${runs.length + 1}`;
  const created = await writeOutbox(tx, [{ queue: 'compile', jobId, payload: { quarter } }]);
  return { jobId, new: created.length === 1, banks: banks.map((b) => b.code) };
}

/**
 * The fan-out: one pass over every bank's covered loans computes the quarter's sums, then one compile
 * job (version 1) per bank with support carries its bank's sums. Same quarter again: no new jobs.
 */
export async function fanOutQuarter(tx: Tx, quarter: string) {
  const sums = await quarterSums(tx, quarter);
  const banks = await tx.select({ id: institutions.id, code: institutions.code }).from(institutions).where(inArray(institutions.id, [...sums.keys(), '00000000-0000-0000-0000-000000000000']));
  const jobs = banks
    .sort((a, b) => (a.code < b.code ? -1 : 1))
    .map((b) => ({
      queue: 'compile',
      jobId: jobIds.compile(b.code, quarter, 1),
      payload: { institutionId: b.id, quarter, version: 1, previousVersionId: null, restatesVersionId: null, precomputed: serialiseBankSums(sums.get(b.id)!) },
    }));
  const created = await writeOutbox(tx, jobs);
  return { jobs: jobs.map((j) => j.jobId), created: created.length };
}

/** A corrected (after rejection) or restated (after publication) version: writes its compile job. */
export async function requestNewVersion(tx: Tx, latest: DisclosureVersionRow, institutionCode: string): Promise<{ ok: true; jobId: string; version: number; kind: 'correction' | 'restatement' } | IllegalTransition> {
  const kind = nextVersionKind(latest.status);
  if (!kind.ok) return kind as IllegalTransition;
  const version = latest.version + 1;
  const jobId = jobIds.compile(institutionCode, latest.quarter, version);
  await writeOutbox(tx, [
    {
      queue: 'compile',
      jobId,
      payload: {
        institutionId: latest.institutionId,
        quarter: latest.quarter,
        version,
        previousVersionId: latest.id,
        restatesVersionId: kind.value === 'restatement' ? latest.id : null,
      },
    },
  ]);
  return { ok: true, jobId, version, kind: kind.value };
}

/** Applies a workflow verb to a locked version, or answers the illegal transition naming its state. */
export async function applyVerb(tx: Tx, version: DisclosureVersionRow, verb: WorkflowVerb, extra: Parameters<typeof moveStatus>[4] = {}): Promise<{ ok: true; row: DisclosureVersionRow } | IllegalTransition> {
  const next = transition(version.status, verb);
  if (!next.ok) return next as IllegalTransition;
  const row = await moveStatus(tx, version.id, version.status, next.value as DisclosureStatus, extra);
  if (!row) {
    const fresh = await findLatestVersion(tx, version.institutionId, version.quarter);
    return { ok: false, status: 'illegal_transition', current: fresh?.status ?? version.status, message: `the disclosure changed state meanwhile; it is ${fresh?.status}` };
  }
  return { ok: true, row };
}

export async function institutionOf(tx: Tx, id: string) {
  const [row] = await tx.select().from(institutions).where(eq(institutions.id, id)).limit(1);
  return row ?? null;
}

/** Publishes a verified version (idempotent: an already published version is answered as is). */
export async function publishVersion(tx: Tx, version: DisclosureVersionRow, now: Date) {
  if (version.status === 'published') return { ok: true as const, row: version, changed: false };
  const moved = await applyVerb(tx, version, 'publish', { publishedAt: now, publishedOn: shanghaiDate(now) });
  if (!moved.ok) return moved;
  const bank = await institutionOf(tx, version.institutionId);
  await writeOutbox(tx, [notifyJob('disclosure.published', moved.row, bank!)]);
  return { ok: true as const, row: moved.row, changed: true };
}
