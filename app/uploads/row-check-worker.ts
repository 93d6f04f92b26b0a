/**
 * A worker thread that checks an upload's rows (check-rows.ts) for the job's thread: it answers each
 * chunk it is sent, in the order sent, with the checked rows (or the error the checks threw). Started by
 * checked-chunks.ts, from dist/ as JavaScript or, under the tests, as TypeScript through tsx.
 */
import { parentPort } from 'node:worker_threads';
import type { UploadKind } from '../../schemas/uploads.js';
import { checkRows, type Chunk } from './check-rows.js';

export type RowCheckRequest = { id: number; kind: UploadKind; chunk: Chunk };
export type RowCheckAnswer = { id: number; checked: unknown[] } | { id: number; error: string };

parentPort?.on('message', (request: RowCheckRequest) => {
  let answer: RowCheckAnswer;
  try {
    answer = { id: request.id, checked: checkRows(request.kind, request.chunk) };
  } catch (err) {
    answer = { id: request.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(answer);
});
