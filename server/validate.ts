import type { z } from 'zod';
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
