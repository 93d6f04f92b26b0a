/**
 * Disclosures: compile (operator, as jobs), read (public: published; a bank: its own; a verifier: its
 * assigned ones), and the workflow verbs submit (bank), assign (operator), publish (operator), and a
 * new version after a rejection (correction) or a publication (restatement). Each verb is a use case
 * (app/disclosures/); illegal transitions answer 409 `illegal_transition` with the current state.
 */
import { perform } from '../../app/perform.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { answerProposal } from './approvals.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { requestQuarterCompile } from '../../app/disclosures/compile-quarter.js';
import { assignDisclosure } from '../../app/disclosures/verification.js';
import { bankOf, submitDisclosure } from '../../app/disclosures/workflow.js';
import { requestVersion } from '../../app/disclosures/corrections.js';
import { canSee, listVersionViews, versionView, versionViewsOf, type Visibility } from '../../db/read-models/disclosure-versions.js';
import { parseYuan } from '../../domain/money.js';
import { CursorPart, encodeCursor } from '../../schemas/common.js';
import {
  CompileAccepted,
  CompileBody,
  Disclosure,
  DisclosurePage,
  ListDisclosuresQuery,
  NewVersionAccepted,
  VersionQuery,
} from '../../schemas/disclosures.js';
import { AssignBody } from '../../schemas/verification.js';
import { NewVersionBody, SubmitBody } from '../../schemas/statements.js';
import { nameProjects } from '../../app/disclosures/name-projects.js';
import { actingOf, requireRole } from '../auth.js';
import type { Actor, AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentVersion } from '../presenters/disclosures.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';
import { disclosureRef } from './disclosure-ref.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter';
describe({
  method: 'post',
  path: '/api/v1/disclosures/compile',
  operationId: 'compileQuarter',
  errors: ['quarter_not_ended'],
  tag: 'disclosures',
  roles: ['operator'],
  summary: "Compile every supported bank's disclosure for a quarter (background jobs)",
  body: CompileBody,
  responses: { 202: CompileAccepted },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/disclosures',
  operationId: 'listDisclosures',
  tag: 'disclosures',
  roles: [],
  summary: 'Disclosure versions: published for everyone; a bank also sees its own, a verifier its assigned ones',
  query: ListDisclosuresQuery,
  responses: { 200: DisclosurePage },
});
describe({
  method: 'get',
  path: Path,
  operationId: 'getDisclosure',
  tag: 'disclosures',
  roles: [],
  summary: "A bank's disclosure for a quarter (latest version visible to the caller, or ?version=)",
  query: VersionQuery,
  responses: { 200: Disclosure },
});
describe({
  method: 'get',
  path: `${Path}/versions`,
  operationId: 'listDisclosureVersions',
  tag: 'disclosures',
  roles: [],
  summary: 'Every version of the disclosure visible to the caller',
  responses: { 200: z.object({ items: z.array(Disclosure), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'post',
  path: `${Path}/submit`,
  operationId: 'submitDisclosure',
  errors: ['illegal_transition', 'disclosure_checks_failed', 'disclosure_checks_unconfirmed'],
  tag: 'disclosures',
  roles: ['bank'],
  summary: 'The bank submits its compiled disclosure for verification (optionally naming its projects first)',
  body: SubmitBody,
  responses: { 200: Disclosure },
  idempotent: true,
});
describe({
  method: 'post',
  path: `${Path}/assign`,
  operationId: 'assignVerifier',
  errors: ['illegal_transition', 'not_a_verifier', 'verifier_conflicted', 'no_verifier_available'],
  tag: 'disclosures',
  roles: ['operator'],
  summary: 'Assign a verifier (named, or by rule as a job)',
  body: AssignBody,
  responses: { 200: Disclosure, 202: z.object({ jobId: z.string(), follow: z.string() }) },
  idempotent: true,
});
describe({
  method: 'post',
  path: `${Path}/publish`,
  operationId: 'publishDisclosure',
  errors: ['illegal_transition'],
  tag: 'disclosures',
  roles: ['operator'],
  summary:
    'Propose publishing a verified disclosure by hand (four eyes: published when another operator confirms it; a "verified" verdict publishes by itself); refused at once (illegal_transition) when it could not be published',
  responses: { 202: ApprovalView },
  idempotent: true,
});
describe({
  method: 'post',
  path: `${Path}/versions`,
  operationId: 'requestDisclosureVersion',
  errors: ['illegal_transition'],
  tag: 'disclosures',
  roles: ['bank', 'operator'],
  summary:
    'Compile a new version with its reason: a correction after rejection or a restatement after publication (202, by its job); an operator may also correct a version before its verdict at once (201, reason operator_correction)',
  body: NewVersionBody,
  responses: { 201: Disclosure, 202: NewVersionAccepted },
  idempotent: true,
});

export function visibilityOf(actor: Actor | undefined): Visibility {
  if (!actor) return { kind: 'public' };
  if (actor.role === 'operator') return { kind: 'operator' };
  if (actor.role === 'bank') return { kind: 'bank', institutionId: actor.institutionId };
  return { kind: 'verifier', institutionId: actor.institutionId };
}

export function disclosureRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const nudgeRelay = () =>
    void deps.services.jobs?.relayNow().catch((err) => deps.logger.warn({ err: (err as Error).message }, 'relay nudge failed'));
  /** Runs a use case in one transaction, as the signed-in actor, at the request's time. */
  const ref = disclosureRef;
  /** The version's view, read after the command's transaction committed. */
  const viewOf = async (id: string) => presentVersion((await versionView(db, id))!);

  router.post('/disclosures/compile', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CompileBody, req.body);
    const result = await perform(db, actingOf(deps, res), (ctx) => requestQuarterCompile(ctx, { quarter: body.quarter }));
    nudgeRelay();
    res.status(202).json({
      quarter: body.quarter,
      jobId: result.jobId,
      new: result.new,
      banks: result.banks,
      follow: `/api/v1/disclosures?quarter=${body.quarter}`,
    });
  });

  router.get('/disclosures', async (req, res) => {
    const query = parseOrThrow(ListDisclosuresQuery, req.query);
    const after = cursorOrThrow(z.tuple([CursorPart.quarter, CursorPart.code, CursorPart.int4]), query.cursor) ?? null;
    const rows = await listVersionViews(
      db,
      { quarter: query.quarter, institutionCode: query.institution, visibility: visibilityOf(res.locals.actor) },
      { limit: query.limit, after },
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(presentVersion),
      nextCursor:
        rows.length > query.limit && last ? encodeCursor([last.version.quarter, last.institution.code, last.version.version]) : null,
    });
  });

  /** Every version of the bank's quarter, and those the caller may see (oldest first). */
  const visibleVersions = async (res: Response, req: { params: Record<string, unknown> }) => {
    const { institutionCode, quarter } = ref(req);
    const bank = await bankOf(db, institutionCode);
    const vis = visibilityOf(res.locals.actor);
    const all = await versionViewsOf(db, bank.id, quarter);
    return { visible: all.filter((v) => canSee(vis, v)), bank, quarter };
  };

  router.get('/disclosures/:institutionCode/:quarter', async (req, res) => {
    const query = parseOrThrow(VersionQuery, req.query);
    const { visible, bank, quarter } = await visibleVersions(res, req);
    const view = query.version ? visible.find((v) => v.version.version === query.version) : visible[visible.length - 1];
    if (!view) throw notFound(`disclosure ${bank.code} ${quarter}${query.version ? ` version ${query.version}` : ''}`);
    res.json(presentVersion(view));
  });

  router.get('/disclosures/:institutionCode/:quarter/versions', async (req, res) => {
    const { visible } = await visibleVersions(res, req);
    res.json({ items: visible.map(presentVersion), nextCursor: null });
  });

  router.post('/disclosures/:institutionCode/:quarter/submit', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(SubmitBody, req.body ?? {});
    const target = ref(req);
    const row = await perform(db, actingOf(deps, res), async (ctx) => {
      if (body.namedProjects) await nameProjects(ctx, { ...target, projects: body.namedProjects });
      return submitDisclosure(ctx, target);
    });
    res.json(await viewOf(row.id));
  });

  router.post('/disclosures/:institutionCode/:quarter/assign', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(AssignBody, req.body);
    const target = ref(req);
    const sampling = {
      seed: body.seed,
      materialityFen: body.materialityThreshold ? parseYuan(body.materialityThreshold)! : undefined,
      randomSampleSize: body.randomSampleSize,
    };
    const choice = 'rule' in body ? { rule: body.rule } : { verifier: body.verifier };
    const outcome = await perform(db, actingOf(deps, res), (ctx) => assignDisclosure(ctx, { ...target, choice, sampling }));
    nudgeRelay();
    if (outcome.kind === 'job')
      return void res
        .status(202)
        .json({ jobId: outcome.jobId, follow: `/api/v1/disclosures/${req.params.institutionCode}/${req.params.quarter}` });
    const { visible } = await visibleVersions(res, req);
    res.json(presentVersion(visible[visible.length - 1]));
  });

  router.post('/disclosures/:institutionCode/:quarter/publish', requireRole('operator'), async (req, res) => {
    const target = ref(req);
    const proposed = await perform(db, actingOf(deps, res), (ctx) => proposeAct(ctx, 'publish_disclosure', target));
    if (proposed.performed) throw new Error('publishing by hand always takes four eyes');
    await answerProposal(deps, res, proposed.approval.id);
  });

  router.post('/disclosures/:institutionCode/:quarter/versions', requireRole('bank', 'operator'), async (req, res) => {
    const body = parseOrThrow(NewVersionBody, req.body ?? {});
    const target = ref(req);
    const asked = await perform(db, actingOf(deps, res), (ctx) => requestVersion(ctx, { ...target, reason: body.reason }));
    if ('compiled' in asked) return void res.status(201).json(await viewOf(asked.compiled.id));
    const outcome = asked.queued;
    nudgeRelay();
    res.status(202).json({
      jobId: outcome.jobId,
      version: outcome.version,
      kind: outcome.kind,
      follow: `/api/v1/disclosures/${req.params.institutionCode}/${req.params.quarter}?version=${outcome.version}`,
    });
  });

  return router;
}
