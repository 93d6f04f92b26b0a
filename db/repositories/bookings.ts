/** The booking history: the last effective date of a subject, new rows, a subject's history with who booked it. */
import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { bookings, users } from '../schema/index.js';

export type BookingRow = typeof bookings.$inferSelect;
export type BookingSubject = { kind: BookingRow['subjectKind']; id: string };

/** The latest effective date among the bookings of `subjects`, or null when none was booked. */
export async function lastBookingOn(tx: Tx, subjects: readonly BookingSubject[]): Promise<string | null> {
  if (!subjects.length) return null;
  const [row] = await tx
    .select({ on: sql<string | null>`max(${bookings.effectiveOn})::text` })
    .from(bookings)
    .where(or(...subjects.map((s) => and(eq(bookings.subjectKind, s.kind), eq(bookings.subjectId, s.id)))));
  return row?.on ?? null;
}

export async function insertBookings(tx: Tx, rows: (typeof bookings.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(bookings).values(rows);
}

/** A subject's bookings in effective-date order (then booking time), with the booker's name. */
export async function bookingsOf(tx: Tx, subject: BookingSubject) {
  return tx
    .select({ booking: bookings, bookedByName: users.name })
    .from(bookings)
    .leftJoin(users, eq(users.id, bookings.bookedBy))
    .where(and(eq(bookings.subjectKind, subject.kind), eq(bookings.subjectId, subject.id)))
    .orderBy(asc(bookings.effectiveOn), asc(bookings.bookedAt), asc(bookings.id));
}

/** The bookings of several subjects of one kind (for list presenters: one query). */
export async function bookingsOfMany(tx: Tx, kind: BookingSubject['kind'], ids: readonly string[]) {
  if (!ids.length) return [];
  return tx
    .select()
    .from(bookings)
    .where(and(eq(bookings.subjectKind, kind), inArray(bookings.subjectId, [...ids])))
    .orderBy(asc(bookings.effectiveOn), asc(bookings.bookedAt));
}
