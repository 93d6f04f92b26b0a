/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character
 * alphabet (digits and capitals without I, O, S, V, Z); the 18th is a check character computed from the
 * first 17 with weights 3^i mod 31.
 */
import { fail, ok, type Result } from '../result.js';

export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeStatus =
  'credit_code_length' | 'credit_code_character' | 'credit_code_admin_division' | 'credit_code_check_character';

/** The check character for the first 17 characters of a code (which must be in the alphabet). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(first17[i]);
    if (value < 0) throw new Error(`creditCodeCheckCharacter: bad character ${first17[i]}`);
    sum += value * WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_ALPHABET[check];
}

export function validateCreditCode(code: string): Result<string, CreditCodeStatus> {
  if (code.length !== 18) return fail('credit_code_length', undefined, `must have 18 characters, has ${code.length}`);
  for (const ch of code) {
    if (!CREDIT_CODE_ALPHABET.includes(ch)) {
      return fail('credit_code_character', undefined, `character '${ch}' is not allowed (digits and capitals except I, O, S, V, Z)`);
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return fail('credit_code_admin_division', undefined, 'characters 3–8 must be the six-digit administrative division code');
  }
  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    return fail('credit_code_check_character', undefined, `check character is '${code[17]}', expected '${expected}'`);
  }
  return ok(code);
}

/**
 * A well-formed code for synthetic data (demo, tests, benchmarks): the 8-character prefix (authority,
 * type, division), `serial` written in base 31 as the 9-character body, and its check character.
 */
export function syntheticCreditCode(prefix8: string, serial: number): string {
  let body = '';
  for (let i = 0, x = serial; i < 9; i++, x = Math.floor(x / 31)) body += CREDIT_CODE_ALPHABET[x % 31];
  const first17 = prefix8 + body;
  return first17 + creditCodeCheckCharacter(first17);
}
