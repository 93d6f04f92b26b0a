/** The CSV downloads neutralise spreadsheet formulas: any leading = + - @ tab or CR, unless the cell is a plain number. */
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../api/downloads.js';

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
