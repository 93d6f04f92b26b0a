/** A record's booking history as the API shows it (pure). */
import type { BookingRow } from '../../db/repositories/bookings.js';

export const presentHistory = (rows: { booking: BookingRow; bookedByName: string | null }[]) => ({
  items: rows.map(({ booking, bookedByName }) => ({
    command: booking.command,
    effectiveOn: booking.effectiveOn,
    bookedAt: booking.bookedAt.toISOString(),
    bookedBy: bookedByName,
    reason: booking.reason,
    backdated: booking.backdated,
  })),
});
