/**
 * Planning a historical import: before anything is booked, every record of the document is checked
 * for its references and its place in time, and the booking order is fixed. Pure: the caller supplies
 * what the ledger already holds (records booked by earlier imports, operations, the bank's loans).
 *
 * - Each record names itself by the bank's own `ref` (an operation by its quarter); a reference is
 *   used once in the document (`duplicate_ref`). A reference an earlier import booked with the same
 *   kind and content is skipped (`unchanged`); with another kind or content it is refused
 *   (`record_ref_conflict`).
 * - Records refer to others: an application to its operation and loans, a decision, disbursement,
 *   pledge or revaluation to its application, a rollover or repayment to its tranche (the `ref` of the
 *   disbursement or rollover that opened it), a loan repayment or acceptance to a loan. Each must exist
 *   (in the document or the ledger) and be of the right kind.
 * - Booking order: by effective date, the document's order within a day. A record may not be dated in
 *   the future (`booking_in_future`), nor before, or listed on its date after, a record it refers to
 *   (`booking_out_of_order`, naming the date it must follow).
 */
import type { IsoDate } from '../dates.js';
import type { Violation } from '../result.js';

/** What a record refers to. `path` is the field within the record (e.g. `application`, `loanRefs.3`). */
export type Reference = { path: string; kind: 'operation' | 'application' | 'tranche' | 'loan'; ref: string };

/** A record as the planner sees it. `ref` of an operation is its quarter. */
export type PlannedRecord = {
  index: number;
  kind: string;
  ref: string;
  on: IsoDate;
  contentSha256: string;
  references: Reference[];
};

/** A record an earlier import booked (or, for operations, an operation the ledger holds). */
export type KnownRecord = { kind: string; on: IsoDate | null; contentSha256: string | null };

export type PlanInput = {
  records: readonly PlannedRecord[];
  today: IsoDate;
  /** by ref: records already booked (operations by quarter; their content hash null when opened outside an import) */
  known: ReadonlyMap<string, KnownRecord>;
  operations: ReadonlyMap<string, { volumeFen: bigint }>;
  /** operation records' volumes in the document, by index, to compare with an operation that exists */
  operationVolumes: ReadonlyMap<number, bigint>;
  /** loan references the bank has (stored, or submitted by the same document) */
  loans: ReadonlySet<string>;
};

export type Plan = {
  errors: Violation[];
  /** record indices in booking order */
  order: number[];
  /** indices of records already booked (skipped) */
  unchanged: Set<number>;
};

/** The kind of record a reference of each kind must name. */
const TARGET_KINDS: Record<Reference['kind'], readonly string[]> = {
  operation: ['operation'],
  application: ['application'],
  tranche: ['disbursement', 'rollover'],
  loan: [],
};

const rec = (i: number) => `records.${i}`;

export function planImport(input: PlanInput): Plan {
  const errors: Violation[] = [];
  const unchanged = new Set<number>();
  const key = (kind: string, ref: string) => (kind === 'operation' ? `operation:${ref}` : `ref:${ref}`);

  // references used once in the document
  const byKey = new Map<string, PlannedRecord>();
  for (const r of input.records) {
    const k = key(r.kind, r.ref);
    const first = byKey.get(k);
    if (first) {
      errors.push({
        path: `${rec(r.index)}.${r.kind === 'operation' ? 'quarter' : 'ref'}`,
        code: 'duplicate_ref',
        message: `${r.ref} is already used by records.${first.index}`,
      });
      continue;
    }
    byKey.set(k, r);
  }

  // already booked: the same record is skipped, another one under the same reference is refused
  for (const r of input.records) {
    if (byKey.get(key(r.kind, r.ref)) !== r) continue;
    if (r.kind === 'operation') {
      const existing = input.operations.get(r.ref);
      if (!existing) continue;
      if (existing.volumeFen === input.operationVolumes.get(r.index)) unchanged.add(r.index);
      else
        errors.push({
          path: `${rec(r.index)}.volume`,
          code: 'record_ref_conflict',
          message: `the ${r.ref} operation exists with another volume (${existing.volumeFen} fen)`,
        });
      continue;
    }
    const known = input.known.get(r.ref);
    if (!known) continue;
    if (known.kind === r.kind && known.contentSha256 === r.contentSha256) unchanged.add(r.index);
    else
      errors.push({
        path: `${rec(r.index)}.ref`,
        code: 'record_ref_conflict',
        message:
          known.kind === r.kind
            ? `${r.ref} was imported before with other content`
            : `${r.ref} was imported before as a ${known.kind} record`,
      });
  }

  // booking order: by date, then the document's order
  const order = [...input.records].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.index - b.index));
  const position = new Map(order.map((r, i) => [r.index, i]));

  for (const r of input.records) {
    if (r.on > input.today)
      errors.push({ path: `${rec(r.index)}.on`, code: 'booking_in_future', message: `${r.on} is after today (${input.today})` });
    for (const ref of r.references) {
      const path = `${rec(r.index)}.${ref.path}`;
      if (ref.kind === 'loan') {
        if (!input.loans.has(ref.ref))
          errors.push({ path, code: 'loan_not_found', message: `${ref.ref} is not one of the bank's loans, nor in the document's loans` });
        continue;
      }
      const inDoc = byKey.get(key(ref.kind === 'operation' ? 'operation' : 'x', ref.ref));
      const target = inDoc && TARGET_KINDS[ref.kind].includes(inDoc.kind) ? inDoc : null;
      if (inDoc && !target) {
        errors.push({
          path,
          code: 'record_kind_mismatch',
          message: `${ref.ref} is a ${inDoc.kind} record (records.${inDoc.index}), not ${article(ref.kind)}`,
        });
        continue;
      }
      if (target) {
        if (target.on > r.on)
          errors.push({
            path: `${rec(r.index)}.on`,
            code: 'booking_out_of_order',
            message: `dated ${r.on}, before ${ref.ref} (records.${target.index}, ${target.on}) it follows; it must be on or after ${target.on}`,
          });
        else if (position.get(target.index)! > position.get(r.index)!)
          errors.push({
            path: `${rec(r.index)}.on`,
            code: 'booking_out_of_order',
            message: `listed before ${ref.ref} (records.${target.index}) on the same day ${r.on}; list it after`,
          });
        continue;
      }
      if (ref.kind === 'operation') {
        if (!input.operations.has(ref.ref))
          errors.push({ path, code: 'operation_not_found', message: `no operation for ${ref.ref}, in the ledger or the document` });
        continue;
      }
      const known = input.known.get(ref.ref);
      if (!known) {
        errors.push({ path, code: `${ref.kind}_not_found`, message: `${ref.ref} is in neither the document nor an earlier import` });
        continue;
      }
      if (!TARGET_KINDS[ref.kind].includes(known.kind)) {
        errors.push({
          path,
          code: 'record_kind_mismatch',
          message: `${ref.ref} was imported as a ${known.kind} record, not ${article(ref.kind)}`,
        });
        continue;
      }
      if (known.on && known.on > r.on)
        errors.push({
          path: `${rec(r.index)}.on`,
          code: 'booking_out_of_order',
          message: `dated ${r.on}, before ${ref.ref} (${known.on}) it follows; it must be on or after ${known.on}`,
        });
    }
  }
  return { errors, order: order.map((r) => r.index), unchanged };
}

const article = (kind: Reference['kind']) => (kind === 'application' || kind === 'operation' ? `an ${kind}` : `a ${kind}`);
