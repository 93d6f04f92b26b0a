/**
 * The effective date of a booking and its place in the history. Every command that changes the
 * refinancing ledger asks `bookingDate` for its date (checked by the domain rule `checkBookingDate`
 * against the last booking of the records it touches) and then `recordBooking` writes who, when and
 * why, in the same transaction.
 */
import { bookingsOf, insertBookings, lastBookingOn, type BookingSubject } from '../db/repositories/bookings.js';
import { findInstitutionById } from '../db/repositories/institutions.js';
import { checkBookingDate } from '../domain/bookings.js';
import { shanghaiDate, type IsoDate } from '../domain/dates.js';
import type { ActorContext } from './perform.js';
import { refuseWith } from './refusals.js';

export type { BookingSubject };

/** What a dated command's input carries: its effective date (default today) and why, when back-dated. */
export type Dated = { on?: IsoDate; reason?: string };

export type BookingDate = { on: IsoDate; backdated: boolean; subjects: BookingSubject[]; reason: string | null };

/**
 * The effective date of a booking touching `subjects` (which the caller has locked): `input.on` or today,
 * never in the future, never before `notBefore` (a date the records themselves carry) or the subjects'
 * last booking; before today only for operators, or a bank in migration mode.
 */
export async function bookingDate(
  ctx: ActorContext,
  input: Dated & { subjects: BookingSubject[]; notBefore?: IsoDate | null },
): Promise<BookingDate> {
  const today = shanghaiDate(ctx.now);
  const on = input.on ?? today;
  const last = await lastBookingOn(ctx.tx, input.subjects);
  const floor =
    [last, input.notBefore ?? null]
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1) ?? null;
  const migrationMode =
    ctx.actor.role === 'bank' && on < today
      ? (await findInstitutionById(ctx.tx, ctx.actor.institutionId))?.migrationModeSince != null
      : false;
  const checked = checkBookingDate({ on, today, mustFollow: floor, role: ctx.actor.role, migrationMode, reason: input.reason ?? null });
  if (!checked.ok) refuseWith(checked, checked.status === 'booking_out_of_order' ? { mustFollow: floor } : undefined);
  return { on, backdated: checked.value.backdated, subjects: input.subjects, reason: input.reason ?? null };
}

/** Writes the booking into the history of each of its subjects (and of any subject it created). */
export async function recordBooking(
  ctx: ActorContext,
  date: BookingDate,
  input: { command: string; institutionId: string | null; created?: BookingSubject[] },
): Promise<void> {
  const subjects = [...date.subjects, ...(input.created ?? [])];
  await insertBookings(
    ctx.tx,
    subjects.map((s) => ({
      subjectKind: s.kind,
      subjectId: s.id,
      institutionId: input.institutionId,
      command: input.command,
      effectiveOn: date.on,
      bookedAt: ctx.now,
      bookedBy: ctx.actor.userId,
      reason: date.reason,
      backdated: date.backdated,
    })),
  );
}

/** A record's history: each booking with its effective date, when and by whom it was booked, and why. */
export async function historyOf(ctx: { tx: ActorContext['tx'] }, subject: BookingSubject) {
  return bookingsOf(ctx.tx, subject);
}
