/**
 * Uploads of CSV / XLSX files (POST /api/v1/uploads) and bulk repayments: the columns each kind of
 * file has (named like the fields of the JSON API, so an error's column is the field's path), the
 * form fields, the upload job as the client polls it, and the repayment batch.
 */
import { z } from 'zod';
import { IsoDateString, YuanString } from './common.js';

export const UPLOAD_KINDS = ['loans', 'repayments', 'amendments'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** The columns of a loan row: the paths of LoanInput. */
export const LOAN_COLUMNS = [
  'loanRef',
  'borrower.name',
  'borrower.creditCode',
  'project.ref',
  'project.name',
  'project.province',
  'project.subArea',
  'project.totalInvestment',
  'project.annualReductionTonnes',
  'project.reductionBasis',
  'project.evidence.title',
  'project.evidence.sha256',
  'principal',
  'annualRatePercent',
  'disbursedOn',
  'maturesOn',
] as const;

/** Required columns of each kind of file, in the order of the template. */
export const UPLOAD_COLUMNS: Record<UploadKind, readonly string[]> = {
  loans: LOAN_COLUMNS,
  repayments: ['loanRef', 'repaidOn', 'amount'],
  amendments: ['loanRef', 'reason', ...LOAN_COLUMNS.filter((c) => c !== 'loanRef')],
};

/** A flat row (column → text) as the nested object of the JSON API. Empty cells are left out. */
export function nestRow(cells: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(cells)) {
    if (value === '') continue;
    const parts = column.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]] = value;
  }
  return out;
}

/**
 * The upload form, described once: the use case checks the form's fields with it
 * (app/uploads/receive-upload.ts), and `/openapi.json` describes the multipart body from it with the file
 * part added (api/routes/uploads.ts).
 */
export const UploadForm = z
  .object({
    kind: z.enum(UPLOAD_KINDS).describe('what the file holds: loans, repayments or amendments'),
    writeGoodRows: z
      .enum(['true', 'false', 'on', '1', '0'])
      .optional()
      .transform((v) => v === 'true' || v === 'on' || v === '1')
      .describe('write the rows that pass even when others fail: true, on or 1 (default false: nothing is written)'),
  })
  .strict();

export const UploadRowError = z
  .object({
    row: z.number().int().describe('row number in the file; the header is row 1'),
    column: z.string().describe('the column (a field path such as project.subArea), or (row)'),
    rule: z.string().describe('the rule code, as in the JSON API'),
    message: z.string(),
  })
  .meta({ id: 'UploadRowError' });
export type UploadRowErrorValue = z.infer<typeof UploadRowError>;

export const UploadView = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(UPLOAD_KINDS),
    format: z.enum(['csv', 'xlsx']),
    fileName: z.string(),
    sizeBytes: z.number().int(),
    writeGoodRows: z.boolean(),
    status: z.enum(['queued', 'running', 'completed', 'refused', 'failed']),
    interrupted: z
      .boolean()
      .describe('running again after an earlier attempt was interrupted (its worker stopped or it failed): interrupted, resuming'),
    progressPercent: z.number().describe('share of the file read, 0–100'),
    rowsRead: z.number().int(),
    counts: z.object({ created: z.number().int(), unchanged: z.number().int(), error: z.number().int() }),
    errorCount: z.number().int(),
    errors: z.array(UploadRowError).describe('the first errors (all of them in errors.csv)'),
    errorsCsv: z.string().describe('URL of the whole error report'),
    failure: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Upload' });

export const UploadJob = z.object({ uploadId: z.string().uuid() }).strict();

export const RepaymentRow = z
  .object({ loanRef: z.string().min(1).max(100), repaidOn: IsoDateString, amount: YuanString })
  .strict()
  .meta({ id: 'RepaymentRow' });

export const REPAYMENT_BATCH_MAX = 10_000;
export const RepaymentBatchBody = z
  .object({
    repayments: z.array(z.unknown()).min(1, 'must list at least one repayment').max(REPAYMENT_BATCH_MAX, `at most ${REPAYMENT_BATCH_MAX}`),
  })
  .strict()
  .meta({ id: 'RepaymentBatch', description: `up to ${REPAYMENT_BATCH_MAX} rows of RepaymentRow` });

export const RepaymentBatchResult = z
  .object({
    summary: z.object({ created: z.number().int(), error: z.number().int() }),
    results: z.array(
      z.object({
        index: z.number().int(),
        loanRef: z.string().optional(),
        status: z.enum(['created', 'error']),
        id: z.string().uuid().optional(),
        outstandingPrincipal: z.string().optional(),
        errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
      }),
    ),
  })
  .meta({ id: 'RepaymentBatchResult' });
