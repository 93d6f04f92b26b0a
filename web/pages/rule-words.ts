/**
 * The rules a row of a file or a batch can break, in the page's language: each rule in its own words
 * (what is wrong and what is wanted), not one generic sentence. The English page shows the rule's own
 * message, which names the values (the API answers the same); the Chinese page shows the rule's Chinese
 * words, and for a decimal that is not one, what exactly is wrong with it. A rule not listed here reads as
 * its problem's page message (api/problems.ts), else as its message.
 */
import { pageMessage } from '../../api/problems.js';
import type { Lang } from './i18n.js';

const DECIMAL_UNITS: Record<string, { unit: string; decimals: string; example: string }> = {
  invalid_money: { unit: '元', decimals: '两', example: '50000000.00' },
  invalid_rate: { unit: '%（年利率）', decimals: '四', example: '3.45' },
  invalid_tonnes: { unit: '吨二氧化碳当量', decimals: '两', example: '85000.00' },
};

/** A decimal's fault in Chinese, from the English message's first words (schemas/common.ts decimalMatching). */
function decimalWords(rule: string, message: string): string | null {
  const d = DECIMAL_UNITS[rule];
  if (!d) return null;
  const general = `须为以${d.unit}为单位、最多${d.decimals}位小数的数字，如 "${d.example}"`;
  if (message.startsWith('must not be negative')) return `不能为负数（不能带负号）；${general}`;
  if (message.startsWith('must be written without thousands separators')) return `不能带千位分隔符；${general}`;
  if (/^has more than \d+ decimals/.test(message)) return `小数位数过多；${general}`;
  if (/^has more than \d+ whole digits/.test(message)) return `整数位数过多；${general}`;
  return general;
}

const ZH: Record<string, string> = {
  required: '必填：这一列不能为空',
  invalid_type: '类型不对',
  invalid_format: '格式不对',
  invalid_value: '不是允许的值',
  too_small: '太小或太短',
  too_big: '太大或太长',
  unrecognized_keys: '含有不认识的字段',
  invalid_date: '须为日期，格式 YYYY-MM-DD（如 2022-08-15）',
  invalid_loan_ref: '贷款编号须为 1–100 个字母、数字或 . - _ / : #',
  invalid_credit_code: '不是有效的统一社会信用代码（18 位，末位为校验码）',
  invalid_character: '含有不允许的字符',
  principal_not_positive: '本金须大于 0',
  investment_not_positive: '项目总投资须大于 0',
  rate_not_positive: '年利率须大于 0',
  project_overfunded: '本金超过项目总投资',
  maturity_not_after_disbursement: '到期日须晚于发放日',
  disbursed_in_future: '发放日晚于今天：贷款发放后再报送',
  before_facility_launch: '发放日不在碳减排支持工具实施期内',
  disbursed_before_eligibility_window: '发放日早于支持工具认可的发放起始日',
  institution_not_eligible: '发放日本机构不在支持工具的合格机构期限内',
  unknown_sub_area: '不是发放日生效目录中的子领域代码',
  project_mismatch: '与已登记的同一项目编号的数据不一致；如需更改，请修订该项目的贷款',
  loan_ref_conflict: '该贷款编号已存在且内容不同（请使用修订）',
  loan_not_found: '本行没有这个贷款编号',
  unknown_column: '不是这种文件的列',
  missing_column: '缺少这种文件必需的列',
  empty_file: '文件没有表头或没有数据行',
  row_too_wide: '这一行的单元格比表头多',
};

const EN: Record<string, string> = {
  required: 'required: this column must be filled',
};

/** A rule's words in the page's language (every fault of a row is shown, each in its own words). */
export function ruleWords(lang: Lang, rule: string, message: string): string {
  if (lang === 'en') return EN[rule] ?? message;
  return decimalWords(rule, message) ?? ZH[rule] ?? pageMessage(rule, lang) ?? message;
}
