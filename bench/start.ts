/**
 * Starting like a service, on the embedded defaults (PGlite and its own redis-server in a data folder),
 * each step as `npm start` runs it after its build: how soon a port another process holds is reported;
 * how soon a new data folder answers `/readyz`; how soon a restart on that folder does. The raw
 * reference in the same run: a bare `node:http` process answering its first request. Targets: the taken
 * port reported within 2 s, `/readyz` within 10 s on a new folder, within 5 s on a restart.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../process/embedded/process-tools.js';
import { serviceArgs } from '../scripts/service-command.js';
import { BENCH_OPERATOR_KEY, fmt, type Benchmark } from './support.js';

const RUNS = Number(process.env.BENCH_START_RUNS ?? 3);

/** Spawns the service; resolves with the seconds until `/readyz` answers 200, or until it exits (`exited`). */
function startTimed(env: Record<string, string>) {
  const began = performance.now();
  const child = spawn(process.execPath, serviceArgs('process/start.ts'), {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', CERF_BOOTSTRAP_OPERATOR_KEY: BENCH_OPERATOR_KEY },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise<{ code: number | null; seconds: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, seconds: (performance.now() - began) / 1000 })),
  );
  const ready = async (url: string) => {
    for (;;) {
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return (performance.now() - began) / 1000;
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before it was ready`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { exited, ready, stop };
}

/** A bare node:http process: seconds until its first answer. */
async function bareStart(port: number): Promise<number> {
  const began = performance.now();
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`], {
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return (performance.now() - began) / 1000;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;

const bench: Benchmark = async ({ log }) => {
  serviceArgs('process/start.ts'); // build once, before anything is timed
  const bare: number[] = [];
  const taken: number[] = [];
  const fresh: number[] = [];
  const restart: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    bare.push(await bareStart(await freePort()));

    const holder = createServer((_q, s) => s.end('another process'));
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const heldPort = (holder.address() as AddressInfo).port;
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-start-'));
    try {
      const refused = await startTimed({ PORT: String(heldPort), HOST: '127.0.0.1', DATA_DIR: folder }).exited;
      if (refused.code !== 1) throw new Error(`a start on a taken port exited with ${refused.code}`);
      taken.push(refused.seconds);
      await new Promise((r) => holder.close(r));

      const port = await freePort();
      const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: folder };
      const url = `http://127.0.0.1:${port}`;
      const first = startTimed(env);
      fresh.push(await first.ready(url));
      await first.stop();
      const second = startTimed(env);
      restart.push(await second.ready(url));
      await second.stop();
    } finally {
      holder.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  log(`${RUNS} runs on the embedded defaults (median, range in seconds, from the process's spawn)`);
  log(`bare node:http first answer        ${fmt(median(bare), 2)} s  (${range(bare)})`);
  log(`port in use reported               ${fmt(median(taken), 2)} s  (${range(taken)})  (target ≤ 2: ${verdict(median(taken) <= 2)})`);
  log(`/readyz on a new data folder       ${fmt(median(fresh), 2)} s  (${range(fresh)})  (target ≤ 10: ${verdict(median(fresh) <= 10)})`);
  log(
    `/readyz on a restart               ${fmt(median(restart), 2)} s  (${range(restart)})  (target ≤ 5: ${verdict(median(restart) <= 5)})`,
  );
};

export default bench;
