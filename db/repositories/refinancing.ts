/**
 * Refinancing persistence: quarterly operations, applications with their loans and pledged collateral,
 * decisions (maker–checker), support tranches, interest accrual, maturity and coverage scans. Each
 * command runs in the caller's transaction and throws AppError for an expected refusal, so a refused
 * command writes nothing. Money moves are booked through the journal in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { quarterBounds, type IsoDate } from '../../domain/dates.js';
import { accounts } from '../../domain/ledger/accounts.js';
import { credit, debit, type EntryDraft } from '../../domain/ledger/entry.js';
import { allocate } from '../../domain/refinancing/allocation.js';
import { isEligibleForSupport, planApplication, type CandidateLoan } from '../../domain/refinancing/application.js';
import { coverage, eligibleValueFen } from '../../domain/refinancing/collateral.js';
import { DAY_COUNT_BASE_DAYS } from '../../domain/refinancing/interest.js';
import { interestDueFen, planRepayment, planRollover, trancheTerms, type FacilityState } from '../../domain/refinancing/facility.js';
import { checkOperation } from '../../domain/refinancing/operation.js';
import { policyOn, type CollateralType, type PolicyVersion } from '../../domain/policy/index.js';
import type { Violation } from '../../domain/result.js';
import { refuse, refuseViolations, Refused, type RefusalStatus } from '../../app/refusals.js';
const conflict = (code: RefusalStatus, message: string, extra?: Record<string, unknown>) => new Refused(code, message, { extra });
const notFound = (what: string) => new Refused('not_found', `${what} not found`);
const validationFailed = (errors: Violation[]): never => refuseViolations(errors);
import type { Tx } from '../client.js';
import { applicationLoans, applications, collateral, collateralValuations, facilities, institutions, loans, marginCalls, operations } from '../schema/index.js';
import { isUuid } from '../../schemas/refinancing.js';
import { appendEntries } from './journal.js';

export type OperationRow = typeof operations.$inferSelect;
export type ApplicationRow = typeof applications.$inferSelect;
export type FacilityRow = typeof facilities.$inferSelect;
export type CollateralRow = typeof collateral.$inferSelect;
export type MarginCallRow = typeof marginCalls.$inferSelect;

/** Who acts: the user, and the institution the rows must belong to (null = operator, sees all). */
export type Scope = { userId: string; institutionId: string | null };

function policyOrThrow(on: IsoDate): PolicyVersion {
  const policy = policyOn(on);
  if (!policy) refuse('facility_not_launched', `no facility policy is in force on ${on}`);
  return policy;
}

const refusal = (_status: number, failed: { status: string; message?: string; path?: string }, extra?: Record<string, unknown>) =>
  new Refused(failed.status as RefusalStatus, failed.message ?? failed.status, { path: failed.path, extra });

async function institutionCode(tx: Tx, id: string): Promise<string> {
  const [row] = await tx.select({ code: institutions.code }).from(institutions).where(eq(institutions.id, id));
  return row.code;
}

// ---------------------------------------------------------------- operations

/** Σ approved of the operation's approved and disbursed applications. */
export async function operationUsage(tx: Tx, operationId: string) {
  const [row] = await tx
    .select({
      approvedFen: sql<string>`coalesce(sum(${applications.approvedFen}) filter (where ${applications.status} in ('approved','disbursed')), 0)::text`,
      disbursedFen: sql<string>`coalesce(sum(${applications.approvedFen}) filter (where ${applications.status} = 'disbursed'), 0)::text`,
      awaitingFen: sql<string>`coalesce(sum(${applications.requestedFen}) filter (where ${applications.status} = 'submitted'), 0)::text`,
      awaitingCount: sql<number>`count(*) filter (where ${applications.status} = 'submitted')::int`,
    })
    .from(applications)
    .where(eq(applications.operationId, operationId));
  return { approvedFen: BigInt(row.approvedFen), disbursedFen: BigInt(row.disbursedFen), awaitingFen: BigInt(row.awaitingFen), awaitingCount: row.awaitingCount };
}

export async function createOperation(tx: Tx, input: { quarter: string; volumeFen: bigint; userId: string }): Promise<OperationRow> {
  // the policy in force at the quarter's end: rules announced during a quarter (the 2026 cap from
  // 2026-01-15, the 2023 extension from 2023-01-29) govern that quarter's operation
  const { end, year } = quarterBounds(input.quarter);
  // serialise operation writes for the year so two openings cannot both pass the annual cap
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'operations:' + year}))`);
  const [existing] = await tx.select().from(operations).where(eq(operations.quarter, input.quarter));
  if (existing) throw conflict('operation_exists', `the operation for ${input.quarter} is already open (volume ${existing.volumeFen} fen)`);
  const [year_] = await tx
    .select({ volumeFen: sql<string>`coalesce(sum(${operations.volumeFen}), 0)::text` })
    .from(operations)
    .where(sql`${operations.quarter} like ${year + 'Q%'}`);
  const checked = checkOperation({ quarter: input.quarter, volumeFen: input.volumeFen, yearVolumeFen: BigInt(year_.volumeFen), policy: policyOn(end) });
  if (!checked.ok) throw refusal(checked.status === 'annual_cap_exceeded' ? 409 : 422, checked);
  const [row] = await tx
    .insert(operations)
    .values({ quarter: input.quarter, opensOn: checked.value.opensOn, closesOn: checked.value.closesOn, volumeFen: input.volumeFen, createdBy: input.userId })
    .returning();
  return row;
}

export async function findOperation(tx: Tx, quarter: string): Promise<OperationRow | null> {
  const [row] = await tx.select().from(operations).where(eq(operations.quarter, quarter));
  return row ?? null;
}

export async function listOperations(tx: Tx, filter: { afterQuarter?: string; limit: number }) {
  return tx
    .select()
    .from(operations)
    .where(filter.afterQuarter ? sql`${operations.quarter} < ${filter.afterQuarter}` : undefined)
    .orderBy(desc(operations.quarter))
    .limit(filter.limit + 1);
}

export async function closeOperation(tx: Tx, quarter: string): Promise<OperationRow> {
  const [row] = await tx.update(operations).set({ status: 'closed' }).where(eq(operations.quarter, quarter)).returning();
  if (!row) throw notFound(`operation ${quarter}`);
  return row;
}

// ---------------------------------------------------------------- applications

export type CollateralInput = { type: CollateralType; ref: string; faceFen: bigint; marketFen: bigint };

export type LoanSelection = { loanIds: string[] } | { loanRefs: string[] } | { allDisbursedThrough: IsoDate };

type LoanWithLive = { loan: typeof loans.$inferSelect; liveStatus: ApplicationRow['status'] | null };

async function loansWithLiveStatus(tx: Tx, where: SQL): Promise<LoanWithLive[]> {
  const live = tx
    .select({ loanId: applicationLoans.loanId, status: applications.status })
    .from(applicationLoans)
    .innerJoin(applications, eq(applications.id, applicationLoans.applicationId))
    .where(eq(applicationLoans.active, 1))
    .as('live');
  const rows = await tx.select({ loan: loans, liveStatus: live.status }).from(loans).leftJoin(live, eq(live.loanId, loans.id)).where(where);
  return rows.map((r) => ({ loan: r.loan, liveStatus: r.liveStatus ?? null }));
}

const candidateOf = ({ loan, liveStatus }: LoanWithLive): CandidateLoan => ({
  id: loan.id,
  loanRef: loan.loanRef,
  disbursedOn: loan.disbursedOn,
  maturesOn: loan.maturesOn,
  eligibility: loan.eligibility,
  principalFen: loan.principalFen,
  outstandingFen: loan.outstandingFen,
  liveApplicationStatus: liveStatus === 'rejected' ? null : liveStatus,
});

export async function submitApplication(
  tx: Tx,
  input: { institutionId: string; userId: string; quarter: string; on: IsoDate; selection: LoanSelection; collateral: CollateralInput[] },
): Promise<ApplicationRow> {
  const operation = await findOperation(tx, input.quarter);
  if (!operation) refuse('operation_not_found', `no operation is open for ${input.quarter}`, { errors: [{ path: 'operation', code: 'operation_not_found', message: `no operation for ${input.quarter}` }] });
  if (operation.status !== 'open' || input.on < operation.opensOn || input.on > operation.closesOn) {
    refuse('operation_not_open', `the ${input.quarter} operation accepts applications from ${operation.opensOn} to ${operation.closesOn} while open (today is ${input.on}, status ${operation.status})`);
  }
  const [institution] = await tx.select().from(institutions).where(eq(institutions.id, input.institutionId));
  if ((institution.eligibleFrom && input.on < institution.eligibleFrom) || (institution.eligibleUntil && input.on > institution.eligibleUntil)) {
    refuse('institution_not_eligible', `${institution.code} is not an eligible institution on ${input.on}`);
  }
  const policy = policyOrThrow(input.on);
  // one application at a time per bank, so the same loan cannot be listed twice concurrently
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'applications:' + input.institutionId}))`);

  const own = eq(loans.institutionId, input.institutionId);
  let candidates: CandidateLoan[] = [];
  let paths: string[] = [];
  const missing: Violation[] = [];
  const sel = input.selection;
  if ('allDisbursedThrough' in sel) {
    const through = sel.allDisbursedThrough < input.on ? sel.allDisbursedThrough : input.on;
    const found = await loansWithLiveStatus(
      tx,
      and(own, lte(loans.disbursedOn, through), gte(loans.disbursedOn, policy.loansDisbursedFrom), inArray(loans.eligibility, ['eligible', 'accepted']), sql`${loans.outstandingFen} > 0`)!,
    );
    candidates = found
      .map(candidateOf)
      .filter((c) => c.liveApplicationStatus === null)
      .sort((a, b) => (a.disbursedOn === b.disbursedOn ? a.loanRef.localeCompare(b.loanRef) : a.disbursedOn < b.disbursedOn ? -1 : 1));
    paths = candidates.map((c) => `loans[${c.loanRef}]`);
  } else {
    const byId = 'loanIds' in sel;
    const keys = byId ? sel.loanIds : sel.loanRefs;
    const field = byId ? 'loanIds' : 'loanRefs';
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (seen.has(k)) missing.push({ path: `${field}.${i}`, code: 'duplicate_loan', message: `${k} is listed twice` });
      seen.add(k);
    });
    const found = await loansWithLiveStatus(tx, and(own, byId ? inArray(loans.id, [...seen]) : inArray(loans.loanRef, [...seen]))!);
    const byKey = new Map(found.map((f) => [byId ? f.loan.id : f.loan.loanRef, f]));
    const taken = new Set<string>();
    keys.forEach((k, i) => {
      const f = byKey.get(k);
      if (!f) missing.push({ path: `${field}.${i}`, code: 'loan_not_found', message: `${k} is not one of this bank's loans` });
      else if (!taken.has(k)) {
        taken.add(k);
        candidates.push(candidateOf(f));
        paths.push(`${field}.${i}`);
      }
    });
  }
  const plan = planApplication({ loans: candidates, paths, appliedOn: input.on, policy });
  const errors = [...missing, ...(!plan.ok && plan.errors ? plan.errors : [])];
  if (errors.length) throw validationFailed(errors.sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true })));
  if (!plan.ok) throw refusal(plan.status === 'facility_ended' ? 409 : 422, plan);

  const refs = new Set<string>();
  input.collateral.forEach((c, i) => {
    if (refs.has(c.ref)) errors.push({ path: `collateral.${i}.ref`, code: 'duplicate_collateral', message: `instrument ${c.ref} is pledged twice` });
    refs.add(c.ref);
  });
  errors.push(...faceValueViolations(input.collateral));
  if (errors.length) throw validationFailed(errors);

  const [application] = await tx
    .insert(applications)
    .values({ institutionId: input.institutionId, operationId: operation.id, appliedOn: input.on, status: 'submitted', policyVersion: policy.id, requestedFen: plan.value.requestedFen, submittedBy: input.userId })
    .returning();
  await tx.insert(applicationLoans).values(plan.value.loans.map((l) => ({ applicationId: application.id, ...l })));
  await pledge(tx, application, input.collateral, input.on, input.userId);
  return application;
}

const faceValueViolations = (items: CollateralInput[]): Violation[] =>
  items.flatMap((c, i) => (c.faceFen > 0n ? [] : [{ path: `collateral.${i}.faceValue`, code: 'face_value_not_positive', message: 'an instrument has a face value above zero' }]));

async function pledge(tx: Tx, application: ApplicationRow, items: CollateralInput[], on: IsoDate, userId: string) {
  if (!items.length) return [];
  const rows = await tx
    .insert(collateral)
    .values(items.map((c) => ({ institutionId: application.institutionId, applicationId: application.id, instrumentType: c.type, instrumentRef: c.ref, faceFen: c.faceFen, marketFen: c.marketFen, valuedOn: on })))
    .returning();
  await tx.insert(collateralValuations).values(rows.map((r) => ({ collateralId: r.id, valuedOn: on, marketFen: r.marketFen, valuedBy: userId })));
  return rows;
}

export async function addCollateral(tx: Tx, input: { application: ApplicationRow; items: CollateralInput[]; on: IsoDate; userId: string }) {
  if (input.application.status === 'rejected') throw conflict('application_rejected', 'collateral cannot be pledged to a rejected application');
  const existing = await tx.select({ ref: collateral.instrumentRef }).from(collateral).where(eq(collateral.applicationId, input.application.id));
  const refs = new Set(existing.map((e) => e.ref));
  const errors: Violation[] = [];
  input.items.forEach((c, i) => {
    if (refs.has(c.ref)) errors.push({ path: `collateral.${i}.ref`, code: 'duplicate_collateral', message: `instrument ${c.ref} is already pledged to this application` });
    refs.add(c.ref);
  });
  errors.push(...faceValueViolations(input.items));
  if (errors.length) throw validationFailed(errors);
  const rows = await pledge(tx, input.application, input.items, input.on, input.userId);
  await checkCoverage(tx, input.application.id, input.on);
  return rows;
}

export async function findApplication(tx: Tx, id: string, scope: Pick<Scope, 'institutionId'>, lock = false): Promise<ApplicationRow> {
  if (!isUuid(id)) throw notFound(`application ${id}`);
  const q = tx
    .select()
    .from(applications)
    .where(and(eq(applications.id, id), scope.institutionId ? eq(applications.institutionId, scope.institutionId) : undefined));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw notFound(`application ${id}`);
  return row;
}

export async function applicationLoansOf(tx: Tx, applicationId: string) {
  return tx
    .select({ loanId: applicationLoans.loanId, loanRef: loans.loanRef, disbursedOn: loans.disbursedOn, principalFen: applicationLoans.principalFen, requestedSupportFen: applicationLoans.requestedSupportFen, outstandingFen: loans.outstandingFen, eligibility: loans.eligibility, active: applicationLoans.active })
    .from(applicationLoans)
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(eq(applicationLoans.applicationId, applicationId))
    .orderBy(asc(loans.disbursedOn), asc(loans.loanRef));
}

export async function collateralOf(tx: Tx, applicationId: string) {
  return tx.select().from(collateral).where(eq(collateral.applicationId, applicationId)).orderBy(asc(collateral.instrumentRef));
}

export const eligibleCollateralFen = (rows: readonly CollateralRow[], policy: PolicyVersion) =>
  rows.filter((r) => r.status === 'pledged').reduce((sum, r) => sum + eligibleValueFen(r.marketFen, r.instrumentType as CollateralType, policy), 0n);

export async function listApplications(tx: Tx, filter: { institutionId: string | null; status?: ApplicationRow['status']; operationId?: string; after?: { createdAt: string; id: string }; limit: number }) {
  return tx
    // the cursor keeps created_at to the microsecond (a JS Date keeps milliseconds and would repeat rows)
    .select({ application: applications, quarter: operations.quarter, institutionCode: institutions.code, createdAtUtc: sql<string>`to_char(${applications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
    .from(applications)
    .innerJoin(operations, eq(operations.id, applications.operationId))
    .innerJoin(institutions, eq(institutions.id, applications.institutionId))
    .where(
      and(
        filter.institutionId ? eq(applications.institutionId, filter.institutionId) : undefined,
        filter.status ? eq(applications.status, filter.status) : undefined,
        filter.operationId ? eq(applications.operationId, filter.operationId) : undefined,
        filter.after ? sql`(${applications.createdAt}, ${applications.id}) > (${filter.after.createdAt}::timestamptz, ${filter.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(applications.createdAt), asc(applications.id))
    .limit(filter.limit + 1);
}

/**
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head.
 */
async function lockApplication(tx: Tx, applicationId: string) {
  await tx.select({ id: applications.id }).from(applications).where(eq(applications.id, applicationId)).for('update');
}

async function lockOperation(tx: Tx, operationId: string): Promise<OperationRow> {
  const [row] = await tx.select().from(operations).where(eq(operations.id, operationId)).for('update');
  return row;
}

const notSubmitted = (a: ApplicationRow) => conflict('application_not_submitted', `the application is ${a.status}; only a submitted application can be decided`, { currentStatus: a.status });

/** Approves fully (amountFen omitted) or partly, never beyond the request or the operation's remaining volume. */
export async function approveApplication(tx: Tx, input: { id: string; amountFen?: bigint; reason: string; userId: string }): Promise<ApplicationRow> {
  // the operation first, then the application (the order allocation takes them in)
  const unlocked = await findApplication(tx, input.id, { institutionId: null });
  const operation = await lockOperation(tx, unlocked.operationId);
  const application = await findApplication(tx, input.id, { institutionId: null }, true);
  if (application.status !== 'submitted') throw notSubmitted(application);
  const amountFen = input.amountFen ?? application.requestedFen;
  if (amountFen <= 0n) throw validationFailed([{ path: 'amount', code: 'amount_not_positive', message: 'an approval must be more than zero; reject instead' }]);
  if (amountFen > application.requestedFen) throw validationFailed([{ path: 'amount', code: 'approval_exceeds_request', message: `the application requests ${application.requestedFen} fen` }]);
  const usage = await operationUsage(tx, operation.id);
  const remainingFen = operation.volumeFen - usage.approvedFen;
  if (amountFen > remainingFen) {
    throw conflict('operation_volume_exceeded', `the ${operation.quarter} operation has ${remainingFen} fen of its volume left; approve less or allocate pro rata`, { remainingFen: remainingFen.toString() });
  }
  const [row] = await tx
    .update(applications)
    .set({ status: 'approved', approvedFen: amountFen, decisionReason: input.reason, decidedBy: input.userId, decidedAt: new Date() })
    .where(eq(applications.id, application.id))
    .returning();
  return row;
}

export async function rejectApplication(tx: Tx, input: { id: string; reason: string; userId: string }): Promise<ApplicationRow> {
  const application = await findApplication(tx, input.id, { institutionId: null }, true);
  if (application.status !== 'submitted' && application.status !== 'approved') throw notSubmitted(application);
  const [row] = await tx
    .update(applications)
    .set({ status: 'rejected', approvedFen: null, decisionReason: input.reason, decidedBy: input.userId, decidedAt: new Date() })
    .where(eq(applications.id, application.id))
    .returning();
  // the loans may be listed again; the collateral goes back to the bank
  await tx.update(applicationLoans).set({ active: 0 }).where(eq(applicationLoans.applicationId, application.id));
  await tx.update(collateral).set({ status: 'released' }).where(eq(collateral.applicationId, application.id));
  return row;
}

/**
 * Allocates the operation's remaining volume across its submitted applications by the policy's rule
 * (in submission order). An application allocated nothing is rejected with the reason, so its loans
 * may be listed in a later operation.
 */
export async function allocateOperation(tx: Tx, input: { quarter: string; userId: string; on: IsoDate }) {
  const found = await findOperation(tx, input.quarter);
  if (!found) throw notFound(`operation ${input.quarter}`);
  const operation = await lockOperation(tx, found.id);
  const policy = policyOrThrow(operation.opensOn > input.on ? operation.opensOn : input.on);
  const usage = await operationUsage(tx, operation.id);
  const remainingFen = operation.volumeFen - usage.approvedFen;
  const waiting = await tx
    .select()
    .from(applications)
    .where(and(eq(applications.operationId, operation.id), eq(applications.status, 'submitted')))
    .orderBy(asc(applications.createdAt), asc(applications.id))
    .for('update');
  if (waiting.length === 0) throw conflict('nothing_to_allocate', `the ${operation.quarter} operation has no application awaiting decision`);
  const shares = allocate(policy.allocationRule, remainingFen, waiting.map((a) => ({ applicationId: a.id, requestedFen: a.requestedFen })));
  const oversubscribed = waiting.reduce((s, a) => s + a.requestedFen, 0n) > remainingFen;
  const results: ApplicationRow[] = [];
  for (const share of shares) {
    if (share.approvedFen > 0n) {
      const reason = oversubscribed ? `allocated by rule ${policy.allocationRule}: the ${operation.quarter} operation is over-subscribed` : `allocated in full: requests fit the ${operation.quarter} operation`;
      const [row] = await tx
        .update(applications)
        .set({ status: 'approved', approvedFen: share.approvedFen, decisionReason: reason, decidedBy: input.userId, decidedAt: new Date() })
        .where(eq(applications.id, share.applicationId))
        .returning();
      results.push(row);
    } else {
      results.push(await rejectApplication(tx, { id: share.applicationId, reason: `the ${operation.quarter} operation's volume is used up`, userId: input.userId }));
    }
  }
  return { operation, remainingFen, rule: policy.allocationRule, oversubscribed, applications: results };
}

// ---------------------------------------------------------------- facilities

const stateOf = (f: FacilityRow): FacilityState => ({
  outstandingFen: f.outstandingFen,
  ratePpm: f.ratePpm,
  dayCount: f.dayCount as FacilityState['dayCount'],
  startOn: f.startOn,
  maturesOn: f.maturesOn,
  rolloverCount: f.rolloverCount,
  status: f.status,
  interestFromOn: f.interestFromOn,
  segmentAccruedFen: f.segmentAccruedFen,
  accruedThrough: f.accruedThrough,
  interestAccruedFen: f.interestAccruedFen,
  interestPaidFen: f.interestPaidFen,
});

/** Books the disbursement of an approved application: a different operator from the approver (maker–checker). */
export async function disburseApplication(tx: Tx, input: { id: string; userId: string; on: IsoDate }) {
  const application = await findApplication(tx, input.id, { institutionId: null }, true);
  if (application.status !== 'approved') throw conflict('application_not_approved', `the application is ${application.status}; only an approved application can be disbursed`, { currentStatus: application.status });
  if (application.decidedBy === input.userId) refuse('maker_checker_violation', 'the operator who approved the application cannot also book its disbursement: another operator must');
  const policy = policyOrThrow(input.on);
  const approvedFen = application.approvedFen!;
  const eligibleFen = eligibleCollateralFen(await collateralOf(tx, application.id), policy);
  if (eligibleFen < approvedFen) {
    throw conflict('collateral_insufficient', `eligible collateral ${eligibleFen} fen does not cover the ${approvedFen} fen to disburse`, { eligibleCollateralFen: eligibleFen.toString(), requiredFen: approvedFen.toString() });
  }
  const terms = trancheTerms(input.on, policy);
  const id = randomUUID();
  const [facility] = await tx
    .insert(facilities)
    .values({ id, institutionId: application.institutionId, applicationId: application.id, principalFen: approvedFen, outstandingFen: approvedFen, ...terms, interestFromOn: input.on, accruedThrough: input.on, createdBy: input.userId })
    .returning();
  await tx.update(applications).set({ status: 'disbursed', disbursedBy: input.userId, disbursedAt: new Date() }).where(eq(applications.id, application.id));
  const bank = await institutionCode(tx, application.institutionId);
  await appendEntries(
    tx,
    [{ institutionId: application.institutionId, kind: 'disbursement', effectiveOn: input.on, reversesId: null, memo: { applicationId: application.id }, lines: [debit(accounts.relendingReceivable(bank), approvedFen, id), credit(accounts.reserves(bank), approvedFen, id)] }],
    input.userId,
  );
  return facility;
}

export async function findFacility(tx: Tx, id: string, scope: Pick<Scope, 'institutionId'>, lock = false): Promise<FacilityRow> {
  if (!isUuid(id)) throw notFound(`facility ${id}`);
  const q = tx
    .select()
    .from(facilities)
    .where(and(eq(facilities.id, id), scope.institutionId ? eq(facilities.institutionId, scope.institutionId) : undefined));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw notFound(`facility ${id}`);
  return row;
}

export async function listFacilities(tx: Tx, filter: { institutionId: string | null; status?: FacilityRow['status']; maturesOnOrBefore?: IsoDate; applicationId?: string; after?: { maturesOn: string; id: string }; limit: number }) {
  return tx
    .select({ facility: facilities, institutionCode: institutions.code })
    .from(facilities)
    .innerJoin(institutions, eq(institutions.id, facilities.institutionId))
    .where(
      and(
        filter.institutionId ? eq(facilities.institutionId, filter.institutionId) : undefined,
        filter.status ? eq(facilities.status, filter.status) : undefined,
        filter.maturesOnOrBefore ? lte(facilities.maturesOn, filter.maturesOnOrBefore) : undefined,
        filter.applicationId ? eq(facilities.applicationId, filter.applicationId) : undefined,
        filter.after ? sql`(${facilities.maturesOn}, ${facilities.id}) > (${filter.after.maturesOn}::date, ${filter.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(facilities.maturesOn), asc(facilities.id))
    .limit(filter.limit + 1);
}

/**
 * Books interest on live tranches through `through` (idempotent per tranche and day: a tranche already
 * accrued through that date is skipped). One set-based UPDATE computes each tranche's rounded segment
 * interest exactly in NUMERIC (half up = floor((2·p·r·days + den) ÷ 2·den)) and keeps the booked delta
 * in `last_accrual_fen`; one balanced journal entry per bank books the day's sum.
 */
export async function accrueInterest(db: Tx, input: { through: IsoDate; facilityIds?: string[]; userId?: string | null }) {
  // a transaction of its own (a savepoint inside the caller's): the tranches and the journal move together
  return db.transaction((tx) => accrueInterestIn(tx, input));
}

async function accrueInterestIn(tx: Tx, input: { through: IsoDate; facilityIds?: string[]; userId?: string | null }) {
  const policy = policyOrThrow(input.through);
  if (policy.rounding !== 'half_up') throw new Error(`accrueInterest: rounding ${policy.rounding} is not implemented in SQL`);
  const only = input.facilityIds ? sql`and f.id in (${sql.join(input.facilityIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``;
  const daysInYear = sql.join(
    Object.entries(DAY_COUNT_BASE_DAYS).map(([name, days]) => sql`when ${name} then ${sql.raw(days.toString())}`),
    sql` `,
  );
  const den = sql`(1000000::numeric * case f.day_count ${daysInYear} end)`;
  const segment = sql`div(2 * f.outstanding_fen::numeric * f.rate_ppm * (${input.through}::date - f.interest_from_on) + ${den}, 2 * ${den})::bigint`;
  const result = await tx.execute<{ institution_id: string; code: string; amount_fen: string; tranches: number }>(sql`
    with booked as (
      update facilities f set
        last_accrual_fen = ${segment} - f.segment_accrued_fen,
        interest_accrued_fen = f.interest_accrued_fen + (${segment} - f.segment_accrued_fen),
        segment_accrued_fen = ${segment},
        accrued_through = ${input.through}::date
      where f.status in ('active','matured','overdue') and f.outstanding_fen > 0 and f.accrued_through < ${input.through}::date ${only}
      returning f.institution_id, f.last_accrual_fen
    )
    select b.institution_id, i.code, sum(b.last_accrual_fen)::text as amount_fen, count(*)::int as tranches
    from booked b join institutions i on i.id = b.institution_id
    group by b.institution_id, i.code order by i.code`);
  const rows = (result as unknown as { rows?: typeof result }).rows ?? (result as unknown as { institution_id: string; code: string; amount_fen: string; tranches: number }[]);
  const drafts: EntryDraft[] = [];
  let tranches = 0;
  let totalFen = 0n;
  for (const r of rows as { institution_id: string; code: string; amount_fen: string; tranches: number }[]) {
    const amountFen = BigInt(r.amount_fen);
    tranches += r.tranches;
    totalFen += amountFen;
    if (amountFen === 0n) continue;
    const facilityId = input.facilityIds?.length === 1 ? input.facilityIds[0] : null;
    drafts.push({
      institutionId: r.institution_id,
      kind: 'accrual',
      effectiveOn: input.through,
      reversesId: null,
      memo: { through: input.through, tranches: String(r.tranches), dayCounts: 'per tranche (facilities.day_count)' },
      lines: [debit(accounts.interestReceivable(r.code), amountFen, facilityId), credit(accounts.interestIncome(r.code), amountFen, facilityId)],
    });
  }
  await appendEntries(tx, drafts, input.userId ?? null);
  return { through: input.through, tranches, totalFen, entries: drafts.length };
}

/** Marks live tranches matured on their maturity date and overdue after it. Idempotent. */
export async function scanMaturities(tx: Tx, input: { on: IsoDate }) {
  const changed = await tx
    .update(facilities)
    .set({ status: sql`case when ${facilities.maturesOn} < ${input.on}::date then 'overdue' else 'matured' end` })
    .where(
      and(
        inArray(facilities.status, ['active', 'matured']),
        sql`${facilities.outstandingFen} > 0`,
        lte(facilities.maturesOn, input.on),
        or(and(eq(facilities.status, 'active'), eq(facilities.maturesOn, input.on)), sql`${facilities.maturesOn} < ${input.on}::date`),
      ),
    )
    .returning({ id: facilities.id, status: facilities.status });
  return { on: input.on, matured: changed.filter((c) => c.status === 'matured').length, overdue: changed.filter((c) => c.status === 'overdue').length };
}

/** Σ outstanding principal of a tranche's underlying loans that are still eligible for support. */
async function underlyingOutstandingFen(tx: Tx, applicationId: string): Promise<bigint> {
  const rows = await applicationLoansOf(tx, applicationId);
  return rows.filter((r) => r.active === 1 && isEligibleForSupport(r.eligibility)).reduce((s, r) => s + r.outstandingFen, 0n);
}

function repaymentDraft(f: FacilityRow, bank: string, on: IsoDate, principalFen: bigint, interestFen: bigint, memo: Record<string, string>): EntryDraft {
  return {
    institutionId: f.institutionId,
    kind: 'repayment',
    effectiveOn: on,
    reversesId: null,
    memo,
    lines: [
      debit(accounts.reserves(bank), principalFen + interestFen, f.id),
      credit(accounts.relendingReceivable(bank), principalFen, f.id),
      credit(accounts.interestReceivable(bank), interestFen, f.id),
    ],
  };
}

/** Interest booked past `on` (a run ahead of the calendar) cannot be settled on `on` without paying days twice. */
function refuseIfBookedAhead(f: FacilityRow, on: IsoDate) {
  if (f.accruedThrough > on) throw conflict('interest_booked_ahead', `interest on this tranche is booked through ${f.accruedThrough}, after ${on}; it can be settled from that date on (a reversing journal entry does not move the tranche's accrual date)`, { accruedThrough: f.accruedThrough });
}

export async function repayFacility(tx: Tx, input: { id: string; scope: Scope; principalFen: bigint; on: IsoDate }) {
  const locked = await findFacility(tx, input.id, input.scope, true);
  await lockApplication(tx, locked.applicationId);
  refuseIfBookedAhead(locked, input.on);
  const policy = policyOrThrow(input.on);
  await accrueInterest(tx, { through: input.on, facilityIds: [input.id], userId: input.scope.userId });
  const f = await findFacility(tx, input.id, input.scope);
  const plan = planRepayment(stateOf(f), { on: input.on, principalFen: input.principalFen, rounding: policy.rounding });
  if (!plan.ok) throw refusal(plan.status === 'repayment_exceeds_outstanding' ? 422 : 409, plan, { currentStatus: f.status });
  const { principalFen, interestFen, remainingFen } = plan.value;
  const [updated] = await tx
    .update(facilities)
    .set({
      outstandingFen: remainingFen,
      interestPaidFen: f.interestPaidFen + interestFen,
      interestFromOn: input.on,
      segmentAccruedFen: 0n,
      status: remainingFen === 0n ? 'repaid' : f.status,
      closedOn: remainingFen === 0n ? input.on : null,
    })
    .where(eq(facilities.id, f.id))
    .returning();
  const bank = await institutionCode(tx, f.institutionId);
  await appendEntries(tx, [repaymentDraft(f, bank, input.on, principalFen, interestFen, { facilityId: f.id, early: String(input.on < f.maturesOn) })], input.scope.userId);
  await checkCoverage(tx, f.applicationId, input.on);
  return { facility: updated, paidPrincipalFen: principalFen, paidInterestFen: interestFen };
}

export async function rolloverFacility(tx: Tx, input: { id: string; scope: Scope; on: IsoDate }) {
  const locked = await findFacility(tx, input.id, input.scope, true);
  await lockApplication(tx, locked.applicationId);
  refuseIfBookedAhead(locked, input.on);
  const policy = policyOrThrow(input.on);
  await accrueInterest(tx, { through: input.on, facilityIds: [input.id], userId: input.scope.userId });
  const f = await findFacility(tx, input.id, input.scope);
  const underlyingFen = await underlyingOutstandingFen(tx, f.applicationId);
  const plan = planRollover(stateOf(f), { on: input.on, underlyingOutstandingFen: underlyingFen, policy });
  if (!plan.ok) throw refusal(409, plan, { currentStatus: f.status, rolloverCount: f.rolloverCount });
  const { rolledFen, excessFen, capFen, newTerms, rolloverCount } = plan.value;
  const interestFen = f.interestAccruedFen - f.interestPaidFen;
  await tx
    .update(facilities)
    .set({ outstandingFen: 0n, interestPaidFen: f.interestAccruedFen, status: 'rolled_over', closedOn: input.on, segmentAccruedFen: 0n, interestFromOn: input.on })
    .where(eq(facilities.id, f.id));
  const newId = randomUUID();
  const [next] = await tx
    .insert(facilities)
    .values({ id: newId, institutionId: f.institutionId, applicationId: f.applicationId, rolledFromId: f.id, principalFen: rolledFen, outstandingFen: rolledFen, ...newTerms, rolloverCount, interestFromOn: input.on, accruedThrough: input.on, createdBy: input.scope.userId })
    .returning();
  const bank = await institutionCode(tx, f.institutionId);
  const drafts: EntryDraft[] = [];
  if (excessFen > 0n || interestFen > 0n) drafts.push(repaymentDraft(f, bank, input.on, excessFen, interestFen, { facilityId: f.id, reason: 'settled at rollover' }));
  drafts.push({
    institutionId: f.institutionId,
    kind: 'rollover',
    effectiveOn: input.on,
    reversesId: null,
    memo: { from: f.id, to: newId, rolloverCount: String(rolloverCount) },
    lines: [debit(accounts.relendingReceivable(bank), rolledFen, newId), credit(accounts.relendingReceivable(bank), rolledFen, f.id)],
  });
  await appendEntries(tx, drafts, input.scope.userId);
  await checkCoverage(tx, f.applicationId, input.on);
  return { previous: f, facility: next, capFen, excessRepaidFen: excessFen, interestPaidFen: interestFen };
}

/** One bank's position on `on`: live tranches with interest due (computed exactly to `on`), upcoming maturities. */
export async function statementOf(tx: Tx, input: { institutionId: string; on: IsoDate; horizonDays: number }) {
  const policy = policyOrThrow(input.on);
  const rows = await tx
    .select()
    .from(facilities)
    .where(and(eq(facilities.institutionId, input.institutionId), inArray(facilities.status, ['active', 'matured', 'overdue'])))
    .orderBy(asc(facilities.maturesOn), asc(facilities.id));
  const tranches = rows.map((f) => ({ facility: f, interestDueFen: interestDueFen(stateOf(f), input.on, policy.rounding) }));
  return {
    tranches,
    outstandingFen: tranches.reduce((s, t) => s + t.facility.outstandingFen, 0n),
    interestDueFen: tranches.reduce((s, t) => s + t.interestDueFen, 0n),
  };
}

// ---------------------------------------------------------------- collateral and margin calls

/** Coverage of one application's live support on `on`; raises, updates or clears its margin call. */
export async function checkCoverage(tx: Tx, applicationId: string, on: IsoDate) {
  const policy = policyOrThrow(on);
  // one coverage check per application at a time: each sees the others' revaluations and repayments,
  // and only one can raise the open margin call
  await lockApplication(tx, applicationId);
  const [application] = await tx.select().from(applications).where(eq(applications.id, applicationId));
  const live = await tx
    .select()
    .from(facilities)
    .where(and(eq(facilities.applicationId, applicationId), inArray(facilities.status, ['active', 'matured', 'overdue'])));
  const exposureFen = live.reduce((s, f) => s + f.outstandingFen + interestDueFen(stateOf(f), on, policy.rounding), 0n);
  const eligibleFen = eligibleCollateralFen(await collateralOf(tx, applicationId), policy);
  const cov = coverage(eligibleFen, exposureFen);
  const [open] = await tx.select().from(marginCalls).where(and(eq(marginCalls.applicationId, applicationId), eq(marginCalls.status, 'open')));
  if (!cov.covered) {
    if (open) await tx.update(marginCalls).set({ eligibleCollateralFen: eligibleFen, exposureFen, shortfallFen: cov.shortfallFen }).where(eq(marginCalls.id, open.id));
    else await tx.insert(marginCalls).values({ institutionId: application.institutionId, applicationId, raisedOn: on, eligibleCollateralFen: eligibleFen, exposureFen, shortfallFen: cov.shortfallFen });
  } else if (open) {
    await tx.update(marginCalls).set({ status: 'cleared', clearedOn: on, eligibleCollateralFen: eligibleFen, exposureFen, shortfallFen: 0n }).where(eq(marginCalls.id, open.id));
  }
  return { eligibleCollateralFen: eligibleFen, exposureFen, ...cov };
}

/** Re-checks coverage of every application with live support (the daily job). */
export async function scanCoverage(db: Tx, input: { on: IsoDate }) {
  return db.transaction((tx) => scanCoverageIn(tx, input));
}

async function scanCoverageIn(tx: Tx, input: { on: IsoDate }) {
  const apps = await tx
    .selectDistinct({ id: facilities.applicationId })
    .from(facilities)
    .where(inArray(facilities.status, ['active', 'matured', 'overdue']));
  let calls = 0;
  for (const a of apps) if (!(await checkCoverage(tx, a.id, input.on)).covered) calls += 1;
  return { on: input.on, applications: apps.length, marginCalls: calls };
}

export async function findCollateral(tx: Tx, id: string, scope: Pick<Scope, 'institutionId'>): Promise<CollateralRow> {
  if (!isUuid(id)) throw notFound(`collateral ${id}`);
  const [row] = await tx
    .select()
    .from(collateral)
    .where(and(eq(collateral.id, id), scope.institutionId ? eq(collateral.institutionId, scope.institutionId) : undefined));
  if (!row) throw notFound(`collateral ${id}`);
  return row;
}

export async function revalueCollateral(tx: Tx, input: { id: string; marketFen: bigint; on: IsoDate; userId: string }) {
  const unlocked = await findCollateral(tx, input.id, { institutionId: null });
  await lockApplication(tx, unlocked.applicationId);
  const item = await findCollateral(tx, input.id, { institutionId: null });
  if (item.status !== 'pledged') throw conflict('collateral_released', 'a released instrument is not revalued');
  if (input.on < item.valuedOn) throw validationFailed([{ path: 'valuedOn', code: 'valuation_out_of_order', message: `the instrument was last valued on ${item.valuedOn}` }]);
  const [row] = await tx.update(collateral).set({ marketFen: input.marketFen, valuedOn: input.on }).where(eq(collateral.id, item.id)).returning();
  await tx.insert(collateralValuations).values({ collateralId: item.id, valuedOn: input.on, marketFen: input.marketFen, valuedBy: input.userId });
  const cov = await checkCoverage(tx, item.applicationId, input.on);
  return { collateral: row, coverage: cov };
}

export async function listMarginCalls(tx: Tx, filter: { institutionId: string | null; status?: MarginCallRow['status']; limit: number; after?: { raisedOn: string; id: string } }) {
  return tx
    .select({ call: marginCalls, institutionCode: institutions.code })
    .from(marginCalls)
    .innerJoin(institutions, eq(institutions.id, marginCalls.institutionId))
    .where(
      and(
        filter.institutionId ? eq(marginCalls.institutionId, filter.institutionId) : undefined,
        filter.status ? eq(marginCalls.status, filter.status) : undefined,
        filter.after ? sql`(${marginCalls.raisedOn}, ${marginCalls.id}) > (${filter.after.raisedOn}::date, ${filter.after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(marginCalls.raisedOn), asc(marginCalls.id))
    .limit(filter.limit + 1);
}

