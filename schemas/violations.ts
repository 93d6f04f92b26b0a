/** zod's issues as the violations a refusal names (`validation_failed`): the field's path and the rule. */
import type { z } from 'zod';
import type { Violation } from '../domain/result.js';

/** Maps zod issues to violations: `path` joins the field path with dots, `code` names the rule. */
export function zodViolations(error: z.ZodError, prefix: (string | number)[] = []): Violation[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))].join('.');
    const params = (issue as { params?: { code?: string } }).params;
    let code: string = params?.code ?? issue.code;
    let message = issue.message;
    if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
      code = 'required';
      message = 'a value is required';
    }
    return { path: path || '(body)', code, message };
  });
}
