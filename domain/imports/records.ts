/**
 * The records of a historical import as the rules read them (schemas/imports.ts is their JSON shape):
 * each with its kind, its own reference (an operation: its quarter), its effective date, what it
 * refers to, and the SHA-256 of its canonical content (the same record in a later document is the
 * same hash, so it is skipped).
 */
import type { IsoDate } from '../dates.js';
import { sha256OfCanonical } from '../disclosures/canonical.js';
import type { CollateralType } from '../policy/index.js';
import type { PlannedRecord, Reference } from './plan.js';

export type CollateralText = { type: CollateralType; ref: string; faceValue: string; marketValue: string };

type Base = { ref: string; on: IsoDate };

export type HistoryRecord =
  | { kind: 'operation'; quarter: string; volume: string; on: IsoDate }
  | (Base & { kind: 'application'; operation: string; loanRefs: string[]; collateral: CollateralText[] })
  | (Base & { kind: 'approval'; application: string; amount?: string; reason: string })
  | (Base & { kind: 'rejection'; application: string; reason: string })
  | (Base & { kind: 'disbursement'; application: string })
  | (Base & { kind: 'rollover'; tranche: string })
  | (Base & { kind: 'repayment'; tranche: string; principal: string })
  | (Base & { kind: 'revaluation'; application: string; instrument: string; marketValue: string })
  | (Base & { kind: 'loan_repayment'; loanRef: string; amount: string })
  | (Base & { kind: 'loan_acceptance'; loanRef: string; reason: string });

export type HistoryRecordKind = HistoryRecord['kind'];

/** The record kinds in the order a summary lists them. */
export const RECORD_KINDS: readonly HistoryRecordKind[] = [
  'operation',
  'application',
  'approval',
  'rejection',
  'disbursement',
  'rollover',
  'repayment',
  'revaluation',
  'loan_repayment',
  'loan_acceptance',
];

/** A record's own reference: its `ref`, or an operation's quarter. */
export const refOf = (r: HistoryRecord): string => (r.kind === 'operation' ? r.quarter : r.ref);

/** What a record refers to, with the field that names it. */
export function referencesOf(r: HistoryRecord): Reference[] {
  switch (r.kind) {
    case 'operation':
      return [];
    case 'application':
      return [
        { path: 'operation', kind: 'operation', ref: r.operation },
        ...r.loanRefs.map((ref, i): Reference => ({ path: `loanRefs.${i}`, kind: 'loan', ref })),
      ];
    case 'approval':
    case 'rejection':
    case 'disbursement':
    case 'revaluation':
      return [{ path: 'application', kind: 'application', ref: r.application }];
    case 'rollover':
    case 'repayment':
      return [{ path: 'tranche', kind: 'tranche', ref: r.tranche }];
    case 'loan_repayment':
    case 'loan_acceptance':
      return [{ path: 'loanRef', kind: 'loan', ref: r.loanRef }];
  }
}

/** The record as the planner reads it. */
export const plannedRecord = (r: HistoryRecord, index: number): PlannedRecord => ({
  index,
  kind: r.kind,
  ref: refOf(r),
  on: r.on,
  contentSha256: sha256OfCanonical(r),
  references: referencesOf(r),
});
