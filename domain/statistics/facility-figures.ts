/**
 * The facility's figures on a date, put together from the per-bank journal sums and the supported
 * loans' groupings (db/read-models/facility-statistics.ts), and the central bank's statement printed
 * from them in its own units: 亿元 (10^8 yuan) and 万吨 (10^4 tonnes), rounded once, half up.
 */
import type { IsoDate } from '../dates.js';
import { divRound } from '../money.js';

export type JournalSums = { institutionId: string; providedFen: bigint; outstandingFen: bigint; rateWeight: bigint; tranches: number };
export type LoanSums = {
  grouping: 'total' | 'category' | 'province' | 'sub_area' | 'institution';
  key: string | null;
  loans: number;
  principalFen: bigint;
  enterprises: number;
  projects: number;
  reductionCentitonnes: bigint;
};
export type Bank = { id: string; code: string; nameZh: string; nameEn: string; category: string | null; province: string | null };

export type Support = {
  providedFen: bigint;
  outstandingFen: bigint;
  /** Σ outstanding × rate ÷ Σ outstanding, ppm, half up; null when nothing is outstanding */
  weightedRatePpm: bigint | null;
  tranches: number;
  /** banks that had drawn support by the date */
  institutions: number;
};
export type Loans = { loans: number; principalFen: bigint; enterprises: number; projects: number; reductionCentitonnes: bigint };

export type FacilityFigures = {
  on: IsoDate;
  total: Support & Loans;
  byCategory: ({ category: string } & Support & Loans)[];
  byInstitution: ({ code: string; nameZh: string; nameEn: string; category: string | null; province: string | null } & Support & Loans)[];
  /** the projects' province: loan figures only (support is drawn by banks, not by provinces) */
  byProvince: ({ province: string } & Loans)[];
  /** sub-areas summed into their area (enterprises are counted per sub-area, so a borrower with projects in two sub-areas counts twice) */
  byArea: ({ area: string } & Loans)[];
  bySubArea: ({ subArea: string } & Loans)[];
};

const NO_LOANS: Loans = { loans: 0, principalFen: 0n, enterprises: 0, projects: 0, reductionCentitonnes: 0n };
const loansOf = (r: LoanSums | undefined): Loans =>
  r
    ? {
        loans: r.loans,
        principalFen: r.principalFen,
        enterprises: r.enterprises,
        projects: r.projects,
        reductionCentitonnes: r.reductionCentitonnes,
      }
    : NO_LOANS;

function supportOf(rows: readonly JournalSums[]): Support {
  let providedFen = 0n;
  let outstandingFen = 0n;
  let rateWeight = 0n;
  let tranches = 0;
  let institutions = 0;
  for (const r of rows) {
    providedFen += r.providedFen;
    outstandingFen += r.outstandingFen;
    rateWeight += r.rateWeight;
    tranches += r.tranches;
    if (r.providedFen > 0n) institutions += 1;
  }
  return {
    providedFen,
    outstandingFen,
    weightedRatePpm: outstandingFen > 0n ? divRound(rateWeight, outstandingFen) : null,
    tranches,
    institutions,
  };
}

export function composeFacilityFigures(input: {
  on: IsoDate;
  banks: readonly Bank[];
  journal: readonly JournalSums[];
  loans: readonly LoanSums[];
  areaOf: (subArea: string) => string;
}): FacilityFigures {
  const { banks, journal, loans } = input;
  const bankOf = new Map(banks.map((b) => [b.id, b]));
  const group = (g: LoanSums['grouping']) => loans.filter((r) => r.grouping === g);
  const loanRow = (g: LoanSums['grouping'], key: string | null) => loans.find((r) => r.grouping === g && r.key === key);
  const drawn = journal.filter((j) => bankOf.has(j.institutionId));

  const categories = [...new Set([...banks.map((b) => b.category ?? 'unclassified')])].sort();
  const byCategory = categories
    .map((category) => ({
      category,
      ...supportOf(drawn.filter((j) => (bankOf.get(j.institutionId)!.category ?? 'unclassified') === category)),
      ...loansOf(loanRow('category', category === 'unclassified' ? null : category)),
    }))
    .filter((c) => c.providedFen !== 0n || c.loans > 0);
  const byInstitution = banks
    .map((b) => ({
      code: b.code,
      nameZh: b.nameZh,
      nameEn: b.nameEn,
      category: b.category,
      province: b.province,
      ...supportOf(drawn.filter((j) => j.institutionId === b.id)),
      ...loansOf(loanRow('institution', b.id)),
    }))
    .filter((b) => b.providedFen !== 0n || b.loans > 0);
  const bySubArea = group('sub_area')
    .map((r) => ({ subArea: r.key ?? '', ...loansOf(r) }))
    .sort((a, b) => a.subArea.localeCompare(b.subArea));
  const areas = new Map<string, Loans>();
  for (const s of bySubArea) {
    const area = input.areaOf(s.subArea);
    const a = areas.get(area) ?? NO_LOANS;
    areas.set(area, {
      loans: a.loans + s.loans,
      principalFen: a.principalFen + s.principalFen,
      enterprises: a.enterprises + s.enterprises,
      projects: a.projects + s.projects,
      reductionCentitonnes: a.reductionCentitonnes + s.reductionCentitonnes,
    });
  }
  return {
    on: input.on,
    total: { ...supportOf(drawn), ...loansOf(loanRow('total', null)) },
    byCategory,
    byInstitution,
    byProvince: group('province')
      .map((r) => ({ province: r.key ?? '', ...loansOf(r) }))
      .sort((a, b) => a.province.localeCompare(b.province)),
    byArea: [...areas].map(([area, l]) => ({ area, ...l })).sort((a, b) => a.area.localeCompare(b.area)),
    bySubArea,
  };
}

/** fen → 亿元 (1 亿元 = 10^10 fen), half up, to `decimals` places (the People's Bank prints whole 亿元). */
export function fenToYi(fen: bigint, decimals = 0): string {
  const scaled = divRound(fen * 10n ** BigInt(decimals), 10_000_000_000n);
  return withDecimals(scaled, decimals);
}

/** centitonnes → 万吨 (1 万吨 = 10^6 centitonnes), half up, to `decimals` places. */
export function centitonnesToWanTonnes(ct: bigint, decimals = 0): string {
  return withDecimals(divRound(ct * 10n ** BigInt(decimals), 1_000_000n), decimals);
}

function withDecimals(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals ? `${whole}.${digits.slice(digits.length - decimals)}` : whole;
  return negative ? `-${text}` : text;
}

const zhDate = (d: IsoDate) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const enDate = (d: IsoDate) => `${Number(d.slice(8, 10))} ${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;

/**
 * The central bank's statement of the figures, in the People's Bank's words: the support provided, the
 * carbon-reduction loans it supports, the enterprises, the annual reduction it brings (万吨 of CO2
 * equivalent), and the balance outstanding. `firstOperation`: the figures are those of the first
 * operation (首批).
 */
export function centralBankStatement(f: FacilityFigures, options: { firstOperation: boolean }): { zh: string; en: string } {
  const t = f.total;
  const provided = fenToYi(t.providedFen);
  const loans = fenToYi(t.principalFen);
  const reduction = centitonnesToWanTonnes(t.reductionCentitonnes);
  const outstanding = fenToYi(t.outstandingFen);
  const enterprises = t.enterprises.toLocaleString('en-US');
  const enBn = (yi: string) => `CNY ${Number(yi) / 10} billion`;
  const first = options.firstOperation;
  return {
    zh:
      `截至${zhDate(f.on)}，人民银行${first ? '向金融机构发放首批' : '累计向金融机构提供'}碳减排支持工具资金${provided}亿元，` +
      `支持金融机构已发放符合要求的碳减排贷款${loans}亿元，涉及碳减排领域企业${t.enterprises}家，` +
      `可带动年度碳减排量${reduction}万吨二氧化碳当量；碳减排支持工具余额${outstanding}亿元。`,
    en:
      `As of ${enDate(f.on)}, the People's Bank of China had ${first ? 'provided the first batch of' : 'provided'} ${provided}亿元 (${enBn(provided)}) ` +
      `of carbon emission reduction facility funds to financial institutions, supporting ${loans}亿元 (${enBn(loans)}) of eligible ` +
      `carbon-reduction loans to ${enterprises} enterprises, with an annual reduction of ${reduction}万吨 ` +
      `(${(Number(reduction) / 100).toString()} million tonnes) of CO2 equivalent; the facility's balance was ${outstanding}亿元 (${enBn(outstanding)}).`,
  };
}
