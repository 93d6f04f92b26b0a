/**
 * One assignment (/verify/:assignmentId): the disclosure's figures and frozen sample (verify-sample.ts),
 * the checks before signing with the bank's reasons (check-findings.ts), the findings and their forms (verify-findings.ts), the query threads and the verdict (verify-verdict.ts).
 */
import { Router, type Request, type Response } from 'express';
import { type AssignmentView } from '../../db/read-models/verifier-queue.js';
import { uploadedEvidence } from '../../db/repositories/evidence.js';
import { findingsOf, sampleOf } from '../../db/repositories/verification.js';
import { queryThreadsOf } from '../../db/repositories/verification-queries.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import type { AppDeps } from '../../process/context.js';
import { isRefusalStatus, pageMessage } from '../../api/problems.js';
import { pageOf } from './context.js';
import { html } from './html.js';
import { queryThreadsSection } from './query-threads.js';
import { fill } from './i18n.js';
import { sendMessagePage, sendPage } from './layout.js';
import { findingsSections } from './verify-findings.js';
import { figuresSection, sampleSection } from './verify-sample.js';
import { bankName, CHECKS, ownAssignment, type Check, type Snapshot } from './verify-shared.js';
import { verdictSection } from './verify-verdict.js';
import { findingsOf as checkFindingsOf } from '../../app/disclosures/check-findings.js';
import { checkFindingsSection } from './check-findings.js';

export function verifyAssignmentPages(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();

  router.get('/:assignmentId', async (req, res) => {
    const ctx = pageOf(res);
    const view = await ownAssignment(deps, res, String(req.params.assignmentId));
    if (!view) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const error = typeof req.query.error === 'string' && isRefusalStatus(req.query.error) ? req.query.error : null;
    await renderAssignment(req, res, view, { error, saved: req.query.saved === '1' });
  });

  const renderAssignment = async (
    _req: Request,
    res: Response,
    view: AssignmentView,
    options: { error: string | null; saved: boolean },
  ) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const { assignment: a, version } = view;
    const content = version.content as DisclosureContent;
    const [sample, recorded] = [await sampleOf(db, a.id), await findingsOf(db, a.id)];
    // each sampled loan's evidence file: a link when the bank uploaded it, else "not uploaded yet"
    const uploaded = new Set(
      (
        await uploadedEvidence(
          db,
          sample.map((s) => (s.snapshot as Snapshot).project.evidence.sha256),
        )
      ).map((f) => f.contentSha256),
    );
    const threads = await queryThreadsOf(db, version.id);
    // shown by sampled loan, then in the order of the five checks (stable for equal timestamps)
    const ordinalOf = new Map(sample.map((s) => [s.loanId, s.ordinal]));
    const findings = recorded
      .slice()
      .sort(
        (x, y) =>
          (ordinalOf.get(x.loanId) ?? 0) - (ordinalOf.get(y.loanId) ?? 0) ||
          CHECKS.indexOf(x.check as Check) - CHECKS.indexOf(y.check as Check),
      );
    const heading = fill(t.vfDetailHeading, { bank: bankName(ctx, content), quarter: version.quarter, version: version.version });
    const openForWork = !a.completedAt && version.status === 'under_verification';
    const figures = figuresSection(ctx, version);
    const sampleTable = sampleSection(ctx, sample, uploaded);
    // the checks before signing, each with the bank's reason, beside the sample
    const checks = checkFindingsSection(ctx, 'h-checks', await checkFindingsOf(db, version));
    const { findingsList, findingForms } = findingsSections(ctx, a, sample, findings, openForWork);
    const verdict = verdictSection(ctx, a, openForWork);

    const message = options.error
      ? html`<p class="error" role="alert">${t.vfErrorPrefix} ${pageMessage(options.error, ctx.lang)} (${options.error})</p>`
      : options.saved
        ? html`<p class="notice" role="status">${t.vfSaved}</p>`
        : '';
    const body = html`<h1>${heading}</h1>
<p><a href="/verify">${t.vfBackToQueue}</a></p>
${message}
${figures}
${sampleTable}
${checks}
${findingsList}
${queryThreadsSection(ctx, 'h-queries', threads, {
  raise: openForWork
    ? { action: `/verify/${a.id}/queries`, loans: sample.map((s) => ({ id: s.loanId, ref: (s.snapshot as Snapshot).loanRef })) }
    : undefined,
})}
${findingForms}
${verdict}`;
    sendPage(res, ctx, heading, body);
  };

  return router;
}
