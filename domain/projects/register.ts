/**
 * The national register of projects (docs/projects.md): a project exists once, whichever banks lend to it.
 * Pure rules: a loan's key in the register, the over-funding check across all banks, a register entry's
 * state (figures in conflict, over-funded) and the figures its loans' reductions are attributed with.
 *
 * A project is named by the borrower's unified social credit code with the project's name and province,
 * compared as the shared-project rule compares them (`foldName`: full-width forms as ASCII, Latin capitals
 * small, whitespace dropped). An operator may link two keys into one entry or split one off again.
 */
import { formatYuan } from '../money.js';
import type { Violation } from '../result.js';
import { foldName } from '../disclosures/shared-projects.js';

/** A loan's key in the register: the credit code and the folded name and province. */
export type RegisterKey = { creditCode: string; nameKey: string; provinceKey: string };

export const registerKeyOf = (l: { creditCode: string; projectName: string; province: string }): RegisterKey => ({
  creditCode: l.creditCode,
  nameKey: foldName(l.projectName),
  provinceKey: foldName(l.province),
});

export const registerKeyText = (k: RegisterKey) => `${k.creditCode}\u0000${k.nameKey}\u0000${k.provinceKey}`;

/** A project's figures as one bank declared them, or as an operator decided them. */
export type ProjectFigures = { totalInvestmentFen: bigint; annualReductionCentitonnes: bigint };

/**
 * The total investment the loans of all banks are checked against: the decided one, else the smallest any
 * bank declared (while the banks disagree, no bank's own declaration may be exceeded).
 */
export function registeredInvestment(decidedFen: bigint | null, declared: readonly bigint[]): bigint | null {
  if (decidedFen !== null) return decidedFen;
  return declared.reduce<bigint | null>((m, t) => (m === null || t < m ? t : m), null);
}

/**
 * Across all banks, the loans to one project never exceed its total investment. `fundedFen` is what every
 * bank already lent to it (the submitting bank's earlier rows included), `addFen` the new loan. The refusal
 * says by how much the loan exceeds, and names neither the other banks nor their loans.
 */
export function checkRegisterFunding(input: {
  fundedFen: bigint;
  addFen: bigint;
  totalInvestmentFen: bigint;
  projectRef: string;
}): Violation | null {
  const after = input.fundedFen + input.addFen;
  if (after <= input.totalInvestmentFen) return null;
  const excessFen = after - input.totalInvestmentFen;
  const byLoan = excessFen < input.addFen ? excessFen : input.addFen;
  return {
    path: 'principal',
    code: 'project_overfunded',
    message: `the loans of all banks to project ${input.projectRef} (the same borrower credit code, project name and province) would exceed its total investment by ${formatYuan(excessFen)}; this loan can be at most ${formatYuan(input.addFen - byLoan)}`,
  };
}

/** What an operator sees of an entry: its declared figures disagree, its loans exceed its investment. */
export type EntryState = {
  /** two or more different declarations and no decision */
  conflict: boolean;
  /** Σ principal of every bank's loans above the registered investment */
  overfunded: boolean;
  excessFen: bigint;
  registeredInvestmentFen: bigint | null;
};

export function entryState(input: { decided: ProjectFigures | null; declared: readonly ProjectFigures[]; fundedFen: bigint }): EntryState {
  const distinct = new Set(input.declared.map((d) => `${d.totalInvestmentFen}/${d.annualReductionCentitonnes}`));
  const investment = registeredInvestment(
    input.decided?.totalInvestmentFen ?? null,
    input.declared.map((d) => d.totalInvestmentFen),
  );
  const excessFen = investment !== null && input.fundedFen > investment ? input.fundedFen - investment : 0n;
  return { conflict: !input.decided && distinct.size > 1, overfunded: excessFen > 0n, excessFen, registeredInvestmentFen: investment };
}

/**
 * The figures a loan's reduction is attributed with (reduction × principal ÷ investment): the bank's own
 * until an operator decides the project's; then the decided reduction over the decided investment, or over
 * every bank's loans together when they exceed it (an entry over-funded before the register existed), so the
 * banks' attributed reductions of one project never add up to more than its reduction.
 * Mirrored in SQL by db/sql/project-figures.ts.
 */
export function attributionFigures(input: { own: ProjectFigures; decided: ProjectFigures | null; fundedFen: bigint }): {
  reductionCentitonnes: bigint;
  denominatorFen: bigint;
} {
  if (!input.decided) return { reductionCentitonnes: input.own.annualReductionCentitonnes, denominatorFen: input.own.totalInvestmentFen };
  const t = input.decided.totalInvestmentFen;
  return { reductionCentitonnes: input.decided.annualReductionCentitonnes, denominatorFen: input.fundedFen > t ? input.fundedFen : t };
}
