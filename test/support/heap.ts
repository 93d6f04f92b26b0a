/**
 * The heap after a full collection, for tests that check memory comes back to its baseline after long
 * work (the fuzz tests). The collector is reached without starting node with --expose-gc: the flag is
 * set at run time and `gc` read from a fresh context.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** how far above its baseline the heap may settle after the work (caches filled, code compiled) */
export const HEAP_SLACK_BYTES = 16 * 1024 * 1024;

/** The heap's used bytes after collecting until it no longer shrinks (sockets and timers closing meanwhile). */
export async function settledHeap(): Promise<number> {
  let used = Infinity;
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= used - 64 * 1024) return now;
    used = now;
  }
  return used;
}

/** The heap's used bytes right after one full collection (cheap enough to sample while work runs). */
export function liveHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
