/**
 * Checks a bank's disclosure passes as a whole before it is submitted, in three kinds:
 * - validity (a figure that cannot be): the reduction attributed to one project's loans above the
 *   project's own; a loan disbursed after the quarter it is disclosed in. A validity finding stops the
 *   submission.
 * - quality (implausible): a loan's reduction intensity per 万元 outside the range (its sub-area's, when
 *   the thresholds give one); the book's weighted rate far from the weighted LPR its loans were compared
 *   with; the quarter's new loans (amount or reduction) far from the mean of the last four compiled
 *   quarters; one borrower's project with different facts (total investment, annual reduction) across
 *   loans or quarters.
 * - macro (the bank's book against the facility): one project's or one area's share of the bank's
 *   attributed reduction or loan amount above the threshold, judged only when the facility has enough
 *   institutions with loans for a share to mean something.
 * Each quality or macro finding must be confirmed by the bank with a reason before it can submit.
 * Thresholds: domain/policy/check-thresholds.ts. Each finding names its subject (a loan, a project, a
 * borrower, an area, the quarter or the book), what was measured and the threshold.
 */
import type { IsoDate } from '../dates.js';
import type { CheckThresholds } from '../policy/check-thresholds.js';
import { divRound, formatCentitonnes, formatPpmAsPercent, formatScaled, formatYuan } from '../money.js';
import { foldName } from './shared-projects.js';

export type CheckLoan = {
  loanRef: string;
  principalFen: bigint;
  ratePpm: bigint;
  /** the LPR the loan was compared with at its disbursement */
  lprPpm: bigint;
  disbursedOn: IsoDate;
  attributedCentitonnes: bigint;
  projectRef: string;
  projectReductionCentitonnes: bigint | null;
  projectTotalInvestmentFen: bigint | null;
  subArea: string;
  /** the sub-area's area */
  area: string;
  borrowerCreditCode: string | null;
  projectName: string | null;
};

/** The new loans of one earlier compiled quarter (its latest version): disbursed in that quarter. */
export type QuarterTotals = { quarter: string; principalFen: bigint; attributedCentitonnes: bigint };

/** A project's facts as an earlier quarter's latest version froze them. */
export type EarlierProjectFacts = {
  quarter: string;
  projectRef: string;
  borrowerCreditCode: string | null;
  projectName: string | null;
  totalInvestmentFen: bigint | null;
  reductionCentitonnes: bigint | null;
};

export const CHECKS = [
  'attributed_above_project',
  'loan_after_quarter',
  'reduction_intensity',
  'sub_area_intensity',
  'rate_far_from_lpr',
  'quarter_far_from_last_four',
  'conflicting_project_facts',
  'project_share',
  'area_share',
] as const;
export type CheckName = (typeof CHECKS)[number];
export const CHECK_KINDS = ['validity', 'quality', 'macro'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export type CheckFinding = {
  kind: CheckKind;
  check: CheckName;
  /** `loan:<ref>`, `project:<ref>`, `borrower:<credit code>:<project name>`, `area:<area>`, `quarter:amount`, `quarter:reduction` or `book` */
  subject: string;
  message: string;
};

export type CheckInput = {
  quarter: string;
  quarterStart: IsoDate;
  quarterEnd: IsoDate;
  loans: readonly CheckLoan[];
  thresholds: CheckThresholds;
  /** the bank's earlier compiled quarters, newest first (only the first four count) */
  history?: readonly QuarterTotals[];
  earlierFacts?: readonly EarlierProjectFacts[];
  /** how many institutions of the facility had loans by the quarter's end */
  institutionsWithLoans?: number;
};

const factor = (hundredths: bigint) => formatScaled(hundredths, 2).replace(/\.?0+$/, '');
const share = (part: bigint, whole: bigint) => formatPpmAsPercent(divRound(part * 1_000_000n, whole));

export function checkDisclosure(input: CheckInput): CheckFinding[] {
  const { loans, thresholds: th, quarterEnd } = input;
  const findings: CheckFinding[] = [];
  const byProject = new Map<string, { sum: bigint; own: bigint | null }>();
  for (const l of loans) {
    const p = byProject.get(l.projectRef) ?? { sum: 0n, own: l.projectReductionCentitonnes };
    p.sum += l.attributedCentitonnes;
    byProject.set(l.projectRef, p);
    if (l.disbursedOn > quarterEnd)
      findings.push({
        kind: 'validity',
        check: 'loan_after_quarter',
        subject: `loan:${l.loanRef}`,
        message: `loan ${l.loanRef} was disbursed on ${l.disbursedOn}, after the quarter's end (${quarterEnd})`,
      });
    findings.push(...intensityFindings(l, th));
  }
  for (const [ref, p] of byProject) {
    if (p.own !== null && p.sum > p.own)
      findings.push({
        kind: 'validity',
        check: 'attributed_above_project',
        subject: `project:${ref}`,
        message: `project ${ref}: the loans attribute ${formatCentitonnes(p.sum)} t a year, above the project's own ${formatCentitonnes(p.own)} t`,
      });
  }
  findings.push(...rateFindings(loans, th));
  findings.push(...quarterFindings(input));
  findings.push(...conflictingFacts(input));
  findings.push(...shareFindings(input));
  return findings;
}

/** A loan's attributed reduction per 万元 outside its sub-area's range (when given) or the general one. */
function intensityFindings(l: CheckLoan, th: CheckThresholds): CheckFinding[] {
  if (l.principalFen <= 0n) return [];
  const own = th.subAreaIntensity.get(l.subArea);
  const { minCt, maxCt } = own ?? { minCt: th.intensityMinCt, maxCt: th.intensityMaxCt };
  // centitonnes per 万元 = ct ÷ (fen ÷ 1,000,000): compare ct × 1,000,000 with the bound × fen
  const scaled = l.attributedCentitonnes * 1_000_000n;
  const above = scaled > maxCt * l.principalFen;
  const below = scaled < minCt * l.principalFen;
  if (!above && !below) return [];
  const intensity = formatCentitonnes(divRound(scaled, l.principalFen));
  const range = `${formatCentitonnes(minCt)}–${formatCentitonnes(maxCt)} t`;
  return [
    {
      kind: 'quality',
      check: own ? 'sub_area_intensity' : 'reduction_intensity',
      subject: `loan:${l.loanRef}`,
      message: `loan ${l.loanRef} attributes ${intensity} t per 万元 of principal, ${above ? 'above' : 'below'} the range ${range}${own ? ` of sub-area ${l.subArea}` : ''}`,
    },
  ];
}

function rateFindings(loans: readonly CheckLoan[], th: CheckThresholds): CheckFinding[] {
  const principal = loans.reduce((s, l) => s + l.principalFen, 0n);
  if (principal <= 0n) return [];
  const gap = loans.reduce((s, l) => s + l.principalFen * (l.ratePpm - l.lprPpm), 0n);
  const abs = gap < 0n ? -gap : gap;
  // 1 bp = 100 ppm
  if (abs <= th.rateFromLprMaxBp * 100n * principal) return [];
  const rate = divRound(
    loans.reduce((s, l) => s + l.principalFen * l.ratePpm, 0n),
    principal,
  );
  const lpr = divRound(
    loans.reduce((s, l) => s + l.principalFen * l.lprPpm, 0n),
    principal,
  );
  return [
    {
      kind: 'quality',
      check: 'rate_far_from_lpr',
      subject: 'book',
      message: `the book's weighted rate ${formatPpmAsPercent(rate)} % is ${divRound(abs, principal * 100n)} bp from its weighted LPR ${formatPpmAsPercent(lpr)} %, more than ${th.rateFromLprMaxBp} bp`,
    },
  ];
}

/**
 * The quarter's new loans (disbursed in it) against the mean of the last four compiled quarters (fewer
 * when fewer were compiled; none, or a mean of 0: nothing to compare with): more than N× or under 1/N.
 */
function quarterFindings(input: CheckInput): CheckFinding[] {
  const last = (input.history ?? []).slice(0, 4);
  if (!last.length) return [];
  const n = BigInt(last.length);
  const f = input.thresholds.quarterJumpFactorHundredths;
  const fresh = input.loans.filter((l) => l.disbursedOn >= input.quarterStart && l.disbursedOn <= input.quarterEnd);
  const measures = [
    {
      subject: 'quarter:amount',
      what: 'new loan amount',
      now: fresh.reduce((s, l) => s + l.principalFen, 0n),
      sum: last.reduce((s, q) => s + q.principalFen, 0n),
      show: (v: bigint) => `${formatYuan(v)} yuan`,
    },
    {
      subject: 'quarter:reduction',
      what: 'new attributed reduction',
      now: fresh.reduce((s, l) => s + l.attributedCentitonnes, 0n),
      sum: last.reduce((s, q) => s + q.attributedCentitonnes, 0n),
      show: (v: bigint) => `${formatCentitonnes(v)} t`,
    },
  ];
  const out: CheckFinding[] = [];
  for (const m of measures) {
    if (m.sum <= 0n) continue;
    // now > f × sum ÷ n  ⇔  now × n × 100 > f × sum;  now < sum ÷ (n × f)  ⇔  now × n × f < sum × 100
    const above = m.now * n * 100n > f * m.sum;
    const below = m.now * n * f < m.sum * 100n;
    if (!above && !below) continue;
    const mean = divRound(m.sum, n);
    out.push({
      kind: 'quality',
      check: 'quarter_far_from_last_four',
      subject: m.subject,
      message: `the quarter's ${m.what} ${m.show(m.now)} is ${above ? `more than ${factor(f)}×` : `under 1/${factor(f)} of`} the mean of the last ${last.length} compiled quarter(s) (${last.map((q) => q.quarter).join(', ')}): ${m.show(mean)}`,
    });
  }
  return out;
}

/** What names a borrower's project: its credit code and folded name, or (without them) the bank's reference. */
const projectKey = (creditCode: string | null, name: string | null, ref: string) =>
  creditCode && name ? `borrower:${creditCode}:${foldName(name)}` : `project:${ref}`;

/**
 * One borrower's project with different facts across the version's loans or the bank's earlier quarters.
 * Per loan only the key and the two figures are taken; the message is written only for a project whose
 * facts differ.
 */
function conflictingFacts(input: CheckInput): CheckFinding[] {
  type Seen = { investment: bigint | null; reduction: bigint | null; where: () => string };
  type Group = { subject: () => string; first: string; differs: boolean; seen: Seen[] };
  const factsKey = (investment: bigint | null, reduction: bigint | null) => `${investment ?? '-'}/${reduction ?? '-'}`;
  const groups = new Map<string, Group>();
  const see = (g: Group, s: Seen) => {
    if (factsKey(s.investment, s.reduction) !== g.first) g.differs = true;
    g.seen.push(s);
  };
  for (const l of input.loans) {
    const key = projectKey(l.borrowerCreditCode, l.projectName, l.projectRef);
    const s: Seen = { investment: l.projectTotalInvestmentFen, reduction: l.projectReductionCentitonnes, where: () => `loan ${l.loanRef}` };
    const g = groups.get(key);
    if (g) see(g, s);
    else
      groups.set(key, {
        subject: () =>
          l.borrowerCreditCode && l.projectName ? `borrower:${l.borrowerCreditCode}:${l.projectName}` : `project:${l.projectRef}`,
        first: factsKey(s.investment, s.reduction),
        differs: false,
        seen: [s],
      });
  }
  for (const e of input.earlierFacts ?? []) {
    const g = groups.get(projectKey(e.borrowerCreditCode, e.projectName, e.projectRef));
    if (g)
      see(g, {
        investment: e.totalInvestmentFen,
        reduction: e.reductionCentitonnes,
        where: () => `${e.quarter} (project ${e.projectRef})`,
      });
  }
  const factsOf = (investment: bigint | null, reduction: bigint | null) =>
    `total investment ${investment === null ? '—' : `${formatYuan(investment)} yuan`}, ${reduction === null ? '—' : `${formatCentitonnes(reduction)} t`} a year`;
  const out: CheckFinding[] = [];
  for (const g of groups.values()) {
    if (!g.differs) continue;
    const distinct = new Map<string, string[]>();
    for (const s of g.seen) {
      const facts = factsOf(s.investment, s.reduction);
      distinct.set(facts, [...(distinct.get(facts) ?? []), s.where()]);
    }
    const described = [...distinct].map(([facts, where]) => `${facts} in ${where.join(', ')}`).join('; ');
    const subject = g.subject();
    out.push({
      kind: 'quality',
      check: 'conflicting_project_facts',
      subject,
      message: `${subject.replace(/^(borrower|project):/, '')}: the project's facts differ: ${described}`,
    });
  }
  return out;
}

/** One project's or one area's share of the bank's attributed reduction or loan amount above the threshold. */
function shareFindings(input: CheckInput): CheckFinding[] {
  const th = input.thresholds;
  if ((input.institutionsWithLoans ?? 0) < th.sharesMinInstitutions) return [];
  const total = { principal: 0n, reduction: 0n };
  const sums = (key: (l: CheckLoan) => string) => {
    const m = new Map<string, { principal: bigint; reduction: bigint }>();
    for (const l of input.loans) {
      const s = m.get(key(l)) ?? { principal: 0n, reduction: 0n };
      s.principal += l.principalFen;
      s.reduction += l.attributedCentitonnes;
      m.set(key(l), s);
    }
    return m;
  };
  for (const l of input.loans) {
    total.principal += l.principalFen;
    total.reduction += l.attributedCentitonnes;
  }
  const out: CheckFinding[] = [];
  const judge = (
    check: 'project_share' | 'area_share',
    what: string,
    limitPpm: bigint,
    groups: Map<string, { principal: bigint; reduction: bigint }>,
  ) => {
    for (const [name, s] of groups) {
      const parts: string[] = [];
      if (total.reduction > 0n && s.reduction * 1_000_000n > limitPpm * total.reduction)
        parts.push(`${share(s.reduction, total.reduction)} % of the attributed reduction`);
      if (total.principal > 0n && s.principal * 1_000_000n > limitPpm * total.principal)
        parts.push(`${share(s.principal, total.principal)} % of the loan amount`);
      if (!parts.length) continue;
      out.push({
        kind: 'macro',
        check,
        subject: `${what}:${name}`,
        message: `${what} ${name} holds ${parts.join(' and ')} of the bank's book, above ${formatPpmAsPercent(limitPpm)} %`,
      });
    }
  };
  judge(
    'project_share',
    'project',
    th.projectSharePpm,
    sums((l) => l.projectRef),
  );
  judge(
    'area_share',
    'area',
    th.areaSharePpm,
    sums((l) => l.area),
  );
  return out;
}
