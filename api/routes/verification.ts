/**
 * Verification: the operator registers conflicts between verifiers and banks; a verifier sees only its
 * own assignments (its work queue), each with its frozen sample, records findings on sampled loans,
 * and gives a verdict, which stores the report (and its SHA-256) with the version it judged. The
 * commands are use cases (app/disclosures/verification.ts), shared with the verifier's pages.
 */
import { perform } from '../../app/perform.js';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { correctFinding } from '../../app/disclosures/correct-finding.js';
import { declareConflict, giveVerdict, recordFindings } from '../../app/disclosures/verification.js';
import { versionView } from '../../db/read-models/disclosure-versions.js';
import { assignmentView, verifierQueue } from '../../db/read-models/verifier-queue.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { conflictsOf, findingsOf, sampleOf } from '../../db/repositories/verification.js';
import { Problem } from '../../schemas/common.js';
import { Disclosure } from '../../schemas/disclosures.js';
import {
  Assignment,
  DeclareConflictBody,
  FindingsBody,
  SampledLoan,
  SupersedeFindingBody,
  VerdictBody,
} from '../../schemas/verification.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { conflict, notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentAssignment, presentFinding, presentSampledLoan, presentVersion } from '../presenters/disclosures.js';
import { parseOrThrow } from '../validate.js';
import { disclosureRef } from './disclosure-ref.js';
import { findingsOf as checkFindingsOf } from '../../app/disclosures/check-findings.js';
import { CheckFindingView } from '../../schemas/statistics.js';
import { presentCheckFinding } from './disclosure-checks.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter';
const Finding = z.object({
  id: z.string(),
  loanId: z.string(),
  check: z.string(),
  outcome: z.enum(['pass', 'fail']),
  note: z.string().nullable(),
  createdAt: z.string(),
  supersedes: z.string().nullable().describe('the finding this one corrects'),
  reason: z.string().nullable().describe('why the corrected finding was wrong'),
  supersededBy: z.string().nullable().describe('the finding that corrects this one (null while it is in force)'),
  supersededAt: z.string().nullable(),
});
const AssignmentDetail = Assignment.extend({
  sample: z.array(SampledLoan),
  findings: z.array(Finding),
  checks: z.array(CheckFindingView).describe("the findings of the checks before signing on the version, each with the bank's reason"),
});
describe({
  method: 'post',
  path: '/api/v1/verifiers/:code/conflicts',
  operationId: 'declareVerifierConflict',
  errors: ['not_a_verifier'],
  tag: 'verification',
  roles: ['operator'],
  summary: 'Declare a verifier conflicted with a bank (it will never be assigned to it)',
  body: DeclareConflictBody,
  responses: { 201: z.object({ verifier: z.string(), bank: z.string(), reason: z.string() }) },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/verifiers/:code/conflicts',
  tag: 'verification',
  roles: ['operator'],
  operationId: 'listVerifierConflicts',
  summary: 'The banks a verifier is declared conflicted with (it is never assigned to them)',
  responses: { 200: z.object({ items: z.array(z.object({ bank: z.string(), reason: z.string() })), nextCursor: z.null() }) },
  examples: {
    responses: {
      200: [{ summary: 'one conflict', value: { items: [{ bank: 'CITIC', reason: 'audited the bank in 2022' }], nextCursor: null } }],
    },
  },
});
describe({
  method: 'get',
  path: '/api/v1/verification/assignments',
  operationId: 'listAssignments',
  tag: 'verification',
  roles: ['verifier', 'operator'],
  summary: "A verifier's work queue (operator: every assignment); ?open=true|false",
  responses: { 200: z.object({ items: z.array(Assignment), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'get',
  path: '/api/v1/verification/assignments/:id',
  operationId: 'getAssignment',
  tag: 'verification',
  roles: ['verifier', 'operator'],
  summary: "One assignment with its sample (loan snapshots), its findings, and the checks before signing with the bank's reasons",
  responses: { 200: AssignmentDetail },
});
describe({
  method: 'get',
  path: '/api/v1/verification/assignments/:id/report',
  operationId: 'getVerificationReport',
  errors: ['verdict_not_given'],
  tag: 'verification',
  roles: ['verifier', 'operator', 'bank'],
  summary: 'The verification report kept with the version it judged, and its SHA-256',
  responses: { 200: z.object({ report: z.unknown(), reportSha256: z.string() }) },
});
describe({
  method: 'post',
  path: `${Path}/findings`,
  operationId: 'recordFindings',
  errors: ['illegal_transition', 'loan_not_in_sample'],
  tag: 'verification',
  roles: ['verifier'],
  summary: 'Record checks on sampled loans (assigned verifier)',
  body: FindingsBody,
  responses: { 201: z.object({ items: z.array(Finding) }) },
  idempotent: true,
});
describe({
  method: 'post',
  path: `${Path}/findings/:findingId/supersede`,
  operationId: 'supersedeFinding',
  tag: 'verification',
  roles: ['verifier'],
  summary: 'Correct a finding before the verdict (assigned verifier): a new finding supersedes it, the old one stays in the history',
  body: SupersedeFindingBody,
  // 404 not_found: the finding is not on this assignment; 409 finding_superseded: already corrected;
  // 409 illegal_transition: the verdict is given; 422 validation_failed: the body
  responses: { 201: z.object({ finding: Finding, superseded: Finding }), 404: Problem, 409: Problem, 422: Problem },
  idempotent: true,
});
describe({
  method: 'post',
  path: `${Path}/verdict`,
  operationId: 'giveVerdict',
  errors: ['illegal_transition', 'sample_not_checked', 'verified_with_failed_findings', 'rejection_without_findings'],
  tag: 'verification',
  roles: ['verifier'],
  summary: 'Give the verdict (assigned verifier); verified leads to publication',
  body: VerdictBody,
  responses: { 200: Disclosure },
  idempotent: true,
});

export function verificationRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const ref = disclosureRef;

  /** The assignment's view if the caller may read it: the operator any, a verifier its own, a bank those of its disclosures. */
  const readableAssignment = async (res: Response, id: string) => {
    const actor = actorOf(res);
    const view = z.string().uuid().safeParse(id).success ? await assignmentView(db, id) : null;
    if (!view) throw notFound(`assignment ${id}`);
    if (actor.role === 'verifier' && view.assignment.verifierId !== actor.institutionId) throw notFound(`assignment ${id}`);
    if (actor.role === 'bank' && view.version.institutionId !== actor.institutionId) throw notFound(`assignment ${id}`);
    return view;
  };

  router.post('/verifiers/:code/conflicts', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(DeclareConflictBody, req.body);
    const declared = await perform(db, actingOf(deps, res), (ctx) =>
      declareConflict(ctx, { verifierCode: String(req.params.code), bankCode: body.bank, reason: body.reason }),
    );
    res.status(201).json(declared);
  });

  router.get('/verifiers/:code/conflicts', requireRole('operator'), async (req, res) => {
    const verifier = await findInstitutionByCode(db, String(req.params.code));
    if (!verifier || verifier.kind !== 'verifier') throw notFound(`verifier ${req.params.code}`);
    res.json({ items: await conflictsOf(db, verifier.id), nextCursor: null });
  });

  router.get('/verification/assignments', requireRole('verifier', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const open = req.query.open === 'true' ? true : req.query.open === 'false' ? false : null;
    const rows = await verifierQueue(db, actor.role === 'verifier' ? actor.institutionId : null, open);
    res.json({ items: rows.map(presentAssignment), nextCursor: null });
  });

  router.get('/verification/assignments/:id', requireRole('verifier', 'operator'), async (req, res) => {
    const view = await readableAssignment(res, String(req.params.id));
    const [sample, findings] = [await sampleOf(db, view.assignment.id), await findingsOf(db, view.assignment.id)];
    const checks = await checkFindingsOf(db, view.version);
    res.json({
      ...presentAssignment(view),
      sample: sample.map(presentSampledLoan),
      findings: findings.map(presentFinding),
      checks: checks.map(presentCheckFinding),
    });
  });

  router.get('/verification/assignments/:id/report', requireRole('verifier', 'operator', 'bank'), async (req, res) => {
    const { assignment: a } = await readableAssignment(res, String(req.params.id));
    if (!a.report) throw conflict('verdict_not_given', 'the verifier has not given a verdict yet');
    res.json({ report: a.report, reportSha256: a.reportSha256 });
  });

  router.post('/disclosures/:institutionCode/:quarter/findings', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(FindingsBody, req.body);
    const target = ref(req);
    const items = await perform(db, actingOf(deps, res), (ctx) => recordFindings(ctx, { ...target, findings: body.findings }));
    res.status(201).json({ items: items.map(presentFinding) });
  });

  router.post('/disclosures/:institutionCode/:quarter/findings/:findingId/supersede', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(SupersedeFindingBody, req.body);
    const target = ref(req);
    const findingId = String(req.params.findingId);
    if (!z.string().uuid().safeParse(findingId).success) throw notFound(`finding ${findingId}`);
    const done = await perform(db, actingOf(deps, res), (ctx) => correctFinding(ctx, { ...target, findingId, ...body }));
    res.status(201).json({ finding: presentFinding(done.finding), superseded: presentFinding(done.superseded) });
  });

  router.post('/disclosures/:institutionCode/:quarter/verdict', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(VerdictBody, req.body);
    const target = ref(req);
    const given = await perform(db, actingOf(deps, res), (ctx) =>
      giveVerdict(ctx, { ...target, verdict: body.verdict, summary: body.summary }),
    );
    void deps.services.jobs?.relayNow().catch(() => undefined);
    res.json(presentVersion((await versionView(db, given.version.id))!));
  });

  return router;
}
