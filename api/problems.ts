/**
 * The one table from a refusal's status to what the edges show: the HTTP code of the API's
 * problem+json, the field a violation points at when the use case names none, and the page message in
 * Chinese and English. Routes (through the error handler) and pages (through `pageMessage`) read it;
 * nothing else turns a refusal into an answer.
 */
import type { Refusal, RefusalStatus } from '../app/refusals.js';
import type { Violation } from '../domain/result.js';

type Problem = { http: number; path?: string; zh: string; en: string };

export const PROBLEMS: Record<RefusalStatus, Problem> = {
  validation_failed: { http: 422, zh: '输入未通过校验', en: 'The input does not meet the rules' },
  invalid_input: {
    http: 422,
    zh: '表单不完整或格式有误：请填写必填项（如理由），金额须为最多两位小数的元金额。',
    en: 'The form is incomplete or malformed: fill in the required fields (such as the reason); amounts are yuan with at most two decimals.',
  },
  invalid_cursor: { http: 422, path: 'cursor', zh: '分页游标无效', en: 'The page cursor is not valid' },

  booking_in_future: { http: 422, path: 'on', zh: '记账日期不能晚于今天', en: 'A booking cannot be dated in the future' },
  booking_out_of_order: {
    http: 409,
    path: 'on',
    zh: '记账日期早于该记录上一笔记账的日期',
    en: "The booking is dated before the record's last booking",
  },
  backdating_not_allowed: {
    http: 403,
    path: 'on',
    zh: '只有运营人员（或处于迁移模式的银行）可以倒签记账日期',
    en: 'Only operators, or a bank in migration mode, may date a booking before today',
  },
  backdate_reason_required: { http: 422, path: 'reason', zh: '倒签的记账须说明理由', en: 'A back-dated booking needs a reason' },
  unauthorized: { http: 401, zh: '需要有效的 API 密钥', en: 'A valid API key is required' },
  forbidden: { http: 403, zh: '此角色无权执行该操作', en: 'This role may not do that' },
  maker_checker_violation: {
    http: 403,
    zh: '批准该申请的运营人员不能同时为其记账发放，须由另一名运营人员操作。',
    en: 'The operator who approved this application cannot also book its disbursement: another operator must.',
  },
  institution_not_eligible: { http: 403, zh: '该机构在此日期不是合格机构', en: 'The institution is not eligible on that date' },
  disclosure_checks_failed: {
    http: 422,
    zh: '披露未通过有效性检查，须更正后再提交',
    en: 'The disclosure fails a validity check: correct it before submitting',
  },
  disclosure_checks_unconfirmed: {
    http: 409,
    zh: '披露有未经确认的质量提示，须逐项说明理由确认后再提交',
    en: 'The disclosure has quality findings not yet confirmed with a reason',
  },
  institution_category_not_eligible: {
    http: 403,
    zh: '该类金融机构在此日期尚未纳入支持范围',
    en: "The institution's category is not yet eligible on that date",
  },
  four_eyes_violation: {
    http: 403,
    zh: '提议变更的操作员不能自行确认，须由另一名操作员确认',
    en: 'The operator who proposed a change may not confirm it',
  },
  read_only_key: { http: 403, zh: '只读密钥不能执行写操作', en: 'A read-only key may not write' },
  totp_invalid: { http: 401, path: 'code', zh: '验证码不正确', en: 'The code is not correct' },
  totp_replayed: {
    http: 401,
    path: 'code',
    zh: '该验证码已使用过，请等待下一个验证码',
    en: 'That code has already been used: wait for the next one',
  },
  approval_expired: {
    http: 409,
    zh: '该待确认操作已过期，须重新提议',
    en: 'The proposed act has expired unconfirmed: propose it again',
  },
  approval_withdrawn: { http: 409, zh: '提议人已撤回该操作', en: 'The proposer has withdrawn the act' },

  not_found: { http: 404, zh: '未找到', en: 'Not found' },
  operation_not_found: { http: 404, path: 'operation', zh: '该季度没有开放的操作', en: 'No operation is open for that quarter' },
  no_policy_in_force: { http: 404, zh: '该日期没有生效的政策', en: 'No policy is in force on that date' },
  no_taxonomy_in_force: { http: 404, zh: '该日期没有生效的目录', en: 'No taxonomy is in force on that date' },

  loan_ref_conflict: {
    http: 409,
    zh: '该贷款编号已存在且内容不同（请使用修订）',
    en: 'The loan reference exists with other content (use an amendment)',
  },
  loan_ref_immutable: { http: 422, path: 'loan.loanRef', zh: '贷款编号不可修改', en: 'A loan reference cannot be changed' },
  content_unchanged: { http: 409, zh: '修订内容与当前版本相同', en: 'The amendment changes nothing' },
  loan_under_support: { http: 409, zh: '该贷款已获支持，不能修订', en: 'The loan is covered by support and cannot be amended' },
  principal_below_repaid: { http: 409, zh: '本金不能低于已还金额', en: 'The principal cannot be less than what was repaid' },
  repayment_exceeds_outstanding: {
    http: 422,
    path: 'amount',
    zh: '还款额超过未偿本金',
    en: 'The repayment exceeds the outstanding principal',
  },
  repayment_before_disbursement: {
    http: 422,
    path: 'repaidOn',
    zh: '还款日期早于发放日期',
    en: 'The repayment is dated before the disbursement',
  },
  repayment_in_future: { http: 422, path: 'repaidOn', zh: '还款日期在未来', en: 'The repayment is dated in the future' },
  loan_not_flagged: { http: 409, zh: '该贷款没有待确认的利率标记', en: 'The loan has no rate flag to accept' },
  projects_already_linked: { http: 409, zh: '这两个项目已是同一项目', en: 'The two projects are already one project' },
  spelling_not_linked: {
    http: 409,
    zh: '该项目没有可拆分的这一写法（须是经关联的写法之一）',
    en: 'The project has no linked spelling like that to split off',
  },

  facility_not_launched: { http: 409, zh: '该日期工具尚未推出', en: 'The facility had not launched on that date' },
  facility_ended: { http: 409, zh: '工具已到期', en: 'The facility has ended' },
  operation_exists: { http: 409, zh: '该季度的操作已开放', en: 'The operation of that quarter is already open' },
  operation_not_open: { http: 409, zh: '该季度的操作不在受理期', en: 'The operation is not accepting applications' },
  volume_not_positive: { http: 422, zh: '操作额度须大于零', en: 'The volume must be more than zero' },
  annual_cap_exceeded: { http: 409, zh: '全年操作额度将超过年度上限', en: "The year's operations would pass the annual cap" },
  operation_volume_exceeded: { http: 409, zh: '批准金额超过操作剩余额度', en: "The approval exceeds the operation's remaining volume" },
  nothing_to_allocate: { http: 409, zh: '没有待分配的申请', en: 'No application awaits allocation' },
  approval_covers_no_loan: {
    http: 422,
    path: 'amount',
    zh: '批准金额不足以覆盖任何一笔贷款的支持额',
    en: "The approval is smaller than every listed loan's support",
  },
  no_loans: { http: 422, zh: '申请中没有符合条件的贷款', en: 'The application lists no qualifying loan' },
  application_not_submitted: { http: 409, zh: '只有待决定的申请可以批准或拒绝', en: 'Only a submitted application can be decided' },
  application_not_approved: { http: 409, zh: '只有已批准的申请可以入账', en: 'Only an approved application can be disbursed' },
  application_rejected: { http: 409, zh: '申请已被拒绝', en: 'The application was rejected' },
  collateral_insufficient: {
    http: 409,
    zh: '合格押品价值不足以覆盖批准金额。',
    en: 'The eligible collateral does not cover the approved amount.',
  },
  collateral_released: { http: 409, zh: '抵押品已解押', en: 'The collateral has been released' },

  facility_not_live: { http: 409, zh: '该笔资金已结清或已展期', en: 'The tranche is no longer live' },
  rollovers_exhausted: { http: 409, zh: '展期次数已达上限', en: 'The tranche has been rolled over the most times allowed' },
  rollover_not_due: { http: 409, zh: '展期须在到期日办理', en: 'A rollover is booked on the maturity date' },
  facility_overdue: { http: 409, zh: '该笔资金已逾期，只能归还', en: 'The tranche is overdue and can only be repaid' },
  nothing_to_roll_over: {
    http: 409,
    zh: '对应贷款已无未偿合格本金，须归还',
    en: 'The underlying loans have no outstanding eligible principal',
  },
  nothing_to_repay: { http: 409, zh: '没有应还的本金或利息', en: 'No principal or interest is due' },
  interest_booked_ahead: { http: 409, zh: '利息已计提至结算日之后', en: 'Interest is booked past the settlement date' },

  entry_already_reversed: { http: 409, zh: '该分录已被冲正', en: 'The entry has already been reversed' },
  cannot_reverse_a_reversal: { http: 409, zh: '冲正分录不能再冲正', en: 'A reversal cannot be reversed' },

  illegal_transition: { http: 409, zh: '披露当前状态不允许此操作', en: 'The disclosure is not in a state that allows this' },
  quarter_not_ended: { http: 409, zh: '季度尚未结束', en: 'The quarter has not ended' },
  verifier_conflicted: { http: 409, zh: '该核验机构与银行存在利益冲突', en: 'The verifier is declared conflicted with this bank' },
  not_a_verifier: { http: 422, path: 'verifier', zh: '不是已登记的核验机构', en: 'Not a registered verifier' },
  no_verifier_available: { http: 422, path: 'verifier', zh: '没有可指派的核验机构', en: 'No verifier can be assigned' },
  verdict_not_given: { http: 409, zh: '核验机构尚未给出结论', en: 'The verifier has not given a verdict yet' },
  sample_not_checked: { http: 422, path: 'findings', zh: '还有抽样贷款未记录核验结果', en: 'Some sampled loans have no finding yet' },
  verified_with_failed_findings: {
    http: 422,
    path: 'verdict',
    zh: '有未通过的核验项，结论应为不通过',
    en: 'A check failed: the verdict must be rejected',
  },
  rejection_without_findings: {
    http: 422,
    path: 'verdict',
    zh: '不通过的结论须至少有一项未通过的核验',
    en: 'A rejection needs at least one failed check',
  },
  loan_not_in_sample: { http: 422, zh: '只能对抽样贷款记录核验结果', en: 'Findings are recorded on sampled loans only' },
  statement_conflict: {
    http: 409,
    zh: '该季度已有另一份已发布的披露；如银行发布了更正披露，请以更正方式导入',
    en: 'Another statement of that quarter is already published; import a restatement the bank published as a restatement',
  },
  finding_superseded: {
    http: 409,
    path: 'findingId',
    zh: '该核验结果已被更正，请更正当前有效的结果',
    en: 'That finding was already corrected: correct the finding in force',
  },
  finding_already_recorded: {
    http: 409,
    path: 'findings',
    zh: '该项核验结果已记录；如需更正，请对该结果进行更正',
    en: 'That check is already recorded: correct the finding instead',
  },
  signing_key_configured: {
    http: 409,
    zh: '签名密钥由配置文件提供（CERF_SIGNING_KEY_FILE），请更换该文件以轮换密钥',
    en: 'The signing key comes from CERF_SIGNING_KEY_FILE; rotate it by configuring another key file',
  },
  evidence_not_declared: {
    http: 422,
    path: 'sha256',
    zh: '本行没有项目申报该 SHA-256 的证明文件',
    en: "None of the bank's projects declares evidence with that SHA-256",
  },
  evidence_hash_mismatch: {
    http: 422,
    path: 'file',
    zh: '文件的 SHA-256 与申报的不一致',
    en: "The file's SHA-256 is not the declared one",
  },
  evidence_type_not_allowed: {
    http: 415,
    path: 'file',
    zh: '证明文件须为 PDF 或图片（PNG、JPEG、WebP）',
    en: 'An evidence file is a PDF or an image (PNG, JPEG, WebP)',
  },
  evidence_too_large: { http: 413, path: 'file', zh: '证明文件超过大小上限', en: 'The evidence file is larger than the limit' },

  institution_code_taken: { http: 409, path: 'code', zh: '机构代码已被使用', en: 'The institution code is taken' },
  job_not_failed: { http: 409, zh: '该任务没有失败', en: 'The job has not failed' },
  jobs_not_running: { http: 503, zh: '后台任务未在运行', en: 'The job system is not running in this process' },
  rotation_grace_too_long: {
    http: 422,
    path: 'gracePeriodSeconds',
    zh: '轮换宽限期最长 7 天',
    en: 'A rotation grace period is at most 7 days',
  },
  key_not_active: { http: 409, zh: '该密钥已撤销或已过期', en: 'The key is revoked or expired' },
  key_already_rotated: { http: 409, zh: '该密钥已轮换过', en: 'The key has already been rotated' },
  expiry_not_in_future: { http: 422, path: 'expiresAt', zh: '到期时间须晚于当前时间', en: 'The expiry must be in the future' },

  proposal_not_pending: { http: 409, zh: '该变更已被确认或拒绝', en: 'The change has already been confirmed or declined' },
  effective_date_taken: {
    http: 409,
    zh: '该日期已有同类政策数据（更正须另定日期）',
    en: 'Data of that kind already exists on that date (a correction takes its own date)',
  },
  version_id_taken: { http: 409, zh: '该版本名称已被使用', en: 'That version name is taken' },

  invalid_idempotency_key: { http: 400, zh: 'Idempotency-Key 格式无效', en: 'The Idempotency-Key is malformed' },
  idempotency_key_in_use: {
    http: 409,
    zh: '使用该 Idempotency-Key 的请求仍在处理中',
    en: 'A request with this Idempotency-Key is still in progress',
  },
  idempotency_key_reused: {
    http: 409,
    zh: '该 Idempotency-Key 已用于另一请求',
    en: 'This Idempotency-Key was used with a different request',
  },
  idempotency_key_committed: {
    http: 409,
    zh: '使用该 Idempotency-Key 的请求已生效，但其应答在数据库中断时丢失；请查询该资源',
    en: 'The request with this Idempotency-Key took effect, but its answer was lost in a database outage; read the resource',
  },
  database_unavailable: { http: 503, zh: '数据库暂时无法访问，请稍后重试', en: 'The database cannot be reached right now; retry shortly' },
  webhook_address_not_allowed: {
    http: 422,
    path: 'url',
    zh: 'Webhook 地址指向本机、链路本地或内网地址，未获允许',
    en: 'The webhook URL points to a loopback, link-local or private address that is not allowed',
  },
  redis_unavailable: { http: 503, zh: '后台任务队列（Redis）暂时无法访问', en: 'The job queue (Redis) cannot be reached right now' },
};

/** The HTTP answer of a refusal: status code, problem code, detail, violations and facts. */
export function problemOf(refusal: Refusal): {
  http: number;
  code: string;
  detail: string;
  errors?: Violation[];
  extra?: Record<string, unknown>;
} {
  const problem = PROBLEMS[refusal.status];
  const path = refusal.path ?? problem.path;
  const errors = refusal.errors ?? (path ? [{ path, code: refusal.status, message: refusal.message }] : undefined);
  return { http: problem.http, code: refusal.status, detail: refusal.message, errors, extra: refusal.extra };
}

/** Whether `code` names a refusal (a code from a URL may be anything, `constructor` included). */
export const isRefusalStatus = (code: string): code is RefusalStatus => Object.hasOwn(PROBLEMS, code);

/** The page message of a status in the page's language; unknown codes (from a forged URL) get none. */
export function pageMessage(status: string, lang: 'zh' | 'en'): string | null {
  return isRefusalStatus(status) ? PROBLEMS[status][lang] : null;
}

/** A refusal as a page shows it: the message in the page's language, then the rule's code. */
export function pageRefusal(status: string, lang: 'zh' | 'en'): string | null {
  const message = pageMessage(status, lang);
  return message === null ? null : `${message} (${status})`;
}
