/**
 * An upload's chunks of rows, checked (check-rows.ts), in the file's order. A large file's chunks are
 * checked on worker threads when the machine has cores to spare (rowCheckThreads) while the job's thread reads the next rows and the database writes the last
 * chunk: the checks (the schema, the facts, a SHA-256 per loan) would otherwise hold the thread that
 * sends the chunk's statements, and the database would wait for it. A small file is checked on the
 * job's thread (starting a worker costs more than its rows). Either way the same function checks the
 * rows, so the error report is the same.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { UploadKind } from '../../schemas/uploads.js';
import { checkRows, type Chunk, type ColumnPaths } from './check-rows.js';
import type { FileRow } from './read-rows.js';
import type { RowCheckAnswer, RowCheckRequest } from './row-check-worker.js';

/** Files this large or larger are checked on worker threads. */
export const WORKER_CHECK_MIN_BYTES = 512 * 1024;

/**
 * Worker threads per large upload: the cores left beside the job's thread and PostgreSQL's backend
 * (none on two cores, at most two). On the 2-core machine a worker only took a core from the database,
 * which is what limits an upload, and added about 100 MB of RSS (docs/benchmarks.md, "Uploads").
 * `UPLOAD_CHECK_THREADS` sets the number (0: every file on the job's thread).
 */
export function rowCheckThreads(): number {
  const set = Number(process.env.UPLOAD_CHECK_THREADS);
  if (process.env.UPLOAD_CHECK_THREADS && Number.isInteger(set) && set >= 0) return set;
  return Math.max(0, Math.min(2, os.availableParallelism() - 2));
}

/**
 * The worker: the JavaScript module beside this one when the service runs from dist/; when it runs from
 * the sources (the tests), the TypeScript module loaded through tsx's require hook, which (unlike a
 * loader given by `--import`) a worker thread of Node 20 keeps.
 */
/**
 * A worker's young generation kept small: the service's flags give the job's thread large semi-spaces
 * (package.json's serviceNodeFlags), which a worker would inherit, and a chunk's checks need little.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./row-check-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
  const file = fileURLToPath(new URL('./row-check-worker.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).require(${JSON.stringify(file)}, ${JSON.stringify(file)});`, {
    eval: true,
    resourceLimits: WORKER_LIMITS,
  });
}

/** Worker threads that check chunks; each answers in the order it was asked. */
class RowCheckPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (rows: unknown[]) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = startWorker();
      worker.on('message', (answer: RowCheckAnswer) => {
        const waiter = this.waiting.get(answer.id);
        if (!waiter) return;
        this.waiting.delete(answer.id);
        if ('error' in answer) waiter.reject(new Error(`row checks failed: ${answer.error}`));
        else waiter.resolve(answer.checked);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a row-check worker stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  private fail(err: Error) {
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }

  check(kind: UploadKind, chunk: Chunk): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: RowCheckRequest = { id, kind, chunk };
      this.workers[id % this.workers.length].postMessage(request);
    });
  }

  async close() {
    this.failure ??= new Error('row checks stopped');
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Rows checked on the job's thread between two turns of the event loop. The same thread sends the chunk
 * before's statements: a chunk checked in one piece (about 100 ms for 5,000 loans) held every answer of
 * the database until it ended, and the database waited; in slices the answers are taken between them.
 */
export const CHECK_SLICE_ROWS = 250;

/** The checks of a chunk on this thread, a slice at a time (the same rows and order as checkRows). */
export async function checkRowsInSlices(kind: UploadKind, chunk: Chunk): Promise<unknown[]> {
  if (chunk.rows.length <= CHECK_SLICE_ROWS) return checkRows(kind, chunk);
  const out: unknown[] = [];
  for (let i = 0; i < chunk.rows.length; i += CHECK_SLICE_ROWS) {
    if (i) await nextTurn();
    for (const checked of checkRows(kind, { rows: chunk.rows.slice(i, i + CHECK_SLICE_ROWS), paths: chunk.paths })) out.push(checked);
  }
  return out;
}

type Slot = Promise<{ done: true } | { done: false; checked: unknown[] }>;

/**
 * The checked rows of each chunk `source` gives, in order. `threads` 0: each chunk is checked on this
 * thread when it is asked for. Otherwise up to `threads + 1` chunks are read ahead and checked on that
 * many workers; an error reading the file is thrown where the chunk it spoiled would have come.
 */
export async function* checkedChunks(
  kind: UploadKind,
  source: AsyncIterator<FileRow[]>,
  paths: ColumnPaths,
  threads: number,
): AsyncGenerator<unknown[]> {
  if (threads <= 0) {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      yield await checkRowsInSlices(kind, { rows: next.value, paths });
    }
  }
  const pool = new RowCheckPool(threads);
  const ahead = threads + 1;
  const slots: Slot[] = [];
  let stopped = false;
  // the reader waits for room, the consumer for a slot
  const wake: { room: (() => void) | null; arrived: (() => void) | null } = { room: null, arrived: null };
  const signal = (which: 'room' | 'arrived') => {
    const resolve = wake[which];
    wake[which] = null;
    resolve?.();
  };
  const push = (slot: Slot) => {
    slot.catch(() => undefined); // awaited by the consumer in its turn
    slots.push(slot);
    signal('arrived');
  };
  const reader = (async () => {
    for (;;) {
      while (slots.length >= ahead && !stopped) await new Promise<void>((r) => (wake.room = r));
      if (stopped) return;
      let next: IteratorResult<FileRow[]>;
      try {
        next = await source.next();
      } catch (err) {
        push(Promise.reject(err));
        return;
      }
      if (stopped) return;
      if (next.done) {
        push(Promise.resolve({ done: true }));
        return;
      }
      push(pool.check(kind, { rows: next.value, paths }).then((checked) => ({ done: false as const, checked })));
    }
  })();
  try {
    for (;;) {
      while (!slots.length) await new Promise<void>((r) => (wake.arrived = r));
      const slot = slots.shift()!;
      signal('room');
      const result = await slot;
      if (result.done) return;
      yield result.checked;
    }
  } finally {
    stopped = true;
    signal('room');
    await pool.close();
    await reader;
  }
}
