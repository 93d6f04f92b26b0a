/** The one pino logger factory, shared by the service and `npm run worker`. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'cerf-ledger' }, timestamp: pino.stdTimeFunctions.isoTime });
}
