/**
 * The findings of the checks before signing (domain/disclosures/checks.ts) as the pages show them: the
 * bank's drafts page (each quality or macro finding with a form to confirm it with a reason), the
 * verifier's assignment beside the sample, and the operator's disclosures page across banks. Words in
 * Chinese and English; the finding's own message is the service's (as the API answers it).
 */
import type { CheckedFinding } from '../../app/disclosures/check-findings.js';
import type { CheckKind, CheckName } from '../../domain/disclosures/checks.js';
import type { PageContext } from './context.js';
import { cells, headRow, html, type Html } from './html.js';

type Words = {
  heading: string;
  none: string;
  kind: string;
  check: string;
  subject: string;
  detail: string;
  reason: string;
  confirm: string;
  reasonLabel: string;
  notConfirmed: string;
  stops: string;
  submittable: string;
  notSubmittable: string;
  quarter: string;
  show: string;
  onlyOpen: string;
  noDisclosures: string;
  kinds: Record<CheckKind, string>;
  checks: Record<CheckName, string>;
};

const WORDS: Record<'zh' | 'en', Words> = {
  zh: {
    heading: '签署前检查',
    none: '没有检查提示。',
    kind: '类别',
    check: '检查',
    subject: '对象',
    detail: '说明',
    reason: '银行确认理由',
    confirm: '确认',
    reasonLabel: '理由',
    notConfirmed: '尚未确认',
    stops: '须更正后再提交',
    submittable: '可以提交：没有有效性问题，提示均已说明理由确认。',
    notSubmittable: '尚不能提交：有效性问题须更正，质量和宏观提示须逐项说明理由确认。',
    quarter: '季度',
    show: '查看',
    onlyOpen: '只看尚未处理的',
    noDisclosures: '该季度没有需要处理的披露。',
    kinds: { validity: '有效性', quality: '质量', macro: '宏观' },
    checks: {
      attributed_above_project: '归属减排量超过项目减排量',
      loan_after_quarter: '贷款发放于季度之后',
      reduction_intensity: '每万元减排量超出范围',
      sub_area_intensity: '每万元减排量超出子领域范围',
      rate_far_from_lpr: '加权利率偏离LPR',
      quarter_far_from_last_four: '本季度与前四季度均值差距过大',
      conflicting_project_facts: '同一借款人项目信息不一致',
      project_share: '单一项目占比过高',
      area_share: '单一领域占比过高',
    },
  },
  en: {
    heading: 'Checks before signing',
    none: 'No findings.',
    kind: 'Kind',
    check: 'Check',
    subject: 'Subject',
    detail: 'Detail',
    reason: "Bank's reason",
    confirm: 'Confirm',
    reasonLabel: 'Reason',
    notConfirmed: 'not confirmed yet',
    stops: 'to be corrected before submitting',
    submittable: 'Can be submitted: no validity finding, and every finding confirmed with a reason.',
    notSubmittable:
      'Cannot be submitted yet: validity findings are corrected; quality and macro findings are each confirmed with a reason.',
    quarter: 'Quarter',
    show: 'Show',
    onlyOpen: 'Only those not settled',
    noDisclosures: 'No disclosure of this quarter to show.',
    kinds: { validity: 'Validity', quality: 'Quality', macro: 'Macro' },
    checks: {
      attributed_above_project: "Attributed reduction above the project's",
      loan_after_quarter: 'Loan disbursed after the quarter',
      reduction_intensity: 'Reduction per 万元 outside the range',
      sub_area_intensity: "Reduction per 万元 outside the sub-area's range",
      rate_far_from_lpr: 'Weighted rate far from the LPR',
      quarter_far_from_last_four: 'Quarter far from the last four',
      conflicting_project_facts: "Conflicting facts of one borrower's project",
      project_share: 'One project’s share too high',
      area_share: 'One area’s share too high',
    },
  },
};

export const checkWordsOf = (ctx: PageContext): Words => WORDS[ctx.lang];

/**
 * The findings as a table; with `confirmAction`, each quality or macro finding carries a form posting
 * `check`, `subject` and `reason` there (a confirmed one can be confirmed again with another reason).
 */
export function checkFindingsSection(
  ctx: PageContext,
  id: string,
  findings: readonly CheckedFinding[],
  options: { confirmAction?: string; submittable?: boolean; level?: 2 | 3 } = {},
): Html {
  const w = checkWordsOf(ctx);
  const rows = findings.map((f) => {
    const reason =
      f.kind === 'validity'
        ? w.stops
        : f.confirmation
          ? f.confirmation.reason
          : options.confirmAction
            ? html`<form method="post" action="${options.confirmAction}">${ctx.csrfField()}<input type="hidden" name="check" value="${f.check}"><input type="hidden" name="subject" value="${f.subject}"><label>${w.reasonLabel} <input name="reason" required maxlength="2000"></label> <button type="submit">${w.confirm}</button></form>`
            : w.notConfirmed;
    return html`<tr><th scope="row">${w.checks[f.check] ?? f.check}</th>${cells([w.kinds[f.kind], f.subject, f.message])}<td>${reason}</td></tr>`;
  });
  const status =
    options.submittable === undefined
      ? ''
      : html`<p class="${options.submittable ? 'notice' : 'warning'}">${options.submittable ? w.submittable : w.notSubmittable}</p>`;
  return html`<section aria-labelledby="${id}" class="checks">${options.level === 3 ? html`<h3 id="${id}">${w.heading}</h3>` : html`<h2 id="${id}">${w.heading}</h2>`}
${status}
${
  rows.length
    ? html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${w.heading}</caption>${headRow([w.check, w.kind, w.subject, w.detail, w.reason])}<tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">${w.none}</p>`
}</section>`;
}
