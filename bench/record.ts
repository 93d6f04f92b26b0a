/**
 * `npm run bench -- --record`: the run's figures go into the marked results section of
 * docs/benchmarks.md, each benchmark under its own heading with the date, the machine and the settings
 * of the run. The text around the markers is written by hand and never touched. A run of some
 * benchmarks replaces their entries and keeps the others; a run of every benchmark replaces the section.
 */
import os from 'node:os';

export const RESULTS_START = '<!-- bench:results:start (written by `npm run bench -- --record`: edit the text around it, not this) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

export type RecordedRun = { name: string; lines: string[]; seconds: number };

/** The machine and the settings a run was made with, one line. */
export function machineLine(env: NodeJS.ProcessEnv = process.env): string {
  const cpus = os.cpus();
  const settings = Object.entries(env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return [
    `${os.type()} ${os.release()} ${os.arch()}`,
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'})`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `Node ${process.version}`,
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} at the start`,
    settings.length ? `settings ${settings.join(' ')}` : 'default sizes',
  ].join('; ');
}

/** One benchmark's entry: its heading, when and where it ran, and what it printed. */
export function entryOf(run: RecordedRun, at: Date, machine: string): string {
  const when = at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  return [`### ${run.name}`, '', `Recorded ${when}, ${run.seconds.toFixed(0)} s; ${machine}.`, '', '```text', ...run.lines, '```'].join(
    '\n',
  );
}

/** The entries of the section by heading (`### name …`), in their order. */
function entriesOf(section: string): { key: string; text: string }[] {
  return section
    .split(/^(?=### )/m)
    .filter((part) => part.startsWith('### '))
    .map((part) => ({ key: part.slice(4).split(/\s/)[0], text: part.trimEnd() }));
}

/**
 * The document with its results section rewritten: the entries of `runs` (in `order`), then, unless every
 * benchmark ran, the entries already there that this run did not replace.
 */
export function recordResults(doc: string, runs: RecordedRun[], options: { at: Date; machine: string; order: string[] }): string {
  const start = doc.indexOf(RESULTS_START);
  const end = doc.indexOf(RESULTS_END);
  if (start < 0 || end < start) throw new Error(`the results section is not marked (${RESULTS_START} … ${RESULTS_END})`);
  const before = doc.slice(0, start + RESULTS_START.length);
  const after = doc.slice(end);
  const ran = new Set(runs.map((r) => r.name));
  const everything = options.order.every((name) => ran.has(name));
  const fresh = [...runs]
    .sort((a, b) => options.order.indexOf(a.name) - options.order.indexOf(b.name))
    .map((run) => entryOf(run, options.at, options.machine));
  const kept = everything ? [] : entriesOf(doc.slice(start + RESULTS_START.length, end)).filter((e) => !ran.has(e.key));
  return `${before}\n\n${[...fresh, ...kept.map((e) => e.text)].join('\n\n')}\n\n${after}`;
}
