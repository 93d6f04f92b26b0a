/**
 * The parts a quarter's fan-out splits its banks into (app/disclosures/compile-quarter.ts): one job per
 * part reads its banks' covered loans in one statement.
 */

/**
 * How many parts a quarter's fan-out splits its banks into: the compile queue's two jobs at a time
 * (jobs/runtime.ts), so both cores read loans. One statement reads one part's loans: PostgreSQL runs no
 * statement that writes (the sets) on more than one core.
 */
export const FAN_OUT_PARTS = 2;

/**
 * The banks in `parts` parts of about the same number of loans (largest first, each to the lightest part
 * so far; ties by code), none empty: each part is one job's single read of its banks' covered loans.
 */
export function fanOutParts<B extends { code: string; sampledLoans: number }>(banks: readonly B[], parts: number): B[][] {
  const out = Array.from({ length: Math.min(parts, banks.length) }, () => ({ loans: 0, banks: [] as B[] }));
  const bySize = [...banks].sort((a, b) => b.sampledLoans - a.sampledLoans || (a.code < b.code ? -1 : 1));
  for (const bank of bySize) {
    const lightest = out.reduce((min, part) =>
      part.loans < min.loans || (part.loans === min.loans && part.banks.length < min.banks.length) ? part : min,
    );
    lightest.banks.push(bank);
    lightest.loans += bank.sampledLoans;
  }
  return out.map((part) => part.banks.sort((a, b) => (a.code < b.code ? -1 : 1)));
}
