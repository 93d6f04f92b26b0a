/**
 * Refusals: the one way a use case says "no". A refusal names the rule as a fact (`status`), says why
 * in a sentence, and may list field-level violations. Use cases throw `Refused` (so the transaction
 * they run in writes nothing); `perform` hands the edges a `Result`. Every status is listed here, and
 * api/problems.ts gives each one its HTTP code, field path and page message: a new status that the
 * table lacks does not compile.
 */
import type { Violation } from '../domain/result.js';

export const REFUSAL_STATUSES = [
  // input
  'validation_failed',
  'invalid_input',
  'invalid_cursor',
  // effective dates
  'booking_in_future',
  'booking_out_of_order',
  'backdating_not_allowed',
  'backdate_reason_required',
  // who
  'unauthorized',
  'forbidden',
  'maker_checker_violation',
  'institution_not_eligible',
  'institution_category_not_eligible',
  'disclosure_checks_failed',
  'disclosure_checks_unconfirmed',
  'four_eyes_violation',
  'read_only_key',
  'totp_invalid',
  'totp_replayed',
  'approval_expired',
  'approval_withdrawn',
  // what does not exist (for this caller)
  'not_found',
  'operation_not_found',
  'no_policy_in_force',
  'no_taxonomy_in_force',
  // loans
  'loan_ref_conflict',
  'loan_ref_immutable',
  'content_unchanged',
  'loan_under_support',
  'principal_below_repaid',
  'repayment_exceeds_outstanding',
  'repayment_before_disbursement',
  'repayment_in_future',
  'loan_not_flagged',
  // the register of projects
  'projects_already_linked',
  'spelling_not_linked',
  // operations and applications
  'facility_not_launched',
  'facility_ended',
  'operation_exists',
  'operation_not_open',
  'volume_not_positive',
  'annual_cap_exceeded',
  'operation_volume_exceeded',
  'nothing_to_allocate',
  'no_loans',
  'approval_covers_no_loan',
  'application_not_submitted',
  'application_not_approved',
  'application_rejected',
  'collateral_insufficient',
  'collateral_released',
  // tranches
  'facility_not_live',
  'rollovers_exhausted',
  'rollover_not_due',
  'facility_overdue',
  'nothing_to_roll_over',
  'nothing_to_repay',
  'interest_booked_ahead',
  // journal
  'entry_already_reversed',
  'cannot_reverse_a_reversal',
  // disclosures and verification
  'illegal_transition',
  'quarter_not_ended',
  'verifier_conflicted',
  'not_a_verifier',
  'no_verifier_available',
  'verdict_not_given',
  'sample_not_checked',
  'verified_with_failed_findings',
  'rejection_without_findings',
  'loan_not_in_sample',
  'statement_conflict',
  'finding_superseded',
  'finding_already_recorded',
  'signing_key_configured',
  'evidence_not_declared',
  'evidence_hash_mismatch',
  'evidence_type_not_allowed',
  'evidence_too_large',
  // institutions and jobs
  'institution_code_taken',
  'job_not_failed',
  'jobs_not_running',
  'rotation_grace_too_long',
  'key_not_active',
  'key_already_rotated',
  'expiry_not_in_future',
  // policy data
  'proposal_not_pending',
  'effective_date_taken',
  'version_id_taken',
  // the API's own protocol
  'invalid_idempotency_key',
  'idempotency_key_in_use',
  'idempotency_key_reused',
  'idempotency_key_committed',
  'database_unavailable',
  'redis_unavailable',
  'webhook_address_not_allowed',
] as const;

export type RefusalStatus = (typeof REFUSAL_STATUSES)[number];

/** A refusal as the edges receive it. `extra` carries facts the caller may act on (e.g. `currentStatus`). */
export type Refusal = {
  ok: false;
  status: RefusalStatus;
  message: string;
  /** field-level violations; when absent and `path` is set, the refusal itself is one violation at `path` */
  errors?: Violation[];
  path?: string;
  extra?: Record<string, unknown>;
};

export class Refused extends Error {
  readonly refusal: Refusal;
  constructor(
    status: RefusalStatus,
    message: string,
    options: { path?: string; errors?: Violation[]; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.refusal = { ok: false, status, message, ...options };
  }
}

/** Throws the refusal `status`: the use case stops and its transaction writes nothing. */
export function refuse(
  status: RefusalStatus,
  message: string,
  options?: { path?: string; errors?: Violation[]; extra?: Record<string, unknown> },
): never {
  throw new Refused(status, message, options);
}

/** Throws a domain rule's failure as it stands (its status must be one of the refusals). */
export function refuseWith(
  failed: { status: RefusalStatus; message?: string; path?: string; errors?: Violation[] },
  extra?: Record<string, unknown>,
): never {
  throw new Refused(failed.status, failed.message ?? failed.status, { path: failed.path, errors: failed.errors, extra });
}

/** Field-level violations: `validation_failed` naming each field and rule, in the order given. */
export function refuseViolations(errors: Violation[]): never {
  throw new Refused(
    'validation_failed',
    `${errors.length} rule${errors.length === 1 ? '' : 's'} not met: ${errors.map((e) => `${e.path} (${e.code})`).join(', ')}`,
    { errors },
  );
}

/** Orders violations by path, numbers by value (`loans.2` before `loans.10`). */
export const byPath = (a: Violation, b: Violation) => a.path.localeCompare(b.path, undefined, { numeric: true });
