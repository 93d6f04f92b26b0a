/** `npm run bench -- --record` rewrites only the marked results section of docs/benchmarks.md. */
import { describe, expect, it } from 'vitest';
import { RESULTS_END, RESULTS_START, recordResults } from '../../bench/record.js';

const ORDER = ['loan-ingest', 'accrual', 'compile'];
const AT = new Date('2026-12-07T01:02:03Z');
const doc = (section: string) => `# Benchmarks\n\nHand-written text.\n\n${RESULTS_START}\n\n${section}\n\n${RESULTS_END}\n\nMore text.\n`;
const old = '### 2026-11-30 full run\n\n| a | b |\n\n### accrual\n\nRecorded 2026-11-01.';

describe('recording benchmark results', () => {
  it('when one benchmark ran, then its entry is replaced with the date and machine, and the others stay', () => {
    const out = recordResults(doc(old), [{ name: 'accrual', lines: ['ours 9,694 ms', 'ratio 1.03'], seconds: 61.4 }], {
      at: AT,
      machine: 'Linux; 2 cores',
      order: ORDER,
    });
    expect(out).toBe(
      doc(
        '### accrual\n\nRecorded 2026-12-07 01:02 UTC, 61 s; Linux; 2 cores.\n\n```text\nours 9,694 ms\nratio 1.03\n```\n\n### 2026-11-30 full run\n\n| a | b |',
      ),
    );
  });

  it('when every benchmark ran, then the section holds only this run, in the benchmarks order', () => {
    const runs = ['compile', 'accrual', 'loan-ingest'].map((name) => ({ name, lines: [name], seconds: 1 }));
    const out = recordResults(doc(old), runs, { at: AT, machine: 'm', order: ORDER });
    expect(out).not.toContain('2026-11-30');
    expect([...out.matchAll(/^### (\S+)/gm)].map((m) => m[1])).toEqual(ORDER);
    expect(out.startsWith('# Benchmarks\n\nHand-written text.')).toBe(true);
    expect(out.endsWith(`${RESULTS_END}\n\nMore text.\n`)).toBe(true);
  });

  it('when the document has no marked section, then recording refuses', () => {
    expect(() => recordResults('# Benchmarks\n', [], { at: AT, machine: 'm', order: ORDER })).toThrow(/not marked/);
  });
});
