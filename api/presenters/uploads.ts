/** Uploads and bulk repayments as the API shows them: pure functions from stored rows to view JSON. */
import type { z } from 'zod';
import { formatYuan } from '../../domain/money.js';
import type { UploadSummary } from '../../db/repositories/uploads.js';
import type { RepaymentRowResult } from '../../app/loans/record-repayments.js';
import type { RepaymentBatchResult, UploadRowErrorValue, UploadView } from '../../schemas/uploads.js';

/** How many errors the upload's JSON carries (the CSV report has them all). */
export const ERRORS_SHOWN = 100;

export function presentUpload(row: UploadSummary, errors: readonly UploadRowErrorValue[]): z.infer<typeof UploadView> {
  const counts = (row.counts as { created: number; unchanged: number; error: number } | null) ?? { created: 0, unchanged: 0, error: 0 };
  return {
    id: row.id,
    kind: (row.kind ?? 'loans') as z.infer<typeof UploadView>['kind'],
    format: (row.format ?? 'csv') as 'csv' | 'xlsx',
    fileName: row.fileName,
    sizeBytes: row.sizeBytes,
    writeGoodRows: row.writeGoodRows,
    status: (row.status === 'receiving' ? 'queued' : row.status) as z.infer<typeof UploadView>['status'],
    interrupted: row.status === 'running' && row.resumedAt !== null,
    progressPercent: row.progressPermille / 10,
    rowsRead: row.rowsRead,
    counts: { created: counts.created, unchanged: counts.unchanged, error: counts.error },
    errorCount: row.errorCount,
    errors: errors.slice(0, ERRORS_SHOWN),
    errorsCsv: `/api/v1/uploads/${row.id}/errors.csv`,
    failure: row.failure,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** The error report: row, column, rule, message. */
export const errorReportCsv = (errors: readonly UploadRowErrorValue[]) => ({
  columns: ['row', 'column', 'rule', 'message'],
  rows: errors.map((e) => [String(e.row), e.column, e.rule, e.message]),
});

export function presentRepaymentBatch(results: RepaymentRowResult[]): z.infer<typeof RepaymentBatchResult> {
  let created = 0;
  const out = results.map((r) => {
    if (r.status === 'error')
      return {
        index: r.index,
        loanRef: r.loanRef,
        status: r.status,
        errors: r.errors.map((e) => ({ ...e, path: `repayments.${r.index}.${e.path}` })),
      };
    created += 1;
    return { index: r.index, loanRef: r.loanRef, status: r.status, id: r.id, outstandingPrincipal: formatYuan(r.outstandingFen) };
  });
  return { summary: { created, error: results.length - created }, results: out };
}
