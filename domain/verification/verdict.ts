/**
 * Rules for a verdict: every sampled loan must have been checked; "verified" needs no failed check;
 * "rejected" needs at least one failed check (the findings say why).
 */
import { fail, ok, type Result } from '../result.js';

export type Finding = { loanId: string; check: string; outcome: 'pass' | 'fail' };

export function checkVerdict(
  verdict: 'verified' | 'rejected',
  sampleLoanIds: readonly string[],
  findings: readonly Finding[],
): Result<{ failed: number; checked: number }, 'sample_not_checked' | 'verified_with_failed_findings' | 'rejection_without_findings'> {
  const checked = new Set(findings.map((f) => f.loanId));
  const unchecked = sampleLoanIds.filter((id) => !checked.has(id));
  if (unchecked.length)
    return fail('sample_not_checked', 'findings', `${unchecked.length} sampled loan(s) have no finding yet, e.g. ${unchecked[0]}`);
  const failed = findings.filter((f) => f.outcome === 'fail').length;
  if (verdict === 'verified' && failed > 0)
    return fail('verified_with_failed_findings', 'verdict', `${failed} check(s) failed: the verdict must be rejected`);
  if (verdict === 'rejected' && failed === 0)
    return fail('rejection_without_findings', 'verdict', 'a rejection needs at least one failed check among the findings');
  return ok({ failed, checked: checked.size });
}
