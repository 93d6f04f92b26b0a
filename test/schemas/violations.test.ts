import { describe, expect, it } from 'vitest';
import { LoanInput } from '../../schemas/loans.js';
import { zodViolations } from '../../schemas/violations.js';

describe('violations named from a shape', () => {
  it('when a row lacks a field and holds a bad one, then both are named, the missing one in plain words', () => {
    const parsed = LoanInput.safeParse({ loanRef: 'L-1', principal: '-5', disbursedOn: '2024-02-30' });
    expect(parsed.success).toBe(false);
    const violations = zodViolations(parsed.error!);
    const byPath = new Map(violations.map((v) => [v.path, v]));
    expect(byPath.get('borrower')).toEqual({ path: 'borrower', code: 'required', message: 'a value is required' });
    expect(byPath.get('principal')?.code).toBe('invalid_money');
    expect(byPath.get('disbursedOn')?.code).toBe('invalid_date');
    expect(violations.every((v) => !/Invalid input|received undefined/.test(v.message))).toBe(true);
  });
});
