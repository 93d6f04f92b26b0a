/**
 * What the verifier's pages share (verify*.ts): the five checks, the frozen sample's snapshot, the words
 * for statuses and verdicts, the verifier's own assignment, and the command runner the forms post through.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import type { AssignmentRef } from '../../app/disclosures/verification.js';
import type { Refusal } from '../../app/refusals.js';
import { assignmentView, type AssignmentView } from '../../db/read-models/verifier-queue.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import type { Actor, AppDeps } from '../../process/context.js';
import { PROBLEMS } from '../../api/problems.js';
import { pageOf, type PageContext } from './context.js';
import type { Dict } from './i18n.js';
import { sendMessagePage } from './layout.js';

export const CHECKS = ['area', 'amount', 'rate', 'reduction', 'evidence'] as const;
export type Check = (typeof CHECKS)[number];
export const CHECK_WORD: Record<Check, keyof Dict> = {
  area: 'vfCheckArea',
  amount: 'vfCheckAmount',
  rate: 'vfCheckRate',
  reduction: 'vfCheckReduction',
  evidence: 'vfCheckEvidence',
};

export type Snapshot = {
  loanRef: string;
  borrowerName: string;
  principal: string;
  annualRatePercent: string;
  disbursedOn: string;
  project: {
    ref: string;
    name: string;
    subArea: string;
    area: string | null;
    totalInvestment: string;
    annualReductionTonnes: string;
    evidence: { title: string; sha256: string };
  };
  attributedAnnualReductionTonnes: string;
};

/** The rule a refusal names: a field-level refusal names it in its first violation. */
export const ruleOf = (refusal: Refusal) =>
  refusal.status === 'validation_failed' && refusal.errors?.length ? refusal.errors[0].code : refusal.status;

export const statusWord = (t: Dict, status: string) =>
  ({
    published: t.statusPublished,
    verified: t.statusVerified,
    rejected: t.statusRejected,
    under_verification: t.statusUnderVerification,
    submitted: t.statusSubmitted,
    compiled: t.statusCompiled,
    superseded: t.statusSuperseded,
  })[status] ?? status;
/** An assignment closed without a verdict was withdrawn (its version was superseded by a new one). */
export const verdictWord = (t: Dict, a: { verdict: string | null; completedAt: Date | null }) =>
  a.verdict === 'verified' ? t.verdictVerified : a.verdict === 'rejected' ? t.verdictRejected : a.completedAt ? t.vfWithdrawn : t.vfOpen;
export const bankName = (ctx: PageContext, content: DisclosureContent) =>
  ctx.lang === 'zh' ? content.institution.nameZh : content.institution.nameEn;
export const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

export const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export const actorOfPage = (res: Response) => pageOf(res).actor as Actor;

/** The assignment's view if it is this verifier's; anything else does not exist for it. */
export const ownAssignment = async (deps: AppDeps, res: Response, id: string): Promise<AssignmentView | null> => {
  const view = isUuid(id) ? await assignmentView(deps.database.db, id) : null;
  return view && view.assignment.verifierId === actorOfPage(res).institutionId ? view : null;
};

/**
 * Runs a command on the verifier's own assignment: the form is parsed (`invalid_input` when it does
 * not parse), then the use case runs in one transaction; redirects back with `saved=1`, or with the
 * rule the use case refused (a 404 when the assignment is not this verifier's).
 */
export const verifyCommand =
  (deps: AppDeps) =>
  <I>(
    parse: (form: Record<string, unknown>) => I | null,
    run: (ctx: ActorContext, ref: AssignmentRef, input: I) => Promise<unknown>,
    afterCommit?: () => void,
  ) =>
  async (req: Request, res: Response) => {
    const ctx = pageOf(res);
    const id = String(req.params.assignmentId);
    if (!(await ownAssignment(deps, res, id))) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const input = parse({ ...((req.body ?? {}) as Record<string, unknown>), ...req.params });
    if (input === null) return res.redirect(303, `/verify/${id}?error=invalid_input`);
    const actor = actorOfPage(res);
    const now = deps.now();
    const done = await settled(perform(deps.database.db, { now, actor }, (uc) => run(uc, { assignmentId: id }, input)));
    if (!done.ok) {
      if (PROBLEMS[done.status].http === 404) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
      return res.redirect(303, `/verify/${id}?error=${encodeURIComponent(ruleOf(done))}`);
    }
    afterCommit?.();
    res.redirect(303, `/verify/${id}?saved=1`);
  };
