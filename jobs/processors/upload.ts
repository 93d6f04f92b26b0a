/**
 * Processes one uploaded file (app/uploads/process-upload.ts) in one transaction that also marks the
 * outbox row done. Beside it, the upload is marked running and its progress written after each chunk
 * (on PostgreSQL; PGlite's one connection is busy with the transaction, so there only the outcome
 * shows), and the file is read beside it too, so the next rows are parsed while the database writes.
 * The last failed attempt marks the upload failed.
 */
import { UnrecoverableError } from 'bullmq';
import { perform, settled } from '../../app/perform.js';
import { processUpload } from '../../app/uploads/process-upload.js';
import { markUploadFailed, markUploadStarted, noteUploadProgress } from '../../app/uploads/upload-job-state.js';
import { uploadFailureInWords } from '../../app/uploads/upload-failure.js';
import { UploadJob } from '../../schemas/uploads.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const upload: Processor = async (ctx, job) => {
  const { uploadId } = parsePayload(UploadJob, job.data, job.id);
  const beside = ctx.driver !== 'pglite';
  await settled(perform(ctx.db, { now: ctx.now(), actor: null }, (uc) => markUploadStarted(uc, { uploadId })));
  const progress = beside
    ? (p: { permille: number; rowsRead: number }) =>
        settled(perform(ctx.db, { now: ctx.now(), actor: null }, (uc) => noteUploadProgress(uc, { uploadId, ...p }))).then(() => undefined)
    : undefined;
  try {
    const outcome = await performJob(ctx, job, (uc) => processUpload(uc, { uploadId, progress, partsFrom: beside ? ctx.db : undefined }));
    return outcome.replayed ? 'already_processed' : `${outcome.status}: ${JSON.stringify(outcome.counts)}`;
  } catch (err) {
    const last = err instanceof UnrecoverableError || job.attemptsMade + 1 >= job.maxAttempts;
    if (last)
      await settled(
        perform(ctx.db, { now: ctx.now(), actor: null }, (uc) =>
          markUploadFailed(uc, { uploadId, failure: uploadFailureInWords(err, err instanceof UnrecoverableError) }),
        ),
      ).catch(() => undefined);
    throw err;
  }
};
