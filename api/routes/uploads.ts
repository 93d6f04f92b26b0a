/**
 * Uploads of loan, repayment and amendment files (CSV or XLSX, multipart) answered with a job the client
 * polls, its error report as CSV, and bulk repayments in JSON. The file streams into the database part
 * by part as it arrives (busboy); the upload job (jobs/processors/upload.ts) does the rest.
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { toCsv } from '../../platform/csv.js';
import { z } from 'zod';
import { parseYuan } from '../../domain/money.js';
import { recordRepayments, type RepaymentRowInput } from '../../app/loans/record-repayments.js';
import { findUpload, listUploads, uploadErrors } from '../../db/repositories/uploads.js';
import {
  RepaymentBatchBody,
  RepaymentBatchResult,
  RepaymentRow,
  UPLOAD_KINDS,
  UploadForm,
  UploadView,
  type UploadRowErrorValue,
} from '../../schemas/uploads.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, zodViolations } from '../errors.js';
import { describe } from '../openapi.js';
import { templateCsv, templateXlsx } from '../upload-templates.js';
import { errorReportCsv, presentRepaymentBatch, presentUpload } from '../presenters/uploads.js';
import { parseOrThrow } from '../validate.js';
import { uploadRequestOf } from '../multipart.js';
import { receiveUpload } from '../../app/uploads/receive-upload.js';

const UploadId = z.object({ id: z.string().uuid() });
const TemplateKind = z.object({ kind: z.enum(UPLOAD_KINDS).describe('the kind of file: loans, repayments or amendments') });
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

for (const format of ['csv', 'xlsx'] as const)
  describe({
    method: 'get',
    path: `/api/v1/uploads/templates/:kind.${format}`,
    operationId: format === 'csv' ? 'downloadUploadTemplateCsv' : 'downloadUploadTemplateXlsx',
    tag: 'uploads',
    roles: [],
    params: TemplateKind,
    summary:
      format === 'csv'
        ? 'The upload template of a kind of file as CSV: the columns in order and one example row'
        : 'The upload template of a kind of file as XLSX: the columns and one example row, and a sheet "rules" with what each column holds and the rule codes of its errors',
    responses: {
      200: {
        description: 'The template, as an attachment',
        content: { [format === 'csv' ? 'text/csv' : XLSX_TYPE]: z.string() },
        headers: { 'Content-Disposition': { description: `attachment; filename="cerf-upload-template-<kind>.${format}"` } },
      },
    },
  });

/** The multipart body: the upload form's fields (`UploadForm`, the one description) and the file. */
const UploadMultipart = UploadForm.extend({
  file: z.string().describe('the CSV (UTF-8, header row of column names) or XLSX (first sheet) file'),
}).meta({ id: 'UploadForm' });

describe({
  method: 'post',
  path: '/api/v1/uploads',
  operationId: 'uploadFile',
  tag: 'uploads',
  roles: ['bank'],
  summary:
    'Upload a CSV or XLSX file of loans, repayments or amendments (multipart/form-data: kind, writeGoodRows, file); 202 with the upload job to poll',
  body: UploadMultipart,
  bodyMediaType: 'multipart/form-data',
  responses: { 202: UploadView, 413: null, 422: null },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/uploads',
  operationId: 'listUploads',
  tag: 'uploads',
  roles: ['bank'],
  summary: "The bank's latest uploads",
  responses: { 200: z.object({ items: z.array(UploadView) }) },
});
describe({
  method: 'get',
  path: '/api/v1/uploads/:id',
  operationId: 'getUpload',
  tag: 'uploads',
  roles: ['bank'],
  summary: 'An upload job: status (queued, running, completed, refused, failed), progress, counts and the first errors (row, column, rule)',
  responses: { 200: UploadView, 404: null },
});
describe({
  method: 'get',
  path: '/api/v1/uploads/:id/errors.csv',
  operationId: 'downloadUploadErrorsCsv',
  tag: 'uploads',
  roles: ['bank'],
  summary: "An upload's whole error report as CSV: row, column, rule, message",
  responses: { 200: null, 404: null },
});
describe({
  method: 'post',
  path: '/api/v1/repayments/batch',
  operationId: 'recordRepaymentBatch',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Record up to 10,000 repayments, each naming its loan by reference; a row with errors writes nothing and the others go on',
  body: RepaymentBatchBody,
  responses: { 200: RepaymentBatchResult, 422: null },
  idempotent: true,
});

export function uploadRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  const uploadOf = async (id: string, institutionId: string) => {
    const row = await findUpload(db, id, { institutionId });
    if (!row || row.status === 'receiving') throw notFound(`upload ${id}`);
    return row;
  };

  router.post('/uploads', requireRole('bank'), async (req, res) => {
    const id = await receiveUpload(db, actingOf({ now }, res), uploadRequestOf(req));
    const row = (await findUpload(db, id))!;
    res.status(202).location(`/api/v1/uploads/${id}`).json(presentUpload(row, []));
  });

  router.get('/uploads/templates/:kind.csv', (req, res) => {
    const { kind } = parseOrThrow(TemplateKind, req.params);
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="cerf-upload-template-${kind}.csv"`)
      .send(templateCsv(kind));
  });

  router.get('/uploads/templates/:kind.xlsx', async (req, res) => {
    const { kind } = parseOrThrow(TemplateKind, req.params);
    res
      .type(XLSX_TYPE)
      .set('Content-Disposition', `attachment; filename="cerf-upload-template-${kind}.xlsx"`)
      .send(await templateXlsx(kind));
  });

  router.get('/uploads', requireRole('bank'), async (_req, res) => {
    const actor = actorOf(res);
    const rows = await listUploads(db, actor.institutionId, 50);
    res.json({ items: rows.filter((r) => r.status !== 'receiving').map((r) => presentUpload(r, [])) });
  });

  router.get('/uploads/:id', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(UploadId, req.params);
    const row = await uploadOf(id, actor.institutionId);
    const errors = row.errorCount ? ((await uploadErrors(db, id)) as UploadRowErrorValue[]) : [];
    res.json(presentUpload(row, errors));
  });

  router.get('/uploads/:id/errors.csv', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(UploadId, req.params);
    const row = await uploadOf(id, actor.institutionId);
    const errors = (await uploadErrors(db, row.id)) as UploadRowErrorValue[];
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="upload-${row.id}-errors.csv"`)
      .send(toCsv(errorReportCsv(errors)));
  });

  router.post('/repayments/batch', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const body = parseOrThrow(RepaymentBatchBody, req.body);
    const rows: RepaymentRowInput[] = body.repayments.map((value, index) => {
      const parsed = RepaymentRow.safeParse(value);
      if (!parsed.success) return { index, input: null, violations: zodViolations(parsed.error) };
      return {
        index,
        input: { loanRef: parsed.data.loanRef, repaidOn: parsed.data.repaidOn, amountFen: parseYuan(parsed.data.amount)! },
        violations: [],
      };
    });
    const results = await perform(db, { now: now(), actor }, (ctx) => recordRepayments(ctx, rows));
    res.json(presentRepaymentBatch(results));
  });

  return router;
}
