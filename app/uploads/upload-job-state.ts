/**
 * The upload job's state as a poller sees it, written beside the job's own transaction: started (or
 * resumed, when an earlier attempt was interrupted),
 * how far the file has been read, failed for good. (The outcome itself is written by processUpload in
 * the job's transaction.)
 */
import { findUpload, updateUpload } from '../../db/repositories/uploads.js';
import type { UseCaseContext } from '../perform.js';

export async function markUploadStarted(ctx: UseCaseContext, input: { uploadId: string }): Promise<void> {
  const upload = await findUpload(ctx.tx, input.uploadId);
  if (upload && (upload.status === 'queued' || upload.status === 'running'))
    await updateUpload(ctx.tx, input.uploadId, {
      status: 'running',
      startedAt: ctx.now,
      progressPermille: 0,
      rowsRead: 0,
      // still running when started again: the earlier attempt was interrupted, this one resumes it
      ...(upload.status === 'running' ? { resumedAt: ctx.now } : {}),
    });
}

export async function noteUploadProgress(
  ctx: UseCaseContext,
  input: { uploadId: string; permille: number; rowsRead: number },
): Promise<void> {
  await updateUpload(ctx.tx, input.uploadId, { progressPermille: input.permille, rowsRead: input.rowsRead });
}

export async function markUploadFailed(ctx: UseCaseContext, input: { uploadId: string; failure: string }): Promise<void> {
  const upload = await findUpload(ctx.tx, input.uploadId);
  if (upload && (upload.status === 'queued' || upload.status === 'running'))
    await updateUpload(ctx.tx, input.uploadId, { status: 'failed', failure: input.failure.slice(0, 1000), finishedAt: ctx.now });
}
