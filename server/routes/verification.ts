/**
 * Verification: the operator registers conflicts between verifiers and banks; a verifier sees only its
 * own assignments (its work queue), each with its frozen sample, records findings on sampled loans,
 * and gives a verdict, which stores the report (and its SHA-256) with the version it judged.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { findLatestVersion, findVersionById } from '../../db/repositories/disclosures.js';
import { addFindings, assignmentsOfVerifier, declareConflict, findAssignment, findAssignmentForVersion, findingsOf, giveVerdict, sampleOf, type AssignmentRow } from '../../db/repositories/verification.js';
import type { Tx } from '../../db/client.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { formatYuan } from '../../domain/money.js';
import { QuarterString } from '../../schemas/common.js';
import { Disclosure } from '../../schemas/disclosures.js';
import { Assignment, DeclareConflictBody, FindingsBody, SampledLoan, VerdictBody } from '../../schemas/verification.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';
import { illegal, presentVersion } from './disclosures.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter';
const Finding = z.object({ id: z.string(), loanId: z.string(), check: z.string(), outcome: z.enum(['pass', 'fail']), note: z.string().nullable(), createdAt: z.string() });
const AssignmentDetail = Assignment.extend({ sample: z.array(SampledLoan), findings: z.array(Finding) });
describe({ method: 'post', path: '/api/v1/verifiers/:code/conflicts', tag: 'verification', roles: ['operator'], summary: 'Declare a verifier conflicted with a bank (it will never be assigned to it)', body: DeclareConflictBody, responses: { 201: z.object({ verifier: z.string(), bank: z.string(), reason: z.string() }) }, idempotent: true });
describe({ method: 'get', path: '/api/v1/verification/assignments', tag: 'verification', roles: ['verifier', 'operator'], summary: "A verifier's work queue (operator: every assignment); ?open=true|false", responses: { 200: z.object({ items: z.array(Assignment), nextCursor: z.string().nullable() }) } });
describe({ method: 'get', path: '/api/v1/verification/assignments/:id', tag: 'verification', roles: ['verifier', 'operator'], summary: 'One assignment with its sample (loan snapshots) and findings', responses: { 200: AssignmentDetail } });
describe({ method: 'get', path: '/api/v1/verification/assignments/:id/report', tag: 'verification', roles: ['verifier', 'operator', 'bank'], summary: 'The verification report kept with the version it judged, and its SHA-256', responses: { 200: z.object({ report: z.unknown(), reportSha256: z.string() }) } });
describe({ method: 'post', path: `${Path}/findings`, tag: 'verification', roles: ['verifier'], summary: 'Record checks on sampled loans (assigned verifier)', body: FindingsBody, responses: { 201: z.object({ items: z.array(Finding) }) }, idempotent: true });
describe({ method: 'post', path: `${Path}/verdict`, tag: 'verification', roles: ['verifier'], summary: 'Give the verdict (assigned verifier); verified leads to publication', body: VerdictBody, responses: { 200: Disclosure }, idempotent: true });

export function verificationRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const jobs = () => deps.services.jobs;

  const presentAssignment = async (tx: Tx, a: AssignmentRow) => {
    const version = (await findVersionById(tx, a.disclosureVersionId))!;
    const [bank, verifier] = await Promise.all([
      tx.query.institutions.findFirst({ where: (i, { eq }) => eq(i.id, version.institutionId) }),
      tx.query.institutions.findFirst({ where: (i, { eq }) => eq(i.id, a.verifierId) }),
    ]);
    return {
      id: a.id,
      disclosure: { institution: bank!.code, quarter: version.quarter, version: version.version, contentSha256: version.contentSha256 },
      verifier: verifier!.code,
      assignedHow: a.assignedHow,
      assignedAt: a.assignedAt.toISOString(),
      sampling: { seed: a.seed, materialityThreshold: formatYuan(a.materialityFen), randomSampleSize: a.randomSampleSize },
      verdict: a.verdict,
      summary: a.summary,
      completedOn: a.completedOn,
      reportSha256: a.reportSha256,
    };
  };
  const ownAssignment = async (res: Response, id: string) => {
    const actor = actorOf(res);
    const a = z.string().uuid().safeParse(id).success ? await findAssignment(db, id) : null;
    if (!a) throw notFound(`assignment ${id}`);
    if (actor.role === 'verifier' && a.verifierId !== actor.institutionId) throw notFound(`assignment ${id}`);
    if (actor.role === 'bank') {
      const version = await findVersionById(db, a.disclosureVersionId);
      if (version?.institutionId !== actor.institutionId) throw notFound(`assignment ${id}`);
    }
    return a;
  };

  router.post('/verifiers/:code/conflicts', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(DeclareConflictBody, req.body);
    const verifier = await findInstitutionByCode(db, String(req.params.code));
    if (!verifier || verifier.kind !== 'verifier') throw notFound(`verifier ${req.params.code}`);
    const bank = await findInstitutionByCode(db, body.bank);
    if (!bank || bank.kind !== 'bank') throw validationFailed([{ path: 'bank', code: 'unknown_bank', message: `${body.bank} is not a bank` }]);
    await declareConflict(db, { verifierId: verifier.id, bankId: bank.id, reason: body.reason, createdBy: actorOf(res).userId });
    res.status(201).json({ verifier: verifier.code, bank: bank.code, reason: body.reason });
  });

  router.get('/verifiers/:code/conflicts', requireRole('operator'), async (req, res) => {
    const verifier = await findInstitutionByCode(db, String(req.params.code));
    if (!verifier || verifier.kind !== 'verifier') throw notFound(`verifier ${req.params.code}`);
    const rows = await db.query.verifierConflicts.findMany({ where: (c, { eq }) => eq(c.verifierId, verifier.id) });
    const items = [];
    for (const r of rows) items.push({ bank: (await db.query.institutions.findFirst({ where: (i, { eq }) => eq(i.id, r.bankId) }))!.code, reason: r.reason });
    res.json({ items, nextCursor: null });
  });

  router.get('/verification/assignments', requireRole('verifier', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const open = req.query.open === 'true' ? true : req.query.open === 'false' ? false : null;
    const rows = await assignmentsOfVerifier(db, actor.role === 'verifier' ? actor.institutionId : null, open);
    const items = [];
    for (const r of rows) items.push(await presentAssignment(db, r.assignment));
    res.json({ items, nextCursor: null });
  });

  router.get('/verification/assignments/:id', requireRole('verifier', 'operator'), async (req, res) => {
    const a = await ownAssignment(res, String(req.params.id));
    const [sample, findings] = [await sampleOf(db, a.id), await findingsOf(db, a.id)];
    res.json({
      ...(await presentAssignment(db, a)),
      sample: sample.map((s) => ({ ordinal: s.ordinal, loanId: s.loanId, reason: s.reason, snapshot: s.snapshot })),
      findings: findings.map((f) => ({ id: f.id, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note, createdAt: f.createdAt.toISOString() })),
    });
  });

  router.get('/verification/assignments/:id/report', requireRole('verifier', 'operator', 'bank'), async (req, res) => {
    const a = await ownAssignment(res, String(req.params.id));
    if (!a.report) throw conflict('verdict_not_given', 'the verifier has not given a verdict yet');
    res.json({ report: a.report, reportSha256: a.reportSha256 });
  });

  /** The latest version of the disclosure, which must be under verification by this verifier. */
  const assignedVersion = async (tx: Tx, res: Response, code: string, quarterText: string) => {
    const quarter = parseOrThrow(QuarterString, quarterText, ['quarter']);
    const actor = actorOf(res);
    const bank = await findInstitutionByCode(tx, code);
    if (!bank || bank.kind !== 'bank') throw notFound(`bank ${code}`);
    const latest = await findLatestVersion(tx, bank.id, quarter, { lock: true });
    const assignment = latest ? await findAssignmentForVersion(tx, latest.id) : null;
    // a verifier sees only its assignments: anything else does not exist for it
    if (!latest || !assignment || assignment.verifierId !== actor.institutionId) throw notFound(`assignment for ${code} ${quarter}`);
    if (latest.status !== 'under_verification') throw illegal({ message: `the disclosure is ${latest.status}; findings and verdicts need under_verification`, current: latest.status });
    return { latest, assignment, actor };
  };

  router.post('/disclosures/:institutionCode/:quarter/findings', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(FindingsBody, req.body);
    const items = await db.transaction(async (tx) => {
      const { assignment, actor } = await assignedVersion(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      const sampled = new Set((await sampleOf(tx, assignment.id)).map((s) => s.loanId));
      const outside = body.findings.flatMap((f, i) => (sampled.has(f.loanId) ? [] : [{ path: `findings.${i}.loanId`, code: 'loan_not_in_sample', message: 'findings are recorded on sampled loans only' }]));
      if (outside.length) throw validationFailed(outside);
      return addFindings(tx, assignment.id, actor.userId, body.findings);
    });
    res.status(201).json({ items: items.map((f) => ({ id: f.id, loanId: f.loanId, check: f.check, outcome: f.outcome, note: f.note, createdAt: f.createdAt.toISOString() })) });
  });

  router.post('/disclosures/:institutionCode/:quarter/verdict', requireRole('verifier'), async (req, res) => {
    const body = parseOrThrow(VerdictBody, req.body);
    const row = await db.transaction(async (tx) => {
      const { latest, assignment } = await assignedVersion(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      const given = await giveVerdict(tx, latest, assignment, { verdict: body.verdict, summary: body.summary, now: deps.now() });
      if (!given.ok) {
        if (given.status === 'illegal_transition') throw illegal(given as { message: string; current: string });
        throw validationFailed([{ path: given.path ?? 'verdict', code: given.status, message: given.message ?? given.status }]);
      }
      return given.version;
    });
    void jobs()?.relayNow().catch(() => undefined);
    res.json(await presentVersion(db, row));
  });

  return router;
}
