/**
 * Each bank's figures printed its own way reproduce the sentences of its real statement (facts §4):
 * the exact sums behind each horizon are given (slightly off the published figure, so each printed
 * figure is rounded once from the exact value), compiled in the bank's statement format, and the
 * statement must contain the real text of each figure sentence.
 */
import { describe, expect, it } from 'vitest';
import { compileDisclosure, type DisclosureContent, type NamedProject } from '../../domain/disclosures/compile.js';
import { REDUCTION_UNIT, type HorizonSums } from '../../domain/disclosures/figures.js';
import { DEFAULT_STATEMENT_FORMAT, checkFormat, type StatementFormat } from '../../domain/disclosures/format.js';

type Published = { projects: number; amount: string; rate: string; tonnes: string };

const units = (decimal: string, scale: number) => {
  const [int, frac = ''] = decimal.split('.');
  return BigInt(int + frac.padEnd(scale, '0'));
};

/**
 * Exact sums a little above the published figure (by 0.3 of its last printed unit), which must round
 * back to it: amount in fen, Σ rate × principal in ppm·fen, the reduction in 10^-30 centitonnes.
 */
function sumsBehind(p: Published, f: StatementFormat): HorizonSums {
  const principalFen = units(p.amount, 6) + (3n * 10n ** BigInt(6 - f.amountDecimals)) / 10n;
  const ratePpm10 = units(p.rate, 4) * 10n + 3n * 10n ** BigInt(4 - f.rateDecimals); // tenths of a ppm
  // a tonne is 100 centitonnes of 10^30 units each
  const tonne = 100n * REDUCTION_UNIT;
  const reduction = units(p.tonnes, 4) * (tonne / 10_000n) + (3n * tonne) / 10n ** BigInt(f.reductionDecimals + 1);
  return {
    projects: p.projects,
    loans: p.projects,
    principalFen,
    rateWeightedPpmFen: (ratePpm10 * principalFen) / 10n,
    reductionLowerUnits: reduction,
    reductionTerms: 1,
  };
}

function statementOf(
  bank: string,
  quarter: string,
  format: StatementFormat,
  h: { quarter: Published; yearToDate: Published; sinceInception: Published },
  named: NamedProject[] = [],
): DisclosureContent {
  expect(checkFormat(format)).toEqual([]);
  const compiled = compileDisclosure({
    institution: { code: 'X', nameZh: bank, nameEn: bank },
    quarter,
    version: 1,
    previousVersion: null,
    restatesVersion: null,
    rounding: 'half_up',
    subAreas: [
      {
        subArea: 'CE.SOLAR',
        basis: 'feasibility_study',
        quarter: sumsBehind(h.quarter, format),
        yearToDate: sumsBehind(h.yearToDate, format),
        sinceInception: sumsBehind(h.sinceInception, format),
      },
    ],
    topProjects: [],
    namedProjects: named,
    format,
  });
  if (!compiled.ok) throw new Error('not certified');
  return compiled.value;
}

/** The fixed fragments of one figure sentence (facts §4.1), as one stretch of text. */
const sentence = (p: Published, lead: string) =>
  `${lead}${p.projects}个项目发放碳减排贷款${p.amount}万元，贷款加权平均利率${p.rate}%，带动的年度碳减排量为${p.tonnes}吨二氧化碳当量`;

const FOUR_TRIMMED: StatementFormat = {
  ...DEFAULT_STATEMENT_FORMAT,
  amountDecimals: 4,
  rateDecimals: 4,
  reductionDecimals: 4,
  trimTrailingZeros: true,
};

describe('the real statements, each bank printing its own way', () => {
  it('Ganzi Rural Commercial Bank 2023Q2 and 2024Q1: four decimals, trailing zeros dropped ("2.3764%", "11215.5005", "51962.692", "17335万元")', () => {
    const q2 = { projects: 3, amount: '4775', rate: '2.3764', tonnes: '11215.5005' };
    const ytd = { projects: 3, amount: '4875', rate: '2.3745', tonnes: '11517.0829' };
    const c = statementOf('甘孜农村商业银行', '2023Q2', FOUR_TRIMMED, { quarter: q2, yearToDate: ytd, sinceInception: ytd });
    expect(c.statement.zh).toContain(`2023年第二季度，甘孜农村商业银行在碳减排支持工具支持下，${sentence(q2, '合计向')}。`);
    expect(c.statement.zh).toContain(`本年度，甘孜农村商业银行${sentence(ytd, '累计向')}。`);
    expect(c.statement.zh).toContain(`获得碳减排支持工具支持以来，甘孜农村商业银行${sentence(ytd, '累计向')}。`);
    expect(c.horizons.quarter).toMatchObject({
      loanAmountWanYuan: '4775',
      weightedAverageRatePercent: '2.3764',
      annualReductionTonnes: '11215.5005',
    });

    const q1 = { projects: 3, amount: '17335', rate: '2.1966', tonnes: '51962.692' };
    const since = { projects: 7, amount: '94025', rate: '2.1062', tonnes: '270513.6514' };
    const d = statementOf('甘孜农村商业银行', '2024Q1', FOUR_TRIMMED, { quarter: q1, yearToDate: q1, sinceInception: since });
    expect(d.statement.zh).toContain(sentence(q1, '合计向'));
    expect(d.statement.zh).toContain(`获得碳减排支持工具支持以来，甘孜农村商业银行${sentence(since, '累计向')}。`);
    // the exact figures stay beside the printed ones
    expect(d.horizons.quarter.exact?.annualReductionTonnes).toBe('51962.6920');
  });

  it('Bank of Shangrao 2023Q2: one-decimal rate and whole tonnes ("4.2%", "24428"); with trailing zeros dropped every sentence ("4.14%")', () => {
    const q2 = { projects: 1, amount: '10000', rate: '4.2', tonnes: '24428' };
    const ytd = { projects: 2, amount: '11500', rate: '4.14', tonnes: '42674.43' };
    const oneDecimal: StatementFormat = {
      ...DEFAULT_STATEMENT_FORMAT,
      rateDecimals: 1,
      reductionDecimals: 0,
      wholeAmountsWithoutDecimals: true,
    };
    const a = statementOf('上饶银行', '2023Q2', oneDecimal, {
      quarter: q2,
      yearToDate: { ...ytd, rate: '4.1', tonnes: '42674' },
      sinceInception: ytd,
    });
    expect(a.statement.zh).toContain(`2023年第二季度，上饶银行在碳减排支持工具支持下，${sentence(q2, '合计向')}。`);
    const trimmed: StatementFormat = { ...DEFAULT_STATEMENT_FORMAT, trimTrailingZeros: true };
    const b = statementOf('上饶银行', '2023Q2', trimmed, { quarter: q2, yearToDate: ytd, sinceInception: ytd }, [
      { ref: 'P1', name: '铅山县64兆瓦集中式光伏电站建设项目' },
    ]);
    expect(b.statement.zh).toContain(`${sentence(q2, '合计向')}。其中碳减排效应最为显著的项目为铅山县64兆瓦集中式光伏电站建设项目。`);
    expect(b.statement.zh).toContain(`本年度，上饶银行${sentence(ytd, '累计向')}。`);
  });

  it('Bank of China 2024Q2 and Industrial Bank 2023Q2: thousands separators in figures and project counts', () => {
    const separators: StatementFormat = { ...DEFAULT_STATEMENT_FORMAT, thousandsSeparators: true };
    const boc = {
      quarter: { projects: 189, amount: '1,324,620.45', rate: '2.50', tonnes: '3,736,783.33' },
      yearToDate: { projects: 260, amount: '2,050,883.04', rate: '2.50', tonnes: '5,564,448.43' },
      sinceInception: { projects: 894, amount: '15,795,053.24', rate: '2.94', tonnes: '44,370,338.90' },
    };
    const plain = (p: Published) => ({ ...p, amount: p.amount.replace(/,/g, ''), tonnes: p.tonnes.replace(/,/g, '') });
    const c = statementOf('中国银行', '2024Q2', separators, {
      quarter: plain(boc.quarter),
      yearToDate: plain(boc.yearToDate),
      sinceInception: plain(boc.sinceInception),
    });
    expect(c.statement.zh).toContain(`2024年第二季度，中国银行在碳减排支持工具支持下，${sentence(boc.quarter, '合计向')}。`);
    expect(c.statement.zh).toContain(sentence(boc.yearToDate, '累计向'));
    expect(c.statement.zh).toContain(sentence(boc.sinceInception, '累计向'));
    expect(c.horizons.quarter.exact?.loanAmountWanYuan).toBe('1324620.453000');

    const cib = { projects: 1084, amount: '5896850.41', rate: '3.75', tonnes: '13957754.04' };
    const q = { projects: 206, amount: '606090.44', rate: '3.46', tonnes: '2033460.11' };
    const d = statementOf('兴业银行', '2023Q2', separators, { quarter: q, yearToDate: q, sinceInception: cib });
    expect(d.statement.zh).toContain(
      '累计向1,084个项目发放碳减排贷款5,896,850.41万元，贷款加权平均利率3.75%，带动的年度碳减排量为13,957,754.04吨二氧化碳当量',
    );
    expect(d.statement.zh).toContain('发放碳减排贷款606,090.44万元');
  });

  it('whole amounts without decimals: "10000万元" beside "13773.43万元" in the same format', () => {
    const whole: StatementFormat = { ...DEFAULT_STATEMENT_FORMAT, wholeAmountsWithoutDecimals: true };
    const shangrao = { projects: 1, amount: '10000', rate: '4.20', tonnes: '24428.00' };
    expect(
      statementOf('上饶银行', '2023Q2', whole, { quarter: shangrao, yearToDate: shangrao, sinceInception: shangrao }).statement.zh,
    ).toContain(sentence(shangrao, '合计向'));
    const citic = { projects: 4, amount: '13773.43', rate: '4.29', tonnes: '19457.55' };
    expect(statementOf('中信银行', '2022Q3', whole, { quarter: citic, yearToDate: citic, sinceInception: citic }).statement.zh).toContain(
      `2022年第三季度，中信银行在碳减排支持工具支持下，${sentence(citic, '合计向')}。`,
    );
  });

  it('China CITIC Bank 2022Q3 in the default format: variant A, two decimals', () => {
    const h = {
      quarter: { projects: 4, amount: '13773.43', rate: '4.29', tonnes: '19457.55' },
      yearToDate: { projects: 9, amount: '61938.43', rate: '4.42', tonnes: '194423.28' },
      sinceInception: { projects: 11, amount: '79967.43', rate: '4.40', tonnes: '235229.33' },
    };
    const c = statementOf('中信银行', '2022Q3', DEFAULT_STATEMENT_FORMAT, h);
    expect(c.statement.zh).toContain(`2022年第三季度，中信银行在碳减排支持工具支持下，${sentence(h.quarter, '合计向')}。`);
    expect(c.statement.zh).toContain(`本年度，中信银行${sentence(h.yearToDate, '累计向')}。`);
    expect(c.statement.zh).toContain(`获得碳减排支持工具支持以来，中信银行${sentence(h.sinceInception, '累计向')}。`);
    expect(c.statement.zh).toContain('以下信息不存在虚假记载、重大遗漏或误导性陈述');
    expect(c.statement.zh).toContain('上述碳减排贷款将专项用于');
  });

  it('Xiamen Bank 2023Q1 and ADBC 2022Q2: wording variant B ("向符合条件的…", "误导性描述", "较典型的项目如…等")', () => {
    const xiamen = { projects: 4, amount: '3899.63', rate: '3.8', tonnes: '6805.13' };
    const b: StatementFormat = { ...DEFAULT_STATEMENT_FORMAT, rateDecimals: 1, variant: 'B' };
    const c = statementOf('厦门银行', '2023Q1', b, { quarter: xiamen, yearToDate: xiamen, sinceInception: xiamen }, [
      { ref: 'a', name: '祥达光学屋面光伏项目' },
      { ref: 'b', name: '厦门市万琨实业有限公司分布式光伏电站项目' },
      { ref: 'c', name: '厦门朗美1.8MWP分布式光伏发电项目' },
    ]);
    expect(c.statement.zh).toContain(sentence(xiamen, '向符合条件的'));
    expect(c.statement.zh).toContain(
      '较典型的项目如祥达光学屋面光伏项目、厦门市万琨实业有限公司分布式光伏电站项目、厦门朗美1.8MWP分布式光伏发电项目等',
    );
    expect(c.statement.zh).toContain('误导性描述');
    expect(c.statement.zh).toContain('获得碳减排支持工具以来，厦门银行');
    expect(c.statement.zh).toContain('上述碳减排贷款专项用于');
    expect(c.statement.zh).not.toContain('将专项用于');

    const adbc = { projects: 53, amount: '455348.69', rate: '3.73', tonnes: '4009236.44' };
    const d = statementOf(
      '中国农业发展银行',
      '2022Q2',
      { ...b, rateDecimals: 2 },
      { quarter: adbc, yearToDate: adbc, sinceInception: adbc },
      [
        { ref: 'a', name: '甘肃省山丹县东乐滩10万千瓦光伏项目' },
        { ref: 'b', name: '江西省吉水县整县开发分布式光伏发电项目' },
      ],
    );
    expect(d.statement.zh).toContain(sentence(adbc, '向符合条件的'));
    expect(d.statement.zh).toContain('较典型的项目如甘肃省山丹县东乐滩10万千瓦光伏项目、江西省吉水县整县开发分布式光伏发电项目等');
  });

  it('variant A names one project with "为" (Bank of Qingdao) and several with "有" (CDB)', () => {
    const f = { projects: 5, amount: '7016.18', rate: '3.74', tonnes: '46353.39' };
    const one = statementOf('青岛银行', '2024Q4', DEFAULT_STATEMENT_FORMAT, { quarter: f, yearToDate: f, sinceInception: f }, [
      { ref: 'a', name: '沂水大地玉米开发有限公司生物质热电联产项目' },
    ]);
    expect(one.statement.zh).toContain('其中碳减排效应最为显著的项目为沂水大地玉米开发有限公司生物质热电联产项目。');
    const three = statementOf('国家开发银行', '2023Q3', DEFAULT_STATEMENT_FORMAT, { quarter: f, yearToDate: f, sinceInception: f }, [
      { ref: 'a', name: '国家电投博乐15万千瓦储能+60万千瓦光伏示范项目(JCSS基金配套)' },
      { ref: 'b', name: '化德县100万千瓦风光储项目' },
      { ref: 'c', name: '巴彦淖尔100万千瓦光储+生态治理项目' },
    ]);
    expect(three.statement.zh).toContain('其中碳减排效应最为显著的项目有国家电投博乐15万千瓦储能+60万千瓦光伏示范项目(JCSS基金配套)');
    expect(three.statement.en).toContain('The projects with the most significant reduction effect were: ');
  });

  it('a printed figure is rounded once from the exact value, never from the exact figure kept beside it', () => {
    // a rate of exactly 2.12495 %: two decimals from the exact value give 2.12; the 4-decimal figure is 2.1250
    const principalFen = 1_000_000_000n;
    const sums: HorizonSums = {
      projects: 1,
      loans: 1,
      principalFen,
      rateWeightedPpmFen: (212_495n * principalFen) / 10n,
      reductionLowerUnits: 100n * REDUCTION_UNIT,
      reductionTerms: 1,
    };
    const compiled = compileDisclosure({
      institution: { code: 'X', nameZh: '某银行', nameEn: 'A Bank' },
      quarter: '2022Q3',
      version: 1,
      previousVersion: null,
      restatesVersion: null,
      rounding: 'half_up',
      subAreas: [{ subArea: 'CE.WIND', basis: 'feasibility_study', quarter: sums, yearToDate: sums, sinceInception: sums }],
      topProjects: [],
      format: DEFAULT_STATEMENT_FORMAT,
    });
    if (!compiled.ok) throw new Error('not certified');
    expect(compiled.value.horizons.quarter.weightedAverageRatePercent).toBe('2.12');
    expect(compiled.value.horizons.quarter.exact?.weightedAverageRatePercent).toBe('2.1250');
  });

  it('decimals outside their ranges are named field by field', () => {
    expect(
      checkFormat({ ...DEFAULT_STATEMENT_FORMAT, amountDecimals: 5, rateDecimals: 0, reductionDecimals: -1 }).map((v) => [v.path, v.code]),
    ).toEqual([
      ['amountDecimals', 'decimals_out_of_range'],
      ['rateDecimals', 'decimals_out_of_range'],
      ['reductionDecimals', 'decimals_out_of_range'],
    ]);
    expect(checkFormat({ ...DEFAULT_STATEMENT_FORMAT, amountDecimals: 0, rateDecimals: 4, reductionDecimals: 4 })).toEqual([]);
  });
});
