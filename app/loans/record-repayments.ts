/**
 * A bank records many repayments at once (POST /api/v1/repayments/batch, and uploads of repayment
 * files): each row names its loan by the bank's reference and goes through the same use case as a
 * single repayment (`recordRepayment`), in its own savepoint, so a refused row writes nothing and the
 * others go on. Rows are taken in order: two repayments of one loan see each other.
 */
import type { Violation } from '../../domain/result.js';
import { findLoansByRefs } from '../../db/repositories/loans.js';
import type { ActorContext } from '../perform.js';
import { Refused } from '../refusals.js';
import { recordRepayment } from './change-loan.js';

/** A repayment row, already shape-checked: `input` is null when its shape failed. */
export type RepaymentRowInput = {
  index: number;
  input: { loanRef: string; repaidOn: string; amountFen: bigint } | null;
  violations: Violation[];
};
export type RepaymentRowResult =
  | { index: number; loanRef?: string; status: 'created'; id: string; outstandingFen: bigint }
  | { index: number; loanRef?: string; status: 'error'; errors: Violation[] };

/** The field a refusal of `recordRepayment` is about. */
const FIELD_OF_STATUS: Record<string, string> = {
  repayment_before_disbursement: 'repaidOn',
  repayment_in_future: 'repaidOn',
  repayment_exceeds_outstanding: 'amount',
  not_found: 'loanRef',
};

export async function recordRepayments(ctx: ActorContext, rows: RepaymentRowInput[]): Promise<RepaymentRowResult[]> {
  const refs = [...new Set(rows.flatMap((r) => (r.input ? [r.input.loanRef] : [])))];
  const ids = new Map<string, string>();
  for (const loan of await findLoansByRefs(ctx.tx, ctx.actor.institutionId, refs)) ids.set(loan.loanRef, loan.id);
  const results: RepaymentRowResult[] = [];
  for (const row of rows) {
    const loanRef = row.input?.loanRef;
    if (!row.input) {
      results.push({ index: row.index, loanRef, status: 'error', errors: row.violations });
      continue;
    }
    const loanId = ids.get(row.input.loanRef);
    if (!loanId) {
      const message = `no loan ${row.input.loanRef} of this bank`;
      results.push({ index: row.index, loanRef, status: 'error', errors: [{ path: 'loanRef', code: 'loan_not_found', message }] });
      continue;
    }
    const input = { loanId, repaidOn: row.input.repaidOn, amountFen: row.input.amountFen };
    try {
      const done = await ctx.tx.transaction((sp) => recordRepayment({ ...ctx, tx: sp }, input));
      results.push({ index: row.index, loanRef, status: 'created', id: done.id, outstandingFen: done.outstandingFen });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      const r = err.refusal;
      const errors = r.errors?.length
        ? r.errors
        : [{ path: r.path ?? FIELD_OF_STATUS[r.status] ?? '(row)', code: r.status, message: r.message }];
      results.push({ index: row.index, loanRef, status: 'error', errors });
    }
  }
  return results;
}
