/**
 * A historical import: one JSON document of a bank's past records — its loans (optionally), operations,
 * applications, decisions, disbursements, rollovers, repayments, collateral and revaluations, loan
 * repayments and acceptances — each with its own effective date and its own reference.
 *
 * The first transaction checks everything and books the loans and the first part; the records are
 * booked in parts of bounded size, a transaction each, so a large document never holds one long
 * transaction (a document of one part is booked whole or not at all; a killed or refused run of a
 * larger one leaves its parts booked so far, and the same document again resumes after them; on the
 * embedded database a document's many loans are first checked, then written, in parts of 250, and the
 * import gives way to the requests between any two parts, db/give-way.ts):
 * 1. the same document (SHA-256 of its bytes) imported before answers its first answer again (an
 *    import still `booking` is resumed);
 * 2. the loans are submitted as a batch would be (their row errors are collected, not written);
 * 3. every record is planned: references, kinds, dates and order (domain/imports/plan.ts); if the
 *    loans or the plan have any error, all of them are refused together with their paths
 *    (`records.17.loanRefs.3`) and rules, and nothing is written;
 * 4. the records are booked in date order through the same use cases as the API, each on its own
 *    effective date, part by part; a record an earlier import booked is skipped (`unchanged`); a rule a
 *    use case refuses stops the import, naming the record (`records.N…`) and the rule, and its part
 *    writes nothing;
 * 5. each part stores its records and the import's progress; the last part books the interest and the
 *    corrections and completes the import with its answer.
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
  analyzeImportedTables,
  completeImport,
  findImportBySha,
  findImportForUpdate,
  findImportRecords,
  importAgent,
  insertImport,
  insertImportRecords,
  lockImports,
  operationsOf,
  operatorInstitution,
  saveImportProgress,
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
import type { Db } from '../../db/client.js';
import { giveWay, isEmbedded } from '../../db/give-way.js';
import { perform, type Acting, type ActorContext } from '../perform.js';
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

/** Records booked in one part (one transaction) at most, and the loan references their applications list. */
export const IMPORT_PART_RECORDS = 25;
export const IMPORT_PART_LOAN_REFS = 5_000;

type Outcome = ImportResult['records'][number];
/** What the parts booked so far, kept in the import's row while it books. */
export type ImportProgress = {
  partsDone: number;
  loans: Counts;
  records: Record<string, Counts>;
  outcomes: (Outcome | null)[];
  /** tranches whose interest up to today is booked once, by the last part */
  interestCatchUp: string[];
  /** by bank: the earliest date whose records changed (corrected once, by the last part) */
  correctionsFrom: Record<string, IsoDate>;
};

/** One request's run of an import: what its first transaction checked and planned, for every part. */
type Run = {
  importId: string;
  documentSha256: string;
  bank: InstitutionRow;
  agents: Agents;
  doc: ImportDocument;
  planned: ReturnType<typeof plannedRecord>[];
  plan: ReturnType<typeof planImport>;
  /** record indices of each part, in booking order */
  parts: number[][];
  loanIds: Map<string, string>;
  operations: Map<string, { id: string; quarter: string; volumeFen: bigint }>;
  entityOf: Map<string, string>;
};

/** The booking order cut into parts: at most IMPORT_PART_RECORDS records or IMPORT_PART_LOAN_REFS listed loans each. */
export function partsOf(order: readonly number[], records: readonly HistoryRecord[]): number[][] {
  const parts: number[][] = [];
  let part: number[] = [];
  let loans = 0;
  for (const index of order) {
    const r = records[index];
    const listed = r.kind === 'application' ? r.loanRefs.length : 0;
    if (part.length && (part.length >= IMPORT_PART_RECORDS || loans + listed > IMPORT_PART_LOAN_REFS)) {
      parts.push(part);
      part = [];
      loans = 0;
    }
    part.push(index);
    loans += listed;
  }
  if (part.length || !parts.length) parts.push(part);
  return parts;
}

/**
 * Imports a document: checked, planned and its first part booked in one transaction (with its loans),
 * then each further part in a transaction of its own, the last one completing the import. A document of
 * one part is booked whole or not at all. A run that stops between parts (a crash, a refusal) leaves the
 * import `booking`; the same document sent again resumes after the last part booked.
 */
export async function importHistory(
  db: Db,
  acting: Acting<Actor>,
  input: { document: ImportDocument; documentSha256: string },
): Promise<{ result: ImportResult; replayed: boolean }> {
  // on the embedded database a document with many loans has them checked and written in parts first
  const submitted = await loansInParts(db, acting, input);
  let startedAt = performance.now();
  const begun = await perform(db, acting, async (ctx) => {
    const run = await beginImport(ctx, input, { submitted });
    if ('replayed' in run) return run;
    return { run, result: await bookNextPart(ctx, run) };
  });
  if ('replayed' in begun) return begun;
  let result = begun.result;
  // the loans a large document brought are counted by the planner before the rest is booked
  // (best effort: without it the statistics catch up when autovacuum comes by)
  if (!result && begun.run.doc.loans.length >= IMPORT_PART_LOAN_REFS) await analyzeImportedTables(db).catch(() => undefined);
  while (!result) {
    await giveWay(db, startedAt);
    startedAt = performance.now();
    result = await perform(db, acting, (ctx) => bookNextPart(ctx, begun.run));
  }
  return { result, replayed: false };
}

/** Loans checked and written per transaction by an import on the embedded database. */
export const EMBEDDED_LOAN_PART = 250;

/** The loans as the first transaction would have submitted them: ids of the good ones, their counts, the errors. */
type SubmittedLoans = { ids: Map<string, string>; counts: Counts; errors: Violation[] };

/** Thrown to roll a dry run back with what it found. */
class DryRun extends Error {
  constructor(readonly value: SubmittedLoans) {
    super('dry run');
  }
}

/**
 * On the embedded database (one connection, PGlite), a document of more than EMBEDDED_LOAN_PART loans
 * would hold the connection for all of them in its first transaction. There its loans are checked in
 * parts in transactions rolled back (a dry run), the whole document is checked and planned with them
 * (a transaction rolled back too), and only then are they written, a part per transaction, giving way
 * to the requests between parts; the first transaction then books the first records without submitting
 * the loans again. Any error of the loans or of the plan refuses the import before anything is written,
 * as on PostgreSQL. Elsewhere (PostgreSQL, few loans, a document imported before, a reference twice in
 * it) returns undefined and the first transaction submits the loans itself.
 */
async function loansInParts(
  db: Db,
  acting: Acting<Actor>,
  input: { document: ImportDocument; documentSha256: string },
): Promise<SubmittedLoans | undefined> {
  const { loans } = input.document;
  if (!isEmbedded(db) || loans.length <= EMBEDDED_LOAN_PART) return undefined;
  if (new Set(loans.map((l) => l.loanRef)).size !== loans.length) return undefined;
  const before = await perform(db, acting, async (ctx) => {
    const row = await findImportBySha(ctx.tx, input.documentSha256);
    const bank = await findInstitutionByCode(ctx.tx, input.document.institution);
    // the first transaction answers a document seen before, and refuses an unknown bank or a caller who may not import
    if (row?.status === 'completed' || !bank || bank.kind !== 'bank') return null;
    refuseUnlessMayImport(ctx.actor, bank);
    return bank;
  });
  if (!before) return undefined;

  const submitParts = async (dryRun: boolean): Promise<SubmittedLoans> => {
    const all: SubmittedLoans = { ids: new Map(), counts: { created: 0, unchanged: 0 }, errors: [] };
    for (let from = 0; from < loans.length; from += EMBEDDED_LOAN_PART) {
      const startedAt = performance.now();
      const part = async (ctx: ActorContext): Promise<SubmittedLoans> => {
        const agents = await agentsFor(ctx, before);
        const rows = loans
          .slice(from, from + EMBEDDED_LOAN_PART)
          .map((l, i) => ({ index: from + i, facts: loanFactsFromText(l), violations: [] }));
        const found: SubmittedLoans = { ids: new Map(), counts: { created: 0, unchanged: 0 }, errors: [] };
        for (const r of await submitLoans({ tx: ctx.tx, now: ctx.now, actor: agents.bank }, rows, { crossBankFunding: false })) {
          if (r.status === 'error') found.errors.push(...r.errors.map((e) => ({ ...e, path: `loans.${r.index}.${e.path}` })));
          else {
            found.counts[r.status] += 1;
            found.ids.set(loans[r.index].loanRef, r.id);
          }
        }
        if (dryRun) throw new DryRun(found);
        if (found.errors.length) refuseViolations(found.errors);
        return found;
      };
      let found: SubmittedLoans;
      try {
        found = await perform(db, acting, part);
      } catch (err) {
        if (!(err instanceof DryRun)) throw err;
        found = err.value;
      }
      for (const [ref, id] of found.ids) all.ids.set(ref, id);
      all.counts.created += found.counts.created;
      all.counts.unchanged += found.counts.unchanged;
      all.errors.push(...found.errors);
      await giveWay(db, startedAt);
    }
    return all;
  };

  const checked = await submitParts(true);
  // the whole document checked and planned with the loans as the dry run found them; rolled back
  const startedAt = performance.now();
  try {
    await perform(db, acting, (ctx) => beginImport(ctx, input, { submitted: checked, checkOnly: true }));
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  await giveWay(db, startedAt);
  return submitParts(false);
}

/** The first transaction: replayed or refused, or the import's row (new, or booking since an earlier run) and its plan. */
async function beginImport(
  ctx: ActorContext,
  input: { document: ImportDocument; documentSha256: string },
  options: { submitted?: SubmittedLoans; checkOnly?: boolean } = {},
): Promise<Run | { result: ImportResult; replayed: true }> {
  const { tx } = ctx;
  const doc = input.document;
  const replay = async () => {
    const before = await findImportBySha(tx, input.documentSha256);
    if (!before) return null;
    const bank = await findInstitutionByCode(tx, doc.institution);
    if (bank) refuseUnlessMayImport(ctx.actor, bank);
    return before.status === 'completed' ? { result: before.result as ImportResult, replayed: true as const } : before;
  };
  const first = await replay();
  if (first && 'replayed' in first) return first;

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

  // 2. the loans, as a batch (rows with errors write nothing; any error refuses the whole import below)
  const errors: Violation[] = [];
  const loanIds = new Map<string, string>(options.submitted?.ids);
  const loanCounts: Counts = { ...(options.submitted?.counts ?? { created: 0, unchanged: 0 }) };
  if (options.submitted) errors.push(...options.submitted.errors);
  else if (doc.loans.length) {
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

  // one import plans at a time (and one part of any import books at a time); the same document booked meanwhile is answered as it was
  await lockImports(tx);
  const booked = await replay();
  if (booked && 'replayed' in booked) return booked;
  const planning = await planRecords(ctx, bank, doc, loanIds);
  errors.push(...planning.plan.errors);
  if (errors.length) refuseViolations(errors.sort(byPath));
  // a check only: its transaction rolls back here (loansInParts)
  if (options.checkOnly) throw new DryRun(options.submitted!);

  const progress: ImportProgress = {
    partsDone: 0,
    loans: loanCounts,
    records: Object.fromEntries(
      RECORD_KINDS.filter((k) => doc.records.some((r) => r.kind === k)).map((k) => [k, { created: 0, unchanged: 0 }]),
    ),
    outcomes: doc.records.map(() => null),
    interestCatchUp: [],
    correctionsFrom: {},
  };
  const row =
    booked ??
    (await insertImport(tx, {
      institutionId: bank.id,
      documentSha256: input.documentSha256,
      importedBy: ctx.actor.userId,
      status: 'booking',
      progress,
      counts: {},
      resultStatus: 201,
      result: {},
      importedAt: ctx.now,
    }));
  return {
    importId: row.id,
    documentSha256: input.documentSha256,
    bank,
    agents,
    doc,
    ...planning,
    parts: partsOf(planning.plan.order, doc.records),
  };
}

/** 3. the plan: references, kinds, dates and order, against what the ledger holds. */
async function planRecords(ctx: ActorContext, bank: InstitutionRow, doc: ImportDocument, loanIds: Map<string, string>) {
  const { tx } = ctx;
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
    today: shanghaiDate(ctx.now),
    known,
    operations,
    operationVolumes: new Map(doc.records.flatMap((r, i) => (r.kind === 'operation' ? [[i, yuan(r.volume)] as const] : []))),
    loans: new Set(loanIds.keys()),
  });
  return { planned, plan, loanIds, operations, entityOf };
}

/**
 * 4. books the import's next part, in date order, through the use cases (its own transaction, after
 * every part before it; a part another run of the same document booked meanwhile is not booked again).
 * Returns the import's answer once its last part is booked, else null.
 */
async function bookNextPart(ctx: ActorContext, run: Run): Promise<ImportResult | null> {
  const { tx } = ctx;
  await lockImports(tx);
  const row = (await findImportForUpdate(tx, run.importId))!;
  if (row.status === 'completed') return row.result as ImportResult;
  const progress = row.progress as ImportProgress;
  const part = run.parts[progress.partsDone];
  // what other imports (or another run of this one) booked since the plan: their entities, and no record twice
  const partRefs = part.flatMap((i) => [run.planned[i].ref, ...run.planned[i].references.map((r) => r.ref)]);
  const bookedRows = await findImportRecords(tx, run.bank.id, partRefs);
  for (const r of bookedRows) run.entityOf.set(r.ref, r.entityId);
  const bookedNow = new Map(bookedRows.map((r) => [r.ref, r]));
  const registry: { ref: string; kind: string; entityId: string; effectiveOn: IsoDate; contentSha256: string }[] = [];
  const entity = (ref: string) => {
    const id = run.entityOf.get(ref);
    if (!id) throw new Error(`import: ${ref} was planned but has no entity`);
    return id;
  };
  const bookingCtx: ActorContext = { ...ctx, interestCatchUp: new Set<string>(), correctionsDue: new Map<string, string>() };
  const skip = (index: number, id: string) => {
    const record = run.doc.records[index];
    progress.records[record.kind].unchanged += 1;
    progress.outcomes[index] = { index, kind: record.kind, ref: refOf(record), on: record.on, status: 'unchanged', id };
  };
  for (const index of part) {
    const record = run.doc.records[index];
    const ref = refOf(record);
    if (run.plan.unchanged.has(index)) {
      skip(index, record.kind === 'operation' ? run.operations.get(ref)!.id : entity(ref));
      continue;
    }
    const since = record.kind === 'operation' ? undefined : bookedNow.get(ref);
    if (since) {
      if (since.contentSha256 !== run.planned[index].contentSha256)
        refuseViolations([
          { path: `records.${index}.ref`, code: 'record_ref_conflict', message: `${ref} was booked meanwhile with other content` },
        ]);
      skip(index, since.entityId);
      continue;
    }
    let id: string;
    try {
      id = await book(bookingCtx, run.agents, record, {
        entity,
        loanIds: run.loanIds,
        operations: run.operations,
        reason: `${IMPORT_AGENTS.bank} ${run.importId}: ${ref}`,
      });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      // an operation opened meanwhile (outside this import) with the same volume is the same record
      const same = record.kind === 'operation' && err.refusal.status === 'operation_exists' ? (await operationsOf(tx, [ref]))[0] : null;
      if (!same || record.kind !== 'operation' || same.volumeFen !== yuan(record.volume))
        refuseViolations(recordViolations(index, err.refusal));
      run.operations.set(ref, same);
      skip(index, same.id);
      continue;
    }
    progress.records[record.kind].created += 1;
    progress.outcomes[index] = { index, kind: record.kind, ref, on: record.on, status: 'created', id };
    if (record.kind !== 'operation') {
      run.entityOf.set(ref, id);
      registry.push({ ref, kind: record.kind, entityId: id, effectiveOn: record.on, contentSha256: run.planned[index].contentSha256 });
    }
  }
  await insertImportRecords(
    tx,
    registry.map((r) => ({ ...r, institutionId: run.bank.id, importId: run.importId })),
  );
  // the interest and the corrections are booked once, by the last part
  progress.interestCatchUp = [...new Set([...progress.interestCatchUp, ...bookingCtx.interestCatchUp!])];
  const earliest = (a: IsoDate | undefined, b: IsoDate) => (a && a < b ? a : b);
  // the bank's records changed from its earliest booked record (or the earliest loan an approval,
  // rejection or acceptance among them reaches back to)
  for (const r of registry) progress.correctionsFrom[run.bank.id] = earliest(progress.correctionsFrom[run.bank.id], r.effectiveOn);
  for (const [institutionId, from] of bookingCtx.correctionsDue!)
    progress.correctionsFrom[institutionId] = earliest(progress.correctionsFrom[institutionId], from);
  progress.partsDone += 1;
  if (progress.partsDone < run.parts.length) {
    await saveImportProgress(tx, run.importId, progress);
    return null;
  }
  return finishImport(ctx, run, progress);
}

/** 5. after the last part: the interest up to today, the corrections, the import's answer. */
async function finishImport(ctx: ActorContext, run: Run, progress: ImportProgress): Promise<ImportResult> {
  const { tx } = ctx;
  if (progress.interestCatchUp.length)
    await accrueInterest(tx, {
      through: shanghaiDate(ctx.now),
      facilityIds: [...progress.interestCatchUp].sort(),
      actor: run.agents.bookings,
    });
  await correctFrom(
    ctx,
    Object.entries(progress.correctionsFrom).map(([institutionId, from]) => ({ institutionId, from })),
    'history_imported',
    { changeReason: `history_imported: import ${run.importId}` },
  );
  const row = (await findImportForUpdate(tx, run.importId))!;
  const result: ImportResult = {
    id: run.importId,
    institution: run.bank.code,
    documentSha256: run.documentSha256,
    status: 'completed',
    importedBy: ctx.actor.userName,
    importedAt: row.importedAt.toISOString(),
    counts: { loans: progress.loans, records: progress.records },
    records: progress.outcomes.map((o) => o!),
  };
  await completeImport(tx, run.importId, { counts: result.counts, resultStatus: 201, result });
  return result;
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
