import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

/** A payload that does not parse will never succeed: fail the job at once, naming the fields. */
export function parsePayload<S extends z.ZodType>(schema: S, data: unknown, jobId: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new UnrecoverableError(
      `job ${jobId}: payload invalid: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`,
    );
  return parsed.data;
}
