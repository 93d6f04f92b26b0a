/**
 * A bank sends a file (POST /api/v1/uploads, or the upload form of /bank/uploads): the upload is
 * opened, its bytes are stored part by part as they arrive, and once the whole file is in, the upload
 * is queued in the same transaction as its job's outbox row (so a queued upload always has its job).
 * A file that never arrived whole is discarded.
 */
import { writeOutbox } from '../../db/repositories/outbox.js';
import { deleteUpload, findUpload, insertUpload, insertUploadPart, setUploadReceived } from '../../db/repositories/uploads.js';
import { UPLOAD_KINDS, type UploadKind } from '../../schemas/uploads.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

/** The largest file accepted. */
export const UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/** CSV or XLSX, told from the file's first bytes (an XLSX is a ZIP archive); the old binary .xls is refused. */
export function detectFormat(head: Uint8Array): 'csv' | 'xlsx' | 'xls' {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls';
  return 'csv';
}

export async function openUpload(ctx: ActorContext, input: { id: string; fileName: string }): Promise<{ id: string }> {
  await insertUpload(ctx.tx, {
    id: input.id,
    institutionId: ctx.actor.institutionId,
    uploadedBy: ctx.actor.userId,
    fileName: input.fileName.slice(0, 300) || 'upload',
    createdAt: ctx.now,
  });
  return { id: input.id };
}

export async function storeUploadPart(ctx: UseCaseContext, input: { uploadId: string; seq: number; data: Uint8Array }): Promise<void> {
  await insertUploadPart(ctx.tx, input.uploadId, input.seq, input.data);
}

export async function discardUpload(ctx: UseCaseContext, input: { uploadId: string }): Promise<void> {
  await deleteUpload(ctx.tx, input.uploadId);
}

/**
 * The whole file is in: checks what the form said (kind, file), then queues the upload's job.
 * Refuses (and the caller discards the upload) when the kind is not one of ours, the file is
 * missing or empty, or it is an old .xls workbook.
 */
export async function queueUpload(
  ctx: ActorContext,
  input: { uploadId: string; kind: string | undefined; head: Uint8Array; sizeBytes: number; fileSha256: string; writeGoodRows: boolean },
): Promise<{ id: string }> {
  const upload = await findUpload(ctx.tx, input.uploadId, { institutionId: ctx.actor.institutionId });
  if (!upload || upload.status !== 'receiving') refuse('not_found', `upload ${input.uploadId} not found`);
  const violations = [];
  if (!input.kind || !(UPLOAD_KINDS as readonly string[]).includes(input.kind))
    violations.push({
      path: 'kind',
      code: input.kind ? 'invalid_enum_value' : 'required',
      message: `kind is one of ${UPLOAD_KINDS.join(', ')}`,
    });
  if (input.sizeBytes === 0) violations.push({ path: 'file', code: 'required', message: 'send the CSV or XLSX file in the field "file"' });
  const format = detectFormat(input.head);
  if (format === 'xls')
    violations.push({ path: 'file', code: 'unsupported_format', message: 'an old .xls workbook: save it as .xlsx or .csv' });
  if (violations.length) refuseViolations(violations);
  await setUploadReceived(ctx.tx, upload.id, {
    kind: input.kind as UploadKind,
    format,
    sizeBytes: input.sizeBytes,
    fileSha256: input.fileSha256,
    writeGoodRows: input.writeGoodRows,
  });
  await writeOutbox(ctx.tx, [outboxJobs.upload(upload.id)]);
  return { id: upload.id };
}
