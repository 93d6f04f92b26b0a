/**
 * The demo's history bank: DEMO-H, eligible from 2021-07-01, brings its records since 2021 onto the
 * system the way a real bank would — one historical import (POST /api/v1/imports: its loans,
 * the quarterly operations, its applications, the central bank's decisions and disbursements, the
 * rollovers and repayments of its tranches, a borrower's repayment, each on its own date) and its
 * already published quarterly statements (POST …/published-statement), which the operator then
 * reconciles with the loan-level records (/operator/reconciliation). Two statements differ from the
 * records on purpose (a rate published with one decimal agrees; a project count published one too
 * high does not), so the reconciliation has something to show. About 120 loans: fast to load.
 */
import { createHash } from 'node:crypto';
import { addDays, addYears, quarterBounds, quarterOf, type IsoDate } from '../domain/dates.js';
import { areaOf } from '../domain/disclosures/compile.js';
import { presentHorizon, sumFractions, type HorizonFigures } from '../domain/disclosures/figures.js';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import type { LoanText } from '../domain/loans/facts.js';
import {
  divRound,
  formatScaled,
  formatYuan,
  parsePercentToPpm,
  parseScaled,
  parseTonnes,
  parseYuan,
  type RoundingMode,
} from '../domain/money.js';
import { policyForLoanDisbursedOn, roundingOf } from '../domain/policy/index.js';
import { supportFen } from '../domain/refinancing/support.js';

export const HISTORY_BANK = { code: 'DEMO-H', nameZh: '示范城市商业银行', nameEn: 'Demo City Commercial Bank', eligibleFrom: '2021-07-01' };

const PROJECTS = [
  { name: '张北风光储一体化项目', province: '河北省', subArea: 'CE.WIND', investment: 3_000_000_000, reduction: 620_000 },
  { name: '青海共和光伏产业园项目', province: '青海省', subArea: 'CE.SOLAR', investment: 2_400_000_000, reduction: 450_000 },
  { name: '宁波工业园区屋顶分布式光伏', province: '浙江省', subArea: 'CE.ROOFTOP_PV', investment: 900_000_000, reduction: 160_000 },
  { name: '内蒙古电网侧储能电站', province: '内蒙古自治区', subArea: 'CE.STORAGE', investment: 1_200_000_000, reduction: 90_000 },
  { name: '黑龙江秸秆生物质发电', province: '黑龙江省', subArea: 'CE.BIOMASS', investment: 1_500_000_000, reduction: 300_000 },
  { name: '邯郸钢铁余热余压利用', province: '河北省', subArea: 'EE.INDUSTRIAL', investment: 1_800_000_000, reduction: 260_000 },
  { name: '榆林煤化工二氧化碳捕集', province: '陕西省', subArea: 'CT.CCUS', investment: 2_600_000_000, reduction: 500_000 },
];

/** 1-year-LPR-like loan rates of each year (within the policy's band of the 1-year LPR in force). */
const RATES: Record<number, string[]> = {
  2021: ['4.05', '4.15', '3.95'],
  2022: ['3.85', '3.75', '3.95'],
  2023: ['3.55', '3.65', '3.45'],
  2024: ['3.25', '3.35', '3.15'],
  2025: ['2.95', '3.05', '2.85'],
  2026: ['2.90', '3.00', '2.80'],
};

type DemoLoan = LoanText & { project: LoanText['project'] };

const quarterAfter = (q: string) => quarterOf(addDays(quarterBounds(q).end, 1));
const quarterBefore = (q: string) => quarterOf(addDays(quarterBounds(q).start, -1));
const maxDate = (a: IsoDate, b: IsoDate) => (a > b ? a : b);

/**
 * The history through the quarter two before today's (the last ended quarter stays for the demo's own
 * cycle), from 2021Q3: loans every quarter, one application a quarter over the loans disbursed before
 * it, approved, disbursed, rolled over at maturity twice and then repaid.
 */
export function demoHistory(today: IsoDate) {
  const lastQuarter = quarterBefore(quarterBefore(quarterOf(today)));
  const quarters: string[] = [];
  for (let q = '2021Q3'; q <= lastQuarter && q <= '2026Q2'; q = quarterAfter(q)) quarters.push(q);
  const endOn = quarterBounds(quarters[quarters.length - 1]).end;

  // loans: five or six a quarter; in the last quarter only in its first days (its application follows on the 15th)
  const loans: DemoLoan[] = [];
  quarters.forEach((q, qi) => {
    const { start } = quarterBounds(q);
    const year = Number(q.slice(0, 4));
    const count = 5 + (qi % 2);
    for (let k = 0; k < count; k++) {
      const p = PROJECTS[(qi * 3 + k) % PROJECTS.length];
      const pi = PROJECTS.indexOf(p);
      const day = qi === quarters.length - 1 ? 1 + k : 3 + ((k * 17 + qi * 5) % 85);
      const disbursedOn = addDays(start, day);
      const principal = 12_000_000 + ((qi * 7 + k * 13) % 9) * 4_000_000;
      loans.push({
        loanRef: `DEMO-H-${q}-${k + 1}`,
        borrower: { name: `${p.name.slice(0, 4)}能源有限公司`, creditCode: syntheticCreditCode('91130100', 500 + pi) },
        project: {
          ref: `DEMO-H-PRJ-${pi + 1}`,
          name: p.name,
          province: p.province,
          subArea: p.subArea,
          totalInvestment: `${p.investment}.00`,
          annualReductionTonnes: `${p.reduction}.00`,
          reductionBasis: pi % 2 ? 'third_party_assessment' : 'feasibility_study',
          evidence: {
            title: pi % 2 ? '第三方碳减排评估报告' : '可行性研究报告',
            sha256: createHash('sha256').update(`DEMO-H-${p.name}`).digest('hex'),
          },
        },
        principal: `${principal}.00`,
        annualRatePercent: RATES[year][k % 3],
        disbursedOn,
        maturesOn: addYears(disbursedOn, 3),
      });
    }
  });

  type Rec = Record<string, unknown> & { kind: string; on: IsoDate };
  const records: Rec[] = [];
  const covered = new Set<string>();
  const applied = new Set<string>();
  const tranches: { ref: string; start: IsoDate; rollovers: number; principalFen: bigint; loans: DemoLoan[] }[] = [];
  const operationQuarters = quarters.filter((q) => q >= '2021Q4');
  for (const q of operationQuarters) {
    const opensOn = maxDate(quarterBounds(q).start, '2021-11-08');
    records.push({ kind: 'operation', quarter: q, volume: '3000000000.00', on: opensOn });
    // the 2023Q1 application is dated after the 2023 notice was announced (2023-01-29)
    const appliedOn = q === '2023Q1' ? '2023-02-06' : addDays(opensOn, 7);
    const listed = loans.filter((l) => l.disbursedOn < appliedOn && !applied.has(l.loanRef));
    if (!listed.length) continue;
    listed.forEach((l) => applied.add(l.loanRef));
    const ref = `DEMO-H-APP-${q}`;
    const requestedFen = (listed.reduce((s, l) => s + parseYuan(l.principal)!, 0n) * 6n + 5n) / 10n;
    const collateral = formatYuan(((requestedFen * 12n) / 10n / 100n) * 100n);
    records.push({
      kind: 'application',
      ref,
      on: appliedOn,
      operation: q,
      loanRefs: listed.map((l) => l.loanRef),
      collateral: [{ type: 'central_government_bond', ref: `${ref}-CGB`, faceValue: collateral, marketValue: collateral }],
    });
    if (q === '2023Q3') {
      // one application the central bank turned down: its loans were never supported
      records.push({
        kind: 'rejection',
        ref: `${ref}-NO`,
        on: addDays(appliedOn, 4),
        application: ref,
        reason: '项目证明材料不全 evidence incomplete',
      });
      continue;
    }
    records.push({
      kind: 'approval',
      ref: `${ref}-OK`,
      on: addDays(appliedOn, 4),
      application: ref,
      reason: '符合碳减排支持工具要求 meets the facility rules',
    });
    const start = addDays(appliedOn, 6);
    records.push({ kind: 'disbursement', ref: `${ref}-T1`, on: start, application: ref });
    listed.forEach((l) => covered.add(l.loanRef));
    tranches.push({ ref: `${ref}-T1`, start, rollovers: 0, principalFen: requestedFen, loans: listed });
  }
  // a borrower repays part of a loan early: the next rollover's cap follows it (the excess is repaid then)
  const early = loans.find((l) => covered.has(l.loanRef) && l.disbursedOn >= '2022-04-01')!;
  const earlyOn = addDays(early.disbursedOn, 200);
  const earlyFen = 2_000_000_00n;
  records.push({ kind: 'loan_repayment', ref: `${early.loanRef}-R1`, on: earlyOn, loanRef: early.loanRef, amount: formatYuan(earlyFen) });
  const outstandingOn = (l: DemoLoan, on: IsoDate) => parseYuan(l.principal)! - (l === early && earlyOn <= on ? earlyFen : 0n);

  // rollovers at maturity (as many as the policy allows, capped at its share of what the loans still
  // owe), then the repayment; only inside the history
  for (const first of tranches) {
    let current = first;
    for (;;) {
      const maturesOn = addYears(current.start, policyForLoanDisbursedOn(current.start)!.termYears);
      if (maturesOn > endOn) break;
      const policy = policyForLoanDisbursedOn(maturesOn)!;
      if (current.rollovers < policy.rolloverCountMax) {
        const owed = first.loans.reduce((s, l) => s + outstandingOn(l, maturesOn), 0n);
        const capFen = supportFen(owed, policy);
        const next = {
          ...current,
          ref: `${first.ref.slice(0, -1)}${current.rollovers + 2}`,
          start: maturesOn,
          rollovers: current.rollovers + 1,
          principalFen: current.principalFen < capFen ? current.principalFen : capFen,
        };
        records.push({ kind: 'rollover', ref: next.ref, on: maturesOn, tranche: current.ref });
        current = next;
      } else {
        records.push({
          kind: 'repayment',
          ref: `${current.ref}-R`,
          on: maturesOn,
          tranche: current.ref,
          principal: formatYuan(current.principalFen),
        });
        break;
      }
    }
  }

  // the statements the bank published, one a quarter, from the loans covered by support
  const statements = quarters.map((q) => {
    const { start, end, year } = quarterBounds(q);
    const counted = loans.filter((l) => covered.has(l.loanRef) && l.disbursedOn <= end);
    const rounding = roundingOf(end);
    const horizon = (from: IsoDate) =>
      figuresOf(
        counted.filter((l) => l.disbursedOn >= from),
        rounding,
      );
    const horizons = { quarter: horizon(start), yearToDate: horizon(`${year}-01-01`), sinceInception: horizon('2021-07-01') };
    const areas = [...new Set(counted.map((l) => areaOf(l.project.subArea)!))];
    const byArea = areas.map((area) => {
      const inArea = counted.filter((l) => areaOf(l.project.subArea) === area);
      const h = (from: IsoDate) =>
        figuresOf(
          inArea.filter((l) => l.disbursedOn >= from),
          rounding,
        );
      return { area, quarter: h(start), yearToDate: h(`${year}-01-01`), sinceInception: h('2021-07-01') };
    });
    // what the bank published differs from the records in two places, as real statements do
    if (q === '2022Q2') {
      const rate = parseScaled(horizons.quarter.weightedAverageRatePercent!, 2)!;
      horizons.quarter = { ...horizons.quarter, weightedAverageRatePercent: formatScaled(divRound(rate, 10n), 1) };
    }
    if (q === '2023Q4') horizons.sinceInception = { ...horizons.sinceInception, projects: horizons.sinceInception.projects + 1 };
    // within the 30 days the policy allows: DEMO-H is the demo's bank that discloses on time
    const publishedOn = maxDate(addDays(end, 25), '2022-01-25');
    return {
      quarter: q,
      body: {
        publishedOn,
        source: {
          url: `https://demo-h.example.cn/esg/cerf/${q.toLowerCase()}.html`,
          title: `${HISTORY_BANK.nameZh}碳减排贷款信息披露（${year}年第${q.slice(-1)}季度）`,
        },
        horizons,
        byArea,
      },
    };
  });
  return { quarters, loans, records, statements };
}

/** The four figures of a set of loans, as the facility's rules compute them (exact, rounded once). */
function figuresOf(loans: readonly DemoLoan[], rounding: RoundingMode): HorizonFigures {
  let principalFen = 0n;
  let rateWeightedPpmFen = 0n;
  const byProject = new Map<string, { fen: bigint; ct: bigint; inv: bigint }>();
  for (const l of loans) {
    const fen = parseYuan(l.principal)!;
    principalFen += fen;
    rateWeightedPpmFen += parsePercentToPpm(l.annualRatePercent)! * fen;
    const p = byProject.get(l.project.ref) ?? {
      fen: 0n,
      ct: parseTonnes(l.project.annualReductionTonnes)!,
      inv: parseYuan(l.project.totalInvestment)!,
    };
    p.fen += fen;
    byProject.set(l.project.ref, p);
  }
  const reduction = sumFractions(
    [...byProject.values()].map((p) => ({ num: p.ct * p.fen, den: p.inv })),
    rounding,
  );
  return presentHorizon(
    { projects: byProject.size, loans: loans.length, principalFen, rateWeightedPpmFen, reductionLowerUnits: 0n, reductionTerms: 0 },
    reduction,
    rounding,
  );
}
