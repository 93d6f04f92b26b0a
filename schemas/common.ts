/** Shapes shared by every resource: exact decimal strings, dates, quarters, pages. */
import { z } from 'zod';
import { isIsoDate, isQuarter } from '../domain/dates.js';

declare module 'zod' {
  interface GlobalMeta {
    /** the domain rules a field is checked against beyond its shape (their codes); the API description lists them */
    rules?: readonly string[];
  }
}

const rule = (code: string) => ({ params: { code } });

/** A string matching `pattern`; failures carry `code` as the rule's name. */
export const matching = (pattern: RegExp, code: string, message: string) =>
  z.string().refine((s) => pattern.test(s), { message, params: { code } });

/**
 * A decimal string of `digits` whole digits and `decimals` decimals at most. A failure names what is wrong
 * with the text in the rule's own words (a minus sign, a thousands separator, too many decimals, too many
 * digits) before the general form, so "-5" reads "must not be negative", not "must be a decimal string".
 */
export const decimalMatching = (code: string, unit: string, digits: number, decimals: number, example: string) => {
  const pattern = new RegExp(`^\\d{1,${digits}}(\\.\\d{1,${decimals}})?$`);
  const general = `must be a decimal string in ${unit} with at most ${decimals === 2 ? 'two' : decimals === 4 ? 'four' : decimals} decimals, e.g. "${example}"`;
  const explain = (input: unknown): string => {
    if (typeof input !== 'string') return general;
    const text = input.trim();
    if (/^[-−－]\s*\d/.test(text)) return `must not be negative (a minus sign is not allowed): ${general}`;
    if (/^\d{1,3}([,，]\d{3})+(\.\d+)?$/.test(text)) return `must be written without thousands separators: ${general}`;
    if (/^\d+\.\d+$/.test(text) && text.split('.')[1].length > decimals) return `has more than ${decimals} decimals: ${general}`;
    if (/^\d+(\.\d+)?$/.test(text)) return `has more than ${digits} whole digits: ${general}`;
    return general;
  };
  return z.string().refine((s) => pattern.test(s), { error: (issue) => explain(issue.input), params: { code } });
};

/** Yuan with at most two decimals, e.g. "50000000.00". */
export const YuanString = decimalMatching('invalid_money', 'yuan', 15, 2, '50000000.00').meta({
  example: '300000000.00',
  description: 'CNY, decimal string, at most two decimals',
});

/** Percent with at most four decimals, e.g. "3.45". */
export const PercentString = decimalMatching('invalid_rate', 'percent', 3, 4, '3.45').meta({
  example: '3.80',
  description: 'percent, decimal string',
});

/** Tonnes CO2e with at most two decimals. */
export const TonnesString = decimalMatching('invalid_tonnes', 'tonnes CO2e', 13, 2, '85000.00').meta({
  example: '210000.00',
  description: 'tonnes CO2e, decimal string',
});

export const IsoDateString = z
  .string()
  .refine(isIsoDate, { message: 'must be a calendar date YYYY-MM-DD', ...rule('invalid_date') })
  .meta({ example: '2022-08-15', description: 'calendar date, Asia/Shanghai' });

/** The effective date of a booking, and why when it is dated before today. */
export const BookingDateFields = {
  on: IsoDateString.optional().describe(
    'effective date of the booking (default today, Asia/Shanghai): the rules, rates and caps in force that day apply. Never in the future (booking_in_future) nor before the last booking of the same record (booking_out_of_order); before today only for operators, or a bank in migration mode (backdating_not_allowed), with a reason (backdate_reason_required)',
  ),
  reason: z.string().min(1).max(2000).optional().describe('why: required when the booking is dated before today'),
};
/** A record's booking history: what was booked, for which day, when, by whom and why. */
export const BookingHistory = z
  .object({
    items: z.array(
      z.object({
        command: z.string(),
        effectiveOn: z.string().describe('the day the rules were applied for'),
        bookedAt: z.string().describe('when it was booked'),
        bookedBy: z.string().nullable(),
        reason: z.string().nullable(),
        backdated: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'BookingHistory' });

/** A command whose only input is its effective date. */
export const DatedBody = z.object(BookingDateFields).strict().meta({ id: 'BookingDate' });

export const QuarterString = z
  .string()
  .refine(isQuarter, { message: 'must be a quarter like 2022Q3', ...rule('invalid_quarter') })
  .meta({ example: '2022Q3' });

export const Sha256Hex = matching(/^[0-9a-f]{64}$/, 'invalid_sha256', 'must be 64 lowercase hex characters');

/** A UUID in its canonical text form (checked before it reaches a uuid column, which would refuse it with an error). */
export const isUuid = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

export const PAGE_LIMIT_MAX = 1000;
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(100),
  cursor: z.string().max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** Opaque cursors: base64url of a JSON tuple, so clients never depend on their content. */
export const encodeCursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
/** The parts a page cursor is made of, each checked before it reaches a query (a forged cursor is refused, never a 500). */
export const CursorPart = {
  date: z.string().refine(isIsoDate),
  uuid: z.string().refine(isUuid),
  quarter: z.string().refine(isQuarter),
  /** an institution code as registered */
  code: z.string().regex(/^[A-Z0-9_-]{1,32}$/),
  /** an instant as `toISOString()` writes it */
  instant: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    .refine((v) => isIsoDate(v.slice(0, 10)) && !Number.isNaN(new Date(v).getTime())),
  /** an int4 counter (versions, sequence numbers) */
  int4: z.number().int().min(0).max(2_147_483_647),
};

/**
 * Decodes a page cursor against the zod tuple it must match: undefined when there is none, null when
 * it is not one this API gave out (the route answers 422 `invalid_cursor`).
 */
export function readCursor<S extends z.ZodType>(schema: S, cursor: string | undefined): z.infer<S> | undefined | null {
  if (!cursor) return undefined;
  const parsed = schema.safeParse(decodeCursor(cursor));
  return parsed.success ? parsed.data : null;
}

export function decodeCursor(cursor: string | undefined): unknown[] | null {
  if (!cursor) return null;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) ? parts : null;
  } catch {
    return null;
  }
}
