/**
 * Timeliness of a bank's disclosures: each quarter is due a number of days after its end (the policy in
 * force at the quarter's end says how many); the first publication of the quarter counts (a restatement
 * does not make a disclosure late or on time again).
 */
import { addDays, daysBetween, quarterBounds, type IsoDate } from '../dates.js';
import { policyOn } from '../policy/index.js';

export type Timeliness =
  | { quarter: string; dueOn: IsoDate; status: 'on_time'; publishedOn: IsoDate; daysLate: 0 }
  | { quarter: string; dueOn: IsoDate; status: 'late'; publishedOn: IsoDate; daysLate: number }
  /** not published yet: `daysLate` counts from the due date to today (0 while not yet due) */
  | { quarter: string; dueOn: IsoDate; status: 'not_yet_published'; publishedOn: null; daysLate: number };

/** The day a quarter's disclosure is due, or null when no policy is in force at its end. */
export function disclosureDueOn(quarter: string): IsoDate | null {
  const end = quarterBounds(quarter).end;
  const policy = policyOn(end);
  return policy ? addDays(end, policy.disclosureDeadlineDays) : null;
}

export function timelinessOf(quarter: string, firstPublishedOn: IsoDate | null, today: IsoDate): Timeliness | null {
  const dueOn = disclosureDueOn(quarter);
  if (!dueOn) return null;
  if (firstPublishedOn === null)
    return { quarter, dueOn, status: 'not_yet_published', publishedOn: null, daysLate: Math.max(0, daysBetween(dueOn, today)) };
  const late = daysBetween(dueOn, firstPublishedOn);
  return late > 0
    ? { quarter, dueOn, status: 'late', publishedOn: firstPublishedOn, daysLate: late }
    : { quarter, dueOn, status: 'on_time', publishedOn: firstPublishedOn, daysLate: 0 };
}

/** A bank's record: how many quarters on time, late, not yet published, and the total days late. */
export function timelinessRecord(rows: readonly Timeliness[]) {
  return {
    onTime: rows.filter((r) => r.status === 'on_time').length,
    late: rows.filter((r) => r.status === 'late').length,
    notYetPublished: rows.filter((r) => r.status === 'not_yet_published').length,
    overdue: rows.filter((r) => r.status === 'not_yet_published' && r.daysLate > 0).length,
  };
}
