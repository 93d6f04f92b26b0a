/**
 * Projects financed by several banks. Each bank records the projects it lends to under its own
 * reference, so one project financed by two banks is two projects in two disclosures: added up, the
 * national totals would count it twice. A **shared project** is the loans of two or more different
 * institutions in one project of the national register (domain/projects/register.ts; an operator may have
 * linked two spellings into one entry), or, for a loan not in the register, with the same borrower credit
 * code, the same project name and the same province, the name and the province compared folded (`foldName`).
 *
 * Counted once (our choice, consistent with the attribution of CERF.md §3: a loan's reduction is the
 * project's reduction × its principal ÷ the project's total investment, and the shares of all loans on
 * one project never exceed 1):
 * - loan amounts still add up: each bank lent its own money;
 * - the project counts as one project, however many banks (and references) finance it;
 * - its reduction is the sum of the banks' attributed reductions, but never more than the project's
 *   annual reduction itself (the largest any of its banks declared): when the banks' shares add up to
 *   more than the whole project, the part above it is the reduction that would have been counted twice.
 *
 * The SQL that finds them in bulk for the national totals is db/sql/shared-projects.ts;
 * test/api/sql-mirrors-shared-projects.test.ts checks that both agree.
 */

/** Characters folded before comparing: full-width forms → ASCII (U+FF01–U+FF5E → U+0021–U+007E), ASCII capitals → small. */
const FOLDS: [string, string][] = [];
for (let c = 0xff01; c <= 0xff5e; c++) {
  const ascii = String.fromCharCode(c - 0xfee0);
  FOLDS.push([String.fromCharCode(c), ascii.toLowerCase()]);
}
for (let c = 0x41; c <= 0x5a; c++) FOLDS.push([String.fromCharCode(c), String.fromCharCode(c + 0x20)]);

/** Whitespace dropped entirely (Chinese names carry no meaningful spaces): ASCII, no-break, ideographic and the Unicode spaces. */
const WHITESPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
].map((c) => String.fromCharCode(c));

/**
 * The arguments of SQL `translate(text, from, to)` that fold exactly as `foldName`: each character of
 * `from` becomes the character of `to` at the same place, and the characters past the end of `to`
 * (the whitespace) are dropped.
 */
export const FOLD_FROM = FOLDS.map(([from]) => from).join('') + WHITESPACE.join('');
export const FOLD_TO = FOLDS.map(([, to]) => to).join('');

const FOLD_MAP = new Map<string, string>([...FOLDS, ...WHITESPACE.map((w): [string, string] => [w, ''])]);

/**
 * A project name or province as compared: full-width letters, digits and punctuation as their ASCII
 * forms (（ → (, ３ → 3, Ａ → a), Latin capitals as small letters, and every whitespace character
 * removed (so leading, trailing and inner spaces, full-width or not, never separate two names).
 */
export function foldName(text: string): string {
  return text.replace(FOLDABLE, (ch) => FOLD_MAP.get(ch)!);
}

/** Any character `foldName` changes (all in the Basic Multilingual Plane: one UTF-16 unit each). */
const FOLDABLE = new RegExp(`[${[...FOLD_MAP.keys()].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`, 'g');

/** What a loan brings to the comparison: its bank, the three facts that name its project, and its figures. */
export type SharedProjectLoan = {
  institutionCode: string;
  creditCode: string;
  projectName: string;
  province: string;
  /** the loan's entry in the national register (the surviving one of linked entries), when it has one */
  registerId?: string | null;
  /** the project as its bank records it (one bank may record one project under two references) */
  projectId: string;
  principalFen: bigint;
  /** the loan's attributed annual reduction, centitonnes */
  attributedCentitonnes: bigint;
  /** the annual reduction of the whole project as the loan's bank declared it, centitonnes */
  projectReductionCentitonnes: bigint;
};

/**
 * The key two loans of one shared project have in common: the register entry when the loan has one (so two
 * spellings an operator linked are one project), else the credit code with the folded name and province.
 */
export const sharedProjectKey = (l: Pick<SharedProjectLoan, 'creditCode' | 'projectName' | 'province' | 'registerId'>) =>
  l.registerId ? `r\u0000${l.registerId}` : `k\u0000${l.creditCode}\u0000${foldName(l.projectName)}\u0000${foldName(l.province)}`;

export type SharedProject<L extends SharedProjectLoan> = {
  key: string;
  creditCode: string;
  /** the name and province as the first loan (in the order given) writes them */
  projectName: string;
  province: string;
  /** each bank's loans, in the order given; banks in order of their code */
  banks: { institutionCode: string; loans: L[]; principalFen: bigint; attributedCentitonnes: bigint }[];
  /** the references (bank, project) the banks count it under */
  projects: number;
  principalFen: bigint;
  /** Σ of the banks' attributed reductions */
  attributedCentitonnes: bigint;
  /** the project's own annual reduction: the largest any of its banks declared */
  projectReductionCentitonnes: bigint;
  /** what the national totals count: min(Σ attributed, the project's reduction) */
  countedOnceCentitonnes: bigint;
  /** Σ attributed − counted once: the reduction that would have been counted more than once */
  notCountedCentitonnes: bigint;
};

/** The shared projects among `loans`: groups by `sharedProjectKey` with loans of two or more institutions, in key order. */
export function findSharedProjects<L extends SharedProjectLoan>(loans: readonly L[]): SharedProject<L>[] {
  const groups = new Map<string, L[]>();
  for (const l of loans) {
    const key = sharedProjectKey(l);
    const group = groups.get(key);
    if (group) group.push(l);
    else groups.set(key, [l]);
  }
  const shared: SharedProject<L>[] = [];
  for (const [key, group] of groups) {
    const byBank = new Map<string, L[]>();
    for (const l of group) byBank.set(l.institutionCode, [...(byBank.get(l.institutionCode) ?? []), l]);
    if (byBank.size < 2) continue;
    const sum = (ls: readonly L[], f: (l: L) => bigint) => ls.reduce((s, l) => s + f(l), 0n);
    const attributed = sum(group, (l) => l.attributedCentitonnes);
    const reduction = group.reduce((m, l) => (l.projectReductionCentitonnes > m ? l.projectReductionCentitonnes : m), 0n);
    const countedOnce = attributed < reduction ? attributed : reduction;
    shared.push({
      key,
      creditCode: group[0].creditCode,
      projectName: group[0].projectName,
      province: group[0].province,
      banks: [...byBank.keys()].sort().map((code) => {
        const ls = byBank.get(code)!;
        return {
          institutionCode: code,
          loans: ls,
          principalFen: sum(ls, (l) => l.principalFen),
          attributedCentitonnes: sum(ls, (l) => l.attributedCentitonnes),
        };
      }),
      projects: new Set(group.map((l) => l.projectId)).size,
      principalFen: sum(group, (l) => l.principalFen),
      attributedCentitonnes: attributed,
      projectReductionCentitonnes: reduction,
      countedOnceCentitonnes: countedOnce,
      notCountedCentitonnes: attributed - countedOnce,
    });
  }
  return shared.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What the national totals take off the sum of the banks' figures for the shared projects. */
export type CountedOnce = {
  /** projects financed by several banks */
  sharedProjects: number;
  /** the projects the banks' counts add beyond one per shared project */
  projectsNotCounted: number;
  /** the reduction above each shared project's own, centitonnes */
  reductionNotCountedCentitonnes: bigint;
};

export const NOTHING_SHARED: CountedOnce = { sharedProjects: 0, projectsNotCounted: 0, reductionNotCountedCentitonnes: 0n };

export function countedOnce(shared: readonly Pick<SharedProject<SharedProjectLoan>, 'projects' | 'notCountedCentitonnes'>[]): CountedOnce {
  return {
    sharedProjects: shared.length,
    projectsNotCounted: shared.reduce((s, p) => s + p.projects - 1, 0),
    reductionNotCountedCentitonnes: shared.reduce((s, p) => s + p.notCountedCentitonnes, 0n),
  };
}
