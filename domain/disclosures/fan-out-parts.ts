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
 * Below this many loans (the banks' estimates together) one part reads them all: each part scans the
 * whole loans table, and at a small size the second scan costs more than the second core saves (a
 * facility of 90,000 loans compiled its 20 quarters in 10.7 s in two parts each, 6.0 s before the parts).
 */
export const FAN_OUT_SPLIT_FROM = 100_000;

/** How many parts a quarter's banks with `estimatedLoans` loans together are read in. */
export const fanOutPartCount = (estimatedLoans: number): number => (estimatedLoans >= FAN_OUT_SPLIT_FROM ? FAN_OUT_PARTS : 1);

/**
 * The banks in `parts` parts of about the same number of loans (largest first, each to the lightest part
 * so far; ties by code), none empty: each part is one job's single read of its banks' covered loans.
 */
export function fanOutParts<B extends { code: string; estimatedLoans: number }>(banks: readonly B[], parts: number): B[][] {
  const out = Array.from({ length: Math.min(parts, banks.length) }, () => ({ loans: 0, banks: [] as B[] }));
  const bySize = [...banks].sort((a, b) => b.estimatedLoans - a.estimatedLoans || (a.code < b.code ? -1 : 1));
  for (const bank of bySize) {
    const lightest = out.reduce((min, part) =>
      part.loans < min.loans || (part.loans === min.loans && part.banks.length < min.banks.length) ? part : min,
    );
    lightest.banks.push(bank);
    lightest.loans += bank.estimatedLoans;
  }
  return out.map((part) => part.banks.sort((a, b) => (a.code < b.code ? -1 : 1)));
}
