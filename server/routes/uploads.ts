/**
 * Uploads of loan, repayment and amendment files (CSV or XLSX, multipart) answered with a job the client
 * polls, its error report as CSV, and bulk repayments in JSON. The file streams into the database part
 * by part as it arrives (busboy); the upload job (jobs/processors/upload.ts) does the rest.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { parseYuan } from '../../domain/money.js';
import { recordRepayments, type RepaymentRowInput } from '../../app/loans/record-repayments.js';
import type { ActorContext } from '../../app/perform.js';
import { Refused } from '../../app/refusals.js';
import { discardUpload, openUpload, queueUpload, storeUploadPart, UPLOAD_MAX_BYTES } from '../../app/uploads/receive-upload.js';
import type { Db } from '../../db/client.js';
import { findUpload, listUploads, uploadErrors } from '../../db/repositories/uploads.js';
import {
  RepaymentBatchBody,
  RepaymentBatchResult,
  RepaymentRow,
  UploadForm,
  UploadView,
  type UploadRowErrorValue,
} from '../../schemas/uploads.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { notFound, validationFailed, zodViolations } from '../errors.js';
import { describe } from '../openapi.js';
import { errorReportRows, presentRepaymentBatch, presentUpload } from '../presenters/uploads.js';
import { parseOrThrow } from '../validate.js';

const UploadId = z.object({ id: z.string().uuid() });
/** Parts of the stored file. */
const PART_BYTES = 1024 * 1024;

const UploadMultipart = z
  .object({
    kind: z.enum(['loans', 'repayments', 'amendments']),
    writeGoodRows: z
      .enum(['true', 'false'])
      .optional()
      .describe('write the rows that pass even when others fail (default false: nothing is written)'),
    file: z.string().describe('the CSV (UTF-8, header row of column names) or XLSX (first sheet) file'),
  })
  .meta({ id: 'UploadForm' });

describe({
  method: 'post',
  path: '/api/v1/uploads',
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
  tag: 'uploads',
  roles: ['bank'],
  summary: "The bank's latest uploads",
  responses: { 200: z.object({ items: z.array(UploadView) }) },
});
describe({
  method: 'get',
  path: '/api/v1/uploads/:id',
  tag: 'uploads',
  roles: ['bank'],
  summary: 'An upload job: status (queued, running, completed, refused, failed), progress, counts and the first errors (row, column, rule)',
  responses: { 200: UploadView, 404: null },
});
describe({
  method: 'get',
  path: '/api/v1/uploads/:id/errors.csv',
  tag: 'uploads',
  roles: ['bank'],
  summary: "An upload's whole error report as CSV: row, column, rule, message",
  responses: { 200: null, 404: null },
});
describe({
  method: 'post',
  path: '/api/v1/repayments/batch',
  tag: 'loans',
  roles: ['bank'],
  summary: 'Record up to 10,000 repayments, each naming its loan by reference; a row with errors writes nothing and the others go on',
  body: RepaymentBatchBody,
  responses: { 200: RepaymentBatchResult, 422: null },
  idempotent: true,
});

/** What the multipart request carried, the file stored as parts of upload `id` (null when no file came). */
type Received = {
  fields: Record<string, string>;
  file: { id: string; size: number; sha256: string; head: Uint8Array } | null;
  truncated: boolean;
};

/**
 * Streams a multipart request: the first field named `file` is stored part by part as the upload's
 * bytes (pausing the request while a part is written); other files are drained.
 */
export function receiveMultipart(db: Db, ctx: () => ActorContext, req: Request): Promise<Received> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_MAX_BYTES, files: 3, fields: 20, fieldSize: 10_000 } });
    } catch {
      reject(validationFailed([{ path: 'file', code: 'multipart_required', message: 'send multipart/form-data with kind and file' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let received: Received['file'] = null;
    let truncated = false;
    let work: Promise<void> = Promise.resolve();
    let failed: unknown = null;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream: Readable, info) => {
      if (name !== 'file' || received) {
        stream.resume();
        return;
      }
      const id = randomUUID();
      received = { id, size: 0, sha256: '', head: new Uint8Array() };
      const file = received;
      stream.on('limit', () => (truncated = true));
      work = (async () => {
        await db.transaction((tx) => openUpload({ ...ctx(), tx }, { id, fileName: info.filename ?? 'upload' }));
        const hash = createHash('sha256');
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let seq = 0;
        const flush = async () => {
          if (!pendingBytes) return;
          const data = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          const part = seq++;
          await db.transaction((tx) => storeUploadPart({ ...ctx(), tx }, { uploadId: id, seq: part, data }));
        };
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (file.size === 0) file.head = new Uint8Array(chunk.subarray(0, 8));
          file.size += chunk.length;
          hash.update(chunk);
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= PART_BYTES) await flush();
        }
        await flush();
        file.sha256 = hash.digest('hex');
      })().catch((err) => {
        failed = err;
        stream.resume();
      });
    });
    bb.on('error', (err) => reject(err));
    bb.on('close', () => {
      work.then(() => (failed ? reject(failed) : resolve({ fields, file: received, truncated })), reject);
    });
    req.pipe(bb);
  });
}

export function uploadRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  const uploadOf = async (id: string, institutionId: string) => {
    const row = await findUpload(db, id, { institutionId });
    if (!row || row.status === 'receiving') throw notFound(`upload ${id}`);
    return row;
  };

  router.post('/uploads', requireRole('bank'), async (req, res) => {
    const actor = actorOf(res);
    const at = now();
    const ctx = () => ({ tx: db, now: at, actor });
    const received = await receiveMultipart(db, ctx, req);
    const discard = async () => {
      if (received.file) await db.transaction((tx) => discardUpload({ ...ctx(), tx }, { uploadId: received.file!.id }));
    };
    if (received.truncated) {
      await discard();
      throw new Refused('validation_failed', `the file is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MB`, {
        errors: [{ path: 'file', code: 'file_too_large', message: `at most ${UPLOAD_MAX_BYTES / 1024 / 1024} MB` }],
      });
    }
    const form = UploadForm.safeParse({ kind: received.fields.kind, writeGoodRows: received.fields.writeGoodRows });
    if (!received.file || !form.success) {
      await discard();
      const violations = form.success ? [] : zodViolations(form.error);
      if (!received.file) violations.push({ path: 'file', code: 'required', message: 'send the CSV or XLSX file in the field "file"' });
      throw validationFailed(violations);
    }
    const file = received.file;
    try {
      await db.transaction((tx) =>
        queueUpload(
          { ...ctx(), tx },
          {
            uploadId: file.id,
            kind: form.data.kind,
            head: file.head,
            sizeBytes: file.size,
            fileSha256: file.sha256,
            writeGoodRows: form.data.writeGoodRows,
          },
        ),
      );
    } catch (err) {
      await discard();
      throw err;
    }
    const row = (await findUpload(db, file.id))!;
    res.status(202).location(`/api/v1/uploads/${file.id}`).json(presentUpload(row, []));
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
      .send('\ufeff' + stringify(errorReportRows(errors)));
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
    const results = await db.transaction((tx) => recordRepayments({ tx, now: now(), actor }, rows));
    res.json(presentRepaymentBatch(results));
  });

  return router;
}
