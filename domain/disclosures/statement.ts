/**
 * The public statement, in Chinese and English, rendered from the figures. It follows the structure
 * of the banks' real statements (template variant A or B, the bank's choice): title, basis and scope, accuracy declaration,
 * one sentence per horizon (quarter, year to date, since first support), optionally the projects the
 * bank names, and a closing sentence on where the loans go. Wording is ours.
 */
import { AREA_NAMES, type Area } from '../policy/index.js';
import type { HorizonFigures } from './figures.js';
import { DEFAULT_STATEMENT_FORMAT, printCount, type StatementFormat, type StatementVariant } from './format.js';

const QUARTER_ZH = ['一', '二', '三', '四'];
const QUARTER_EN = ['first', 'second', 'third', 'fourth'];

export type StatementInput = {
  bank: { nameZh: string; nameEn: string };
  year: number;
  q: number;
  horizons: { quarter: HorizonFigures; yearToDate: HorizonFigures; sinceInception: HorizonFigures };
  /** areas with counted loans since first support, in taxonomy order */
  areas: Area[];
  /** projects the bank chose to name (may be empty) */
  namedProjects: string[];
  restatesVersion: number | null;
  /** the bank's statement format (its wording variant and how project counts print); default variant A */
  format?: StatementFormat;
};

const CLASSIC_AREAS: Area[] = ['clean_energy', 'energy_saving_environmental_protection', 'carbon_reduction_technology'];

/** The fixed phrases of the two wording variants of real statements (facts §4.2). */
const WORDING: Record<StatementVariant, { eligible: string; misleading: string; since: string; dedicated: string }> = {
  A: { eligible: '', misleading: '误导性陈述', since: '获得碳减排支持工具支持以来', dedicated: '将专项用于' },
  B: { eligible: '符合条件的', misleading: '误导性描述', since: '获得碳减排支持工具以来', dedicated: '专项用于' },
};

function zhFigures(h: HorizonFigures, lead: '合计' | '累计', format: StatementFormat): string {
  if (h.projects === 0) return '未发放获得碳减排支持工具支持的碳减排贷款';
  const projects = `${WORDING[format.variant].eligible}${printCount(h.projects, format)}个项目`;
  return `${lead}向${projects}发放碳减排贷款${h.loanAmountWanYuan}万元，贷款加权平均利率${h.weightedAverageRatePercent}%，带动的年度碳减排量为${h.annualReductionTonnes}吨二氧化碳当量`;
}

/** "其中碳减排效应最为显著的项目有X；Y" (A; "…项目为X" for one) or "较典型的项目如X、Y等" (B); empty when none is named. */
export function namedProjectsSentence(names: readonly string[], variant: StatementVariant): string {
  if (!names.length) return '';
  if (variant === 'B') return `较典型的项目如${names.join('、')}等。`;
  return `其中碳减排效应最为显著的项目${names.length === 1 ? '为' : '有'}${names.join('；')}。`;
}

function enFigures(h: HorizonFigures, format: StatementFormat): string {
  if (h.projects === 0) return 'issued no carbon-reduction loans supported by the facility';
  const projects = h.projects === 1 ? '1 project' : `${printCount(h.projects, format)} projects`;
  return `issued carbon-reduction loans of RMB ${h.loanAmountWanYuan} ten-thousand yuan (万元) to ${projects}, at a weighted average interest rate of ${h.weightedAverageRatePercent}%, driving an annual carbon reduction of ${h.annualReductionTonnes} tonnes of CO2 equivalent`;
}

export function renderStatement(input: StatementInput): { zh: string; en: string } {
  const { bank, year, q, horizons } = input;
  const format = input.format ?? DEFAULT_STATEMENT_FORMAT;
  const words = WORDING[format.variant];
  const areas = input.areas.length ? input.areas : CLASSIC_AREAS;
  const areasZh = areas.map((a) => AREA_NAMES[a].zh).join('、');
  const areasEn = areas.map((a) => AREA_NAMES[a].en.toLowerCase());
  const areasEnText = areasEn.length > 1 ? `${areasEn.slice(0, -1).join(', ')} and ${areasEn[areasEn.length - 1]}` : areasEn[0];

  const zh = [
    `${bank.nameZh}碳减排贷款信息披露（${year}年第${QUARTER_ZH[q - 1]}季度）`,
    ...(input.restatesVersion ? [`（本披露为对第${input.restatesVersion}版的更正披露）`] : []),
    `按照中国人民银行关于碳减排支持工具的规定，${bank.nameZh}在碳减排支持工具支持下向符合条件的碳减排项目发放贷款，现将支持的项目数量、贷款金额和加权平均利率以及带动的年度碳减排量披露如下。以下信息不存在虚假记载、重大遗漏或${words.misleading}。`,
    `${year}年第${QUARTER_ZH[q - 1]}季度，${bank.nameZh}在碳减排支持工具支持下，${zhFigures(horizons.quarter, '合计', format)}。` +
      namedProjectsSentence(input.namedProjects, format.variant),
    `本年度，${bank.nameZh}${zhFigures(horizons.yearToDate, '累计', format)}。`,
    `${words.since}，${bank.nameZh}${zhFigures(horizons.sinceInception, '累计', format)}。`,
    `上述碳减排贷款${words.dedicated}${areasZh}等领域，服务碳达峰、碳中和目标。${bank.nameZh}将按照中国人民银行的规定持续定期披露碳减排贷款信息。`,
  ].join('\n');

  const en = [
    `${bank.nameEn}: disclosure of carbon-reduction loans, ${QUARTER_EN[q - 1]} quarter of ${year}`,
    ...(input.restatesVersion ? [`(This disclosure restates version ${input.restatesVersion}.)`] : []),
    `Under the People's Bank of China's rules for the Carbon Emission Reduction Facility, ${bank.nameEn} lends to eligible carbon-reduction projects with the facility's support and discloses the number of projects, the loan amount and its weighted average interest rate, and the annual carbon reduction driven. The information below contains no false records, material omissions or misleading statements.`,
    `In the ${QUARTER_EN[q - 1]} quarter of ${year}, with the facility's support, ${bank.nameEn} ${enFigures(horizons.quarter, format)}.` +
      (input.namedProjects.length === 0
        ? ''
        : format.variant === 'B'
          ? ` Typical projects include ${input.namedProjects.join('; ')}, among others.`
          : ` The projects with the most significant reduction effect were: ${input.namedProjects.join('; ')}.`),
    `In ${year} to date, ${bank.nameEn} ${enFigures(horizons.yearToDate, format)}.`,
    `Since first receiving the facility's support, ${bank.nameEn} ${enFigures(horizons.sinceInception, format)}.`,
    `These loans are dedicated to ${areasEnText}, serving the goals of peaking carbon emissions and carbon neutrality. ${bank.nameEn} will keep disclosing this information regularly under the People's Bank of China's rules.`,
  ].join('\n');
  return { zh, en };
}
