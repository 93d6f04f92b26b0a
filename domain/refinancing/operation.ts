/** Quarterly operations (按季操作): one per quarter, their volumes capped per calendar year by the policy. */
import { quarterBounds, type Quarter } from '../dates.js';
import type { PolicyVersion } from '../policy/index.js';
import { fail, ok, type Result } from '../result.js';

export function checkOperation(input: {
  quarter: Quarter;
  volumeFen: bigint;
  /** Σ volume of the other operations of the same calendar year */
  yearVolumeFen: bigint;
  policy: PolicyVersion | null;
}): Result<
  { opensOn: string; closesOn: string },
  'facility_not_launched' | 'facility_ended' | 'annual_cap_exceeded' | 'volume_not_positive'
> {
  const { start, end } = quarterBounds(input.quarter);
  const { policy } = input;
  if (!policy) return fail('facility_not_launched', 'quarter', `no facility policy is in force in ${input.quarter}`);
  if (start > policy.facilityEndOn) return fail('facility_ended', 'quarter', `the facility ends on ${policy.facilityEndOn}`);
  if (input.volumeFen <= 0n) return fail('volume_not_positive', 'volume', 'the volume must be more than zero');
  if (policy.annualCapFen !== null && input.yearVolumeFen + input.volumeFen > policy.annualCapFen) {
    return fail(
      'annual_cap_exceeded',
      'volume',
      `the year's operations would total more than the annual cap of the policy in force (${policy.id})`,
    );
  }
  return ok({ opensOn: start, closesOn: end });
}
