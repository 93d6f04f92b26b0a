/** Whether an error means the database cannot be reached now (connection refused or lost, server shutting down or starting). */
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|does not allow connections|not currently accepting connections/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NODE_CODES.has(code) || PG_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof (e as { message?: unknown }).message === 'string' && MESSAGES.test((e as { message: string }).message)) return true;
  }
  return false;
}
