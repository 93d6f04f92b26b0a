/** The one CSV writer: it neutralises spreadsheet formulas: any leading = + - @ tab or CR, unless the cell is a plain number. */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { toCsv, writeCsv } from '../../platform/csv.js';

const row = (value: string | number | null) =>
  toCsv({ columns: ['v'], rows: [[value]] })
    .replace(/^\ufeff/, '')
    .split('\r\n')[1];

describe('the CSV formula guard', () => {
  it('when text starts with a minus and a digit but is not a number, then it is neutralised', () => {
    expect(row("-1+1+cmd|' /C calc'!A0")).toBe("'-1+1+cmd|' /C calc'!A0");
    expect(row('-2-3')).toBe("'-2-3");
  });

  it('when text starts with = + - @ tab or CR, then it is neutralised (and quoted where needed)', () => {
    expect(row('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(row('+86 10 1234')).toBe("'+86 10 1234");
    expect(row('-x')).toBe("'-x");
    expect(row('@cmd')).toBe("'@cmd");
    expect(row('\t=1')).toBe("'\t=1");
    expect(row('\r=1')).toBe(`"'\r=1"`);
  });

  it('when a cell is a plain number, also negative, then it is kept as it is', () => {
    expect(row('-1.25')).toBe('-1.25');
    expect(row(-3)).toBe('-3');
    expect(row('13773.43')).toBe('13773.43');
    expect(row(null)).toBe('');
  });
});

describe('the streamed CSV writer', () => {
  /** A destination that takes `accept` chunks, then holds every further write until `release()`. */
  function slowDestination() {
    const chunks: string[] = [];
    let held: (() => void) | null = null;
    const out = new Writable({
      highWaterMark: 1,
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        held = done;
      },
    });
    return { out, chunks, release: () => (held ? (held(), (held = null)) : undefined) };
  }

  it('when the destination is slow, then the batches are read one at a time as it drains, and the file equals the whole CSV', async () => {
    const dest = slowDestination();
    let read = 0;
    async function* batches() {
      for (let i = 0; i < 5; i++) {
        read += 1;
        yield [[`=cell${i}`, i]];
      }
    }
    const done = writeCsv(dest.out, ['a', 'b'], batches());
    await new Promise((r) => setImmediate(r));
    // the header filled the destination: no batch is read while it is full
    expect(read).toBe(0);
    while (read < 5 || dest.chunks.join('').split('\r\n').length < 7) {
      dest.release();
      await new Promise((r) => setImmediate(r));
      expect(read).toBeLessThanOrEqual(dest.chunks.length);
    }
    dest.release();
    expect(await done).toBe(true);
    expect(dest.chunks.join('')).toBe(toCsv({ columns: ['a', 'b'], rows: [0, 1, 2, 3, 4].map((i) => [`=cell${i}`, i]) }));
  });

  it('when the destination closes midway (the client went away), then no further batch is read', async () => {
    const dest = slowDestination();
    let read = 0;
    async function* batches() {
      for (;;) {
        read += 1;
        yield [['x']];
      }
    }
    const done = writeCsv(dest.out, ['a'], batches());
    dest.release();
    await new Promise((r) => setImmediate(r));
    dest.out.destroy();
    expect(await done).toBe(false);
    expect(read).toBeLessThanOrEqual(2);
  });
});
