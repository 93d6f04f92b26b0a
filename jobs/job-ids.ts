/**
 * Queue names, their limits, and job ids derived from domain ids. No BullMQ here, so repositories can
 * write outbox rows with the same names. BullMQ refuses ':' in custom ids, hence the dots.
 */
export const QUEUES = {
  compile: { attempts: 5, timeoutMs: 300_000, backoffMs: 2_000 },
  assign: { attempts: 5, timeoutMs: 60_000, backoffMs: 2_000 },
  publish: { attempts: 5, timeoutMs: 60_000, backoffMs: 2_000 },
  'maturity-scan': { attempts: 3, timeoutMs: 300_000, backoffMs: 10_000 },
  'interest-accrual': { attempts: 3, timeoutMs: 300_000, backoffMs: 10_000 },
  notify: { attempts: 8, timeoutMs: 30_000, backoffMs: 1_000 },
} as const;

export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

export const jobIds = {
  /** fan-out of a quarter's compilation over every bank with support */
  compileQuarter: (quarter: string) => `compile-quarter.${quarter}`,
  compile: (institutionCode: string, quarter: string, version: number) => `compile.${institutionCode}.${quarter}.v${version}`,
  assign: (versionId: string) => `assign.${versionId}`,
  publish: (versionId: string) => `publish.${versionId}`,
  notify: (event: string, subjectId: string, institutionCode: string) => `notify.${event}.${subjectId}.${institutionCode}`,
  maturityScan: (on: string) => `maturity-scan.${on}`,
  interestAccrual: (through: string) => `interest-accrual.${through}`,
};
