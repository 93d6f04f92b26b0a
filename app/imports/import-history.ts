/**
 * A historical import: one JSON document of a bank's past records — its loans (optionally), operations,
 * applications, decisions, disbursements, rollovers, repayments, collateral and revaluations, loan
 * repayments and acceptances — each with its own effective date and its own reference.
 *
 * Everything happens in the caller's one transaction, so an import is booked whole or not at all (a
 * killed import leaves nothing, and its retry books it all):
 * 1. the same document (SHA-256 of its bytes) imported before answers its first answer again;
 * 2. the loans are submitted as a batch would be (their row errors are collected, not written);
 * 3. every record is planned: references, kinds, dates and order (domain/imports/plan.ts); if the
 *    loans or the plan have any error, all of them are refused together with their paths
 *    (`records.17.loanRefs.3`) and rules, and nothing is written;
 * 4. the records are booked in date order through the same use cases as the API, each on its own
 *    effective date; a record an earlier import booked is skipped (`unchanged`); a rule a use case
 *    refuses stops the import, naming the record (`records.N…`) and the rule, and nothing is written;
 * 5. the import and its records are stored, with the answer.
 *
 * Who books: the import books as the service's import agents — the bank's ("history import", for what
 * a bank does: loans, applications, pledges, loan repayments) and two of the central bank's (one
 * decides, the other books disbursements, rollovers and repayments, so maker–checker holds as it does
 * for people). Agents are users that can never sign in; the import row names who imported.
 */
import { loanFactsFromText, type LoanText } from '../../domain/loans/facts.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { planImport, type KnownRecord } from '../../domain/imports/plan.js';
import { plannedRecord, RECORD_KINDS, refOf, type CollateralText, type HistoryRecord } from '../../domain/imports/records.js';
import { parseYuan } from '../../domain/money.js';
import type { Violation } from '../../domain/result.js';
import type { Actor } from '../../domain/actor.js';
import { findInstitutionByCode, type InstitutionRow } from '../../db/repositories/institutions.js';
import {
  completeImport,
  findImportBySha,
  findImportRecords,
  importAgent,
  insertImport,
  insertImportRecords,
  lockImports,
  operationsOf,
  operatorInstitution,
} from '../../db/repositories/imports.js';
import { findLoansByRefs } from '../../db/repositories/loans.js';
import { collateralOf } from '../../db/repositories/refinancing/collateral.js';
import { acceptFlaggedLoan, recordRepayment } from '../loans/change-loan.js';
import { submitLoans } from '../loans/submit-loans.js';
import { submitApplication, type CollateralInput } from '../refinancing/applications.js';
import { revalueCollateral } from '../refinancing/collateral.js';
import { accrueInterest } from '../refinancing/scans.js';
import { approveApplication, rejectApplication } from '../refinancing/decisions.js';
import { openOperation } from '../refinancing/operations.js';
import { disburseApplication, repayTranche, rollOverTranche } from '../refinancing/tranches.js';
import type { ActorContext } from '../perform.js';
import { byPath, refuse, Refused, refuseViolations } from '../refusals.js';
import { correctFrom } from '../disclosures/corrections.js';
import { refuseUnlessMayImport } from './common.js';

export type ImportDocument = { institution: string; loans: LoanText[]; records: HistoryRecord[] };

type Counts = { created: number; unchanged: number };
export type ImportResult = {
  id: string;
  institution: string;
  documentSha256: string;
  status: 'completed';
  importedBy: string;
  importedAt: string;
  counts: { loans: Counts; records: Record<string, Counts> };
  records: { index: number; kind: string; ref: string; on: string; status: 'created' | 'unchanged'; id: string | null }[];
};

/** The agents' names (they are found by name, so keep them stable). */
export const IMPORT_AGENTS = {
  bank: '历史导入 history import',
  decisions: '历史导入：决定 history import: decisions',
  bookings: '历史导入：记账 history import: bookings',
} as const;

/**
 * Who books each record. The bank's acts (loans, applications, loan repayments; and, when the bank
 * imports, its tranche repayments and rollovers) are booked by the bank's agent with the importer's
 * authority: an operator's import may date them before today as an operator may, a bank's own import
 * only because its institution is in migration mode. The central bank's acts are booked by its agents:
 * one decides, the other books disbursements, rollovers and repayments (maker–checker holds).
 */
type Agents = { bank: Actor; decisions: Actor; bookings: Actor };

async function agentsFor(ctx: ActorContext, bank: InstitutionRow): Promise<Agents> {
  const operator = await operatorInstitution(ctx.tx);
  if (!operator) throw new Error('no operator institution');
  const actor = async (institution: InstitutionRow, name: string, role: 'bank' | 'operator', authority: Actor['role']): Promise<Actor> => {
    const user = await importAgent(ctx.tx, { institutionId: institution.id, name, role, now: ctx.now });
    return { userId: user.id, userName: user.name, role: authority, institutionId: institution.id, institutionCode: institution.code };
  };
  const bankAgent = await actor(bank, IMPORT_AGENTS.bank, 'bank', ctx.actor.role);
  return {
    bank: bankAgent,
    decisions: await actor(operator, IMPORT_AGENTS.decisions, 'operator', 'operator'),
    bookings: ctx.actor.role === 'operator' ? await actor(operator, IMPORT_AGENTS.bookings, 'operator', 'operator') : bankAgent,
  };
}

/** What only the central bank does: a bank's own import may not contain these. */
const OPERATOR_KINDS = new Set<string>(['operation', 'approval', 'rejection', 'disbursement', 'revaluation', 'loan_acceptance']);

/** Fields of the use cases' inputs as the records name them (a refusal's path is shown in the record's words). */
const FIELD_OF: Record<string, string> = { valuedOn: 'on', repaidOn: 'on', quarter: 'operation', collateral: 'collateral' };
const fieldOf = (path: string) => {
  const [head, ...rest] = path.split('.');
  return [FIELD_OF[head] ?? head, ...rest].join('.');
};

/** A use case's refusal as violations of record `index`. */
function recordViolations(index: number, refusal: Refused['refusal']): Violation[] {
  const at = `records.${index}`;
  if (refusal.errors?.length) return refusal.errors.map((e) => ({ ...e, path: `${at}.${fieldOf(e.path)}` }));
  return [{ path: refusal.path ? `${at}.${fieldOf(refusal.path)}` : at, code: refusal.status, message: refusal.message }];
}

const yuan = (text: string) => parseYuan(text)!;
const collateralInputs = (items: readonly CollateralText[]): CollateralInput[] =>
  items.map((c) => ({ type: c.type, ref: c.ref, faceFen: yuan(c.faceValue), marketFen: yuan(c.marketValue) }));

export async function importHistory(
  ctx: ActorContext,
  input: { document: ImportDocument; documentSha256: string },
): Promise<{ result: ImportResult; replayed: boolean }> {
  const { tx } = ctx;
  const doc = input.document;
  const replay = async () => {
    const before = await findImportBySha(tx, input.documentSha256);
    if (!before) return null;
    const bank = await findInstitutionByCode(tx, doc.institution);
    if (bank) refuseUnlessMayImport(ctx.actor, bank);
    return { result: before.result as ImportResult, replayed: true };
  };
  const first = await replay();
  if (first) return first;

  const bank = await findInstitutionByCode(tx, doc.institution);
  if (!bank || bank.kind !== 'bank')
    refuseViolations([{ path: 'institution', code: 'unknown_bank', message: `${doc.institution} is not a bank` }]);
  refuseUnlessMayImport(ctx.actor, bank);
  if (ctx.actor.role !== 'operator') {
    const central = doc.records.flatMap((r, i) =>
      OPERATOR_KINDS.has(r.kind)
        ? [
            {
              path: `records.${i}.kind`,
              code: 'record_needs_operator',
              message: `a ${r.kind} is the central bank's act: an operator imports it`,
            },
          ]
        : [],
    );
    if (central.length) refuseViolations(central);
  }
  const agents = await agentsFor(ctx, bank);
  const today = shanghaiDate(ctx.now);

  // 2. the loans, as a batch (rows with errors write nothing; any error refuses the whole import below)
  const errors: Violation[] = [];
  const loanIds = new Map<string, string>();
  const loanCounts: Counts = { created: 0, unchanged: 0 };
  if (doc.loans.length) {
    const results = await submitLoans(
      { tx, now: ctx.now, actor: agents.bank },
      doc.loans.map((l, index) => ({ index, facts: loanFactsFromText(l), violations: [] })),
      // history already published: a project over-funded across banks is listed for the operators to decide
      { crossBankFunding: false },
    );
    for (const r of results) {
      if (r.status === 'error') errors.push(...r.errors.map((e) => ({ ...e, path: `loans.${r.index}.${e.path}` })));
      else {
        loanCounts[r.status] += 1;
        loanIds.set(doc.loans[r.index].loanRef, r.id);
      }
    }
  }

  // one import books at a time (from here to its commit); the same document booked meanwhile is answered as it was
  await lockImports(tx);
  const booked = await replay();
  if (booked) return booked;
  const row = await insertImport(tx, {
    institutionId: bank.id,
    documentSha256: input.documentSha256,
    importedBy: ctx.actor.userId,
    counts: {},
    resultStatus: 201,
    result: {},
    importedAt: ctx.now,
  });

  // 3. the plan: references, kinds, dates and order, against what the ledger holds
  const planned = doc.records.map(plannedRecord);
  const refs = new Set<string>();
  const quarters = new Set<string>();
  const loanRefs = new Set<string>();
  for (const p of planned) {
    if (p.kind === 'operation') quarters.add(p.ref);
    else refs.add(p.ref);
    for (const r of p.references) {
      if (r.kind === 'operation') quarters.add(r.ref);
      else if (r.kind === 'loan') {
        if (!loanIds.has(r.ref)) loanRefs.add(r.ref);
      } else refs.add(r.ref);
    }
  }
  const bookedRows = await findImportRecords(tx, bank.id, [...refs]);
  const known = new Map<string, KnownRecord>(
    bookedRows.map((r) => [r.ref, { kind: r.kind, on: r.effectiveOn, contentSha256: r.contentSha256 }]),
  );
  const entityOf = new Map<string, string>(bookedRows.map((r) => [r.ref, r.entityId]));
  const operations = new Map((await operationsOf(tx, [...quarters])).map((o) => [o.quarter, o]));
  for (const l of await findLoansByRefs(tx, bank.id, [...loanRefs])) loanIds.set(l.loanRef, l.id);
  const plan = planImport({
    records: planned,
    today,
    known,
    operations,
    operationVolumes: new Map(doc.records.flatMap((r, i) => (r.kind === 'operation' ? [[i, yuan(r.volume)] as const] : []))),
    loans: new Set(loanIds.keys()),
  });
  errors.push(...plan.errors);
  if (errors.length) refuseViolations(errors.sort(byPath));

  // 4. booking, in date order, through the use cases
  const counts: Record<string, Counts> = Object.fromEntries(
    RECORD_KINDS.filter((k) => doc.records.some((r) => r.kind === k)).map((k) => [k, { created: 0, unchanged: 0 }]),
  );
  const outcomes: ImportResult['records'] = new Array(doc.records.length);
  const registry: { ref: string; kind: string; entityId: string; effectiveOn: IsoDate; contentSha256: string }[] = [];
  const entity = (ref: string) => {
    const id = entityOf.get(ref);
    if (!id) throw new Error(`import: ${ref} was planned but has no entity`);
    return id;
  };
  // the interest of the tranches booked before today is booked up to today once, after the last record
  // and the disclosures the records change are corrected once, after the last record (one new version
  // per bank and quarter for the whole import)
  const bookingCtx: ActorContext = { ...ctx, interestCatchUp: new Set<string>(), correctionsDue: new Map<string, string>() };
  for (const index of plan.order) {
    const record = doc.records[index];
    const ref = refOf(record);
    if (plan.unchanged.has(index)) {
      counts[record.kind].unchanged += 1;
      outcomes[index] = {
        index,
        kind: record.kind,
        ref,
        on: record.on,
        status: 'unchanged',
        id: record.kind === 'operation' ? operations.get(ref)!.id : entity(ref),
      };
      continue;
    }
    let id: string;
    try {
      id = await book(bookingCtx, agents, record, { entity, loanIds, operations, reason: `${IMPORT_AGENTS.bank} ${row.id}: ${ref}` });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      // an operation opened meanwhile (outside this import) with the same volume is the same record
      const same = record.kind === 'operation' && err.refusal.status === 'operation_exists' ? (await operationsOf(tx, [ref]))[0] : null;
      if (!same || record.kind !== 'operation' || same.volumeFen !== yuan(record.volume))
        refuseViolations(recordViolations(index, err.refusal));
      operations.set(ref, same);
      counts[record.kind].unchanged += 1;
      outcomes[index] = { index, kind: record.kind, ref, on: record.on, status: 'unchanged', id: same.id };
      continue;
    }
    counts[record.kind].created += 1;
    outcomes[index] = { index, kind: record.kind, ref, on: record.on, status: 'created', id };
    if (record.kind !== 'operation') {
      entityOf.set(ref, id);
      registry.push({ ref, kind: record.kind, entityId: id, effectiveOn: record.on, contentSha256: planned[index].contentSha256 });
    }
  }

  if (bookingCtx.interestCatchUp!.size)
    await accrueInterest(tx, { through: today, facilityIds: [...bookingCtx.interestCatchUp!].sort(), actor: agents.bookings });
  // the bank's records changed from its earliest booked record (or the earliest loan an approval,
  // rejection or acceptance among them reaches back to)
  const bookedOn = registry.map((r) => r.effectiveOn).sort();
  if (bookedOn.length)
    bookingCtx.correctionsDue!.set(bank.id, [bookedOn[0], bookingCtx.correctionsDue!.get(bank.id) ?? bookedOn[0]].sort()[0]);
  await correctFrom(
    ctx,
    [...bookingCtx.correctionsDue!].map(([institutionId, from]) => ({ institutionId, from })),
    'history_imported',
    { changeReason: `history_imported: import ${row.id}` },
  );

  // 5. the import, its records and its answer
  await insertImportRecords(
    tx,
    registry.map((r) => ({ ...r, institutionId: bank.id, importId: row.id })),
  );
  const result: ImportResult = {
    id: row.id,
    institution: bank.code,
    documentSha256: input.documentSha256,
    status: 'completed',
    importedBy: ctx.actor.userName,
    importedAt: ctx.now.toISOString(),
    counts: { loans: loanCounts, records: counts },
    records: outcomes,
  };
  await completeImport(tx, row.id, { counts: result.counts, resultStatus: 201, result });
  return { result, replayed: false };
}

type Lookups = {
  entity: (ref: string) => string;
  loanIds: ReadonlyMap<string, string>;
  operations: Map<string, { id: string; quarter: string; volumeFen: bigint }>;
  /** why, for a booking dated before today that has no reason of its own */
  reason: string;
};

/** Books one record through its use case, on its effective date; returns the id of what it became. */
async function book(ctx: ActorContext, agents: Agents, r: HistoryRecord, look: Lookups): Promise<string> {
  const as = (actor: Actor): ActorContext => ({ ...ctx, actor });
  const dated = { on: r.on, reason: look.reason };
  switch (r.kind) {
    case 'operation': {
      const op = await openOperation(as(agents.decisions), { quarter: r.quarter, volumeFen: yuan(r.volume), ...dated });
      look.operations.set(op.quarter, op);
      return op.id;
    }
    case 'application':
      return (
        await submitApplication(as(agents.bank), {
          quarter: r.operation,
          selection: { loanRefs: r.loanRefs },
          collateral: collateralInputs(r.collateral),
          ...dated,
        })
      ).id;
    case 'approval':
      return (
        await approveApplication(as(agents.decisions), {
          applicationId: look.entity(r.application),
          amountFen: r.amount === undefined ? undefined : yuan(r.amount),
          reason: r.reason,
          on: r.on,
        })
      ).application.id;
    case 'rejection':
      return (await rejectApplication(as(agents.decisions), { applicationId: look.entity(r.application), reason: r.reason, on: r.on })).id;
    case 'disbursement':
      return (await disburseApplication(as(agents.bookings), { applicationId: look.entity(r.application), ...dated })).id;
    case 'rollover':
      return (await rollOverTranche(as(agents.bookings), { facilityId: look.entity(r.tranche), ...dated })).facility.id;
    case 'repayment':
      return (await repayTranche(as(agents.bookings), { facilityId: look.entity(r.tranche), principalFen: yuan(r.principal), ...dated }))
        .facility.id;
    case 'revaluation': {
      const applicationId = look.entity(r.application);
      const item = (await collateralOf(ctx.tx, applicationId)).find((c) => c.instrumentRef === r.instrument);
      if (!item) refuse('not_found', `instrument ${r.instrument} is not pledged to application ${r.application}`, { path: 'instrument' });
      return (await revalueCollateral(as(agents.decisions), { collateralId: item.id, marketFen: yuan(r.marketValue), ...dated })).collateral
        .id;
    }
    case 'loan_repayment':
      return (await recordRepayment(as(agents.bank), { loanId: look.loanIds.get(r.loanRef)!, repaidOn: r.on, amountFen: yuan(r.amount) }))
        .id;
    case 'loan_acceptance':
      return (await acceptFlaggedLoan(as(agents.decisions), { loanId: look.loanIds.get(r.loanRef)!, reason: r.reason, on: r.on })).id;
  }
}
