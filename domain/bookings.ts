/**
 * Effective dates. Every booking on the refinancing ledger has the date the rules are applied for
 * (`on`, default today in Asia/Shanghai) besides the moment it is booked. A booking may not be dated in
 * the future, nor before the last booking of the same record; a back-dated booking (before today) is
 * allowed to operators, and to a bank only while its institution is in migration mode, and it says why.
 */
import type { Role } from './actor.js';
import type { IsoDate } from './dates.js';
import { fail, ok, type Result } from './result.js';

export type BookingDateRefusal = 'booking_in_future' | 'backdating_not_allowed' | 'booking_out_of_order' | 'backdate_reason_required';

export function checkBookingDate(input: {
  on: IsoDate;
  today: IsoDate;
  /** the effective date of the last booking of the same record(s), if any */
  mustFollow: IsoDate | null;
  role: Role;
  /** the acting bank's institution is in migration mode */
  migrationMode: boolean;
  /** why the booking is made (its own reason, or the reason for back-dating) */
  reason: string | null;
}): Result<{ on: IsoDate; backdated: boolean }, BookingDateRefusal> {
  const { on, today, mustFollow } = input;
  if (on > today) return fail('booking_in_future', 'on', `a booking cannot be dated ${on}, after today (${today})`);
  const backdated = on < today;
  if (backdated && !(input.role === 'operator' || (input.role === 'bank' && input.migrationMode))) {
    return fail(
      'backdating_not_allowed',
      'on',
      `only operators may date a booking before today (${today}); a bank may while its institution is in migration mode`,
    );
  }
  if (mustFollow !== null && on < mustFollow) {
    return fail(
      'booking_out_of_order',
      'on',
      `the record's last booking is dated ${mustFollow}; a new booking must be dated on or after it`,
    );
  }
  if (backdated && !input.reason?.trim())
    return fail('backdate_reason_required', 'reason', `a booking dated before today (${today}) says why: give a reason`);
  return ok({ on, backdated });
}
