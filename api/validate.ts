import type { z } from 'zod';
import { readCursor } from '../schemas/common.js';
import { refused, zodViolations } from './errors.js';

/** Parses a body (or query) with a zod schema, or throws a 422 naming every failing field and rule. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: (string | number)[] = []): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const errors = zodViolations(parsed.error, prefix);
    throw refused(
      'validation_failed',
      `${errors.length} field${errors.length === 1 ? '' : 's'} invalid: ${errors.map((e) => `${e.path} (${e.code})`).join(', ')}`,
      { errors },
    );
  }
  return parsed.data;
}

/** A page cursor decoded against its zod tuple (undefined when absent), or a 422 `invalid_cursor` naming the field. */
export function cursorOrThrow<S extends z.ZodType>(schema: S, cursor: string | undefined): z.infer<S> | undefined {
  const parsed = readCursor(schema, cursor);
  if (parsed === null) throw refused('invalid_cursor', 'the cursor is not one this API gave out', { path: 'cursor' });
  return parsed;
}
