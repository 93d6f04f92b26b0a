/**
 * Queue names and job ids derived from domain ids: a job's id names the thing it works on, so the
 * same work asked twice is one job. No BullMQ here (its limits live in jobs/queues.ts), so use cases
 * can write outbox rows with the same names. BullMQ refuses ':' in custom ids, hence the dots.
 */
export const QUEUE_NAMES = ['compile', 'assign', 'publish', 'maturity-scan', 'interest-accrual', 'notify', 'upload'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

export const jobIds = {
  /** fan-out of a quarter's compilation over every bank with support */
  compileQuarter: (quarter: string) => `compile-quarter.${quarter}`,
  /** part `part` (from 1) of a fan-out run (`compile-quarter.<quarter>` or a later run's id) */
  compileQuarterPart: (runJobId: string, part: number) => `${runJobId}.part${part}`,
  compile: (institutionCode: string, quarter: string, version: number) => `compile.${institutionCode}.${quarter}.v${version}`,
  assign: (versionId: string) => `assign.${versionId}`,
  publish: (versionId: string) => `publish.${versionId}`,
  notify: (event: string, subjectId: string, institutionCode: string) => `notify.${event}.${subjectId}.${institutionCode}`,
  maturityScan: (on: string) => `maturity-scan.${on}`,
  interestAccrual: (through: string) => `interest-accrual.${through}`,
  /** a correction retried on its own after it failed in its event's transaction: the event's reason, time and changes */
  correct: (reason: string, atMs: number, changesDigest: string) => `correct.${reason}.${atMs}.${changesDigest}`,
  /** processing of one uploaded file */
  upload: (uploadId: string) => `upload.${uploadId}`,
};
