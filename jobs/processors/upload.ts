/**
 * Processes one uploaded file (app/uploads/process-upload.ts) in one transaction that also marks the
 * outbox row done. Beside it, the upload is marked running and its progress written after each chunk,
 * and the file is read beside it too, so the next rows are parsed while the database writes. On PGlite,
 * whose one connection a transaction holds until its end, the file is processed a chunk per transaction
 * (app/uploads/process-upload-in-parts.ts), so other requests are answered between chunks; the last
 * transaction writes the outcome and marks the outbox row done. The last failed attempt marks the upload
 * failed.
 */
import { UnrecoverableError } from 'bullmq';
import { perform, settled } from '../../app/perform.js';
import { processUpload } from '../../app/uploads/process-upload.js';
import { processUploadInParts } from '../../app/uploads/process-upload-in-parts.js';
import { markDone } from '../../db/repositories/outbox.js';
import { markUploadFailed, markUploadStarted, noteUploadProgress } from '../../app/uploads/upload-job-state.js';
import { uploadFailureInWords } from '../../app/uploads/upload-failure.js';
import { UploadJob } from '../../schemas/uploads.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

/** On PGlite: a chunk per transaction; a refusal fails the job for good, as performJob's do. */
async function inParts(ctx: Parameters<Processor>[0], job: Parameters<Processor>[1], uploadId: string) {
  const done = await settled(processUploadInParts(ctx.db, { uploadId, now: ctx.now(), finish: (tx) => markDone(tx, job.id) }));
  if (!done.ok) throw new UnrecoverableError(done.message);
  return done.value;
}

export const upload: Processor = async (ctx, job) => {
  const { uploadId } = parsePayload(UploadJob, job.data, job.id);
  const beside = ctx.driver !== 'pglite';
  await settled(perform(ctx.db, { now: ctx.now(), actor: null }, (uc) => markUploadStarted(uc, { uploadId })));
  const progress = beside
    ? (p: { permille: number; rowsRead: number }) =>
        settled(perform(ctx.db, { now: ctx.now(), actor: null }, (uc) => noteUploadProgress(uc, { uploadId, ...p }))).then(() => undefined)
    : undefined;
  try {
    const outcome = beside
      ? await performJob(ctx, job, (uc) => processUpload(uc, { uploadId, progress, partsFrom: ctx.db }))
      : await inParts(ctx, job, uploadId);
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
