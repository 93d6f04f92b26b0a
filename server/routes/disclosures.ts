/**
 * Disclosures: compile (operator, as jobs), read (public: published; a bank: its own; a verifier: its
 * assigned ones), and the workflow verbs submit (bank), assign (operator), publish (operator), and a
 * new version after a rejection (correction) or a publication (restatement). Illegal transitions
 * answer 409 `illegal_transition` with the current state.
 */
import { eq } from 'drizzle-orm';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { findLatestVersion, listVersions, versionsOf, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { applyVerb, publishVersion, requestNewVersion, requestQuarterCompile } from '../../db/repositories/disclosures-workflow.js';
import { writeOutbox } from '../../db/repositories/outbox.js';
import { assignVerifier, findAssignmentForVersion } from '../../db/repositories/verification.js';
import type { Tx } from '../../db/client.js';
import { institutions } from '../../db/schema/index.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { shanghaiDate } from '../../domain/dates.js';
import { parseYuan } from '../../domain/money.js';
import { policyOn } from '../../domain/policy/index.js';
import { jobIds } from '../../domain/job-ids.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { decodeCursor, encodeCursor, QuarterString } from '../../schemas/common.js';
import { CompileAccepted, CompileBody, Disclosure, DisclosurePage, ListDisclosuresQuery, NewVersionAccepted, VersionQuery } from '../../schemas/disclosures.js';
import { AssignBody } from '../../schemas/verification.js';
import { actorOf, requireRole } from '../auth.js';
import type { Actor, AppDeps } from '../context.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter';
describe({ method: 'post', path: '/api/v1/disclosures/compile', tag: 'disclosures', roles: ['operator'], summary: "Compile every supported bank's disclosure for a quarter (background jobs)", body: CompileBody, responses: { 202: CompileAccepted }, idempotent: true });
describe({ method: 'get', path: '/api/v1/disclosures', tag: 'disclosures', roles: [], summary: 'Disclosure versions: published for everyone; a bank also sees its own, a verifier its assigned ones', query: ListDisclosuresQuery, responses: { 200: DisclosurePage } });
describe({ method: 'get', path: Path, tag: 'disclosures', roles: [], summary: "A bank's disclosure for a quarter (latest version visible to the caller, or ?version=)", query: VersionQuery, responses: { 200: Disclosure } });
describe({ method: 'get', path: `${Path}/versions`, tag: 'disclosures', roles: [], summary: 'Every version of the disclosure visible to the caller', responses: { 200: z.object({ items: z.array(Disclosure), nextCursor: z.string().nullable() }) } });
describe({ method: 'post', path: `${Path}/submit`, tag: 'disclosures', roles: ['bank'], summary: 'The bank submits its compiled disclosure for verification', responses: { 200: Disclosure }, idempotent: true });
describe({ method: 'post', path: `${Path}/assign`, tag: 'disclosures', roles: ['operator'], summary: 'Assign a verifier (named, or by rule as a job)', body: AssignBody, responses: { 200: Disclosure, 202: z.object({ jobId: z.string(), follow: z.string() }) }, idempotent: true });
describe({ method: 'post', path: `${Path}/publish`, tag: 'disclosures', roles: ['operator'], summary: 'Publish a verified disclosure', responses: { 200: Disclosure }, idempotent: true });
describe({ method: 'post', path: `${Path}/versions`, tag: 'disclosures', roles: ['bank', 'operator'], summary: 'Compile a new version: a correction after rejection or a restatement after publication', responses: { 202: NewVersionAccepted }, idempotent: true });

type Visibility = Parameters<typeof listVersions>[1]['visibility'];

export function visibilityOf(actor: Actor | undefined): Visibility {
  if (!actor) return { kind: 'public' };
  if (actor.role === 'operator') return { kind: 'operator' };
  if (actor.role === 'bank') return { kind: 'bank', institutionId: actor.institutionId };
  return { kind: 'verifier', institutionId: actor.institutionId };
}

/** The JSON of one version (API.md shape), with its verification and any restatement after it. */
export async function presentVersion(db: Tx, row: DisclosureVersionRow, siblings?: DisclosureVersionRow[]) {
  const content = row.content as DisclosureContent;
  const assignment = await findAssignmentForVersion(db, row.id);
  let verification = null;
  if (assignment) {
    const [verifier] = await db.select().from(institutions).where(eqId(assignment.verifierId));
    verification = {
      verifier: verifier.code,
      verifierNameZh: verifier.nameZh,
      assignedAt: assignment.assignedAt.toISOString(),
      verdict: assignment.verdict,
      completedOn: assignment.completedOn,
      reportSha256: assignment.reportSha256,
    };
  }
  const all = siblings ?? (await versionsOf(db, row.institutionId, row.quarter));
  const restatedBy = all.find((v) => v.restatesVersionId === row.id)?.version ?? null;
  return {
    institution: content.institution,
    quarter: row.quarter,
    version: row.version,
    status: row.status,
    period: content.period,
    horizons: content.horizons,
    byArea: content.byArea,
    topProjects: content.topProjects,
    statement: content.statement,
    basis: content.basis,
    previousVersion: content.previousVersion,
    restatesVersion: content.restatesVersion,
    restatedBy,
    compiledAt: row.compiledAt.toISOString(),
    submittedAt: row.submittedAt?.toISOString() ?? null,
    publishedOn: row.publishedOn,
    verification,
    contentSha256: row.contentSha256,
  };
}

const eqId = (id: string) => eq(institutions.id, id);

const canSee = (vis: Visibility, row: DisclosureVersionRow, assignedVerifierId: string | null) =>
  row.status === 'published' ||
  vis.kind === 'operator' ||
  (vis.kind === 'bank' && row.institutionId === vis.institutionId) ||
  (vis.kind === 'verifier' && assignedVerifierId === vis.institutionId);

export const illegal = (r: { message: string; current: string }) => conflict('illegal_transition', r.message, { currentStatus: r.current });

export function disclosureRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const jobs = () => deps.services.jobs;
  const nudgeRelay = () => void jobs()?.relayNow().catch((err) => deps.logger.warn({ err: (err as Error).message }, 'relay nudge failed'));

  /** `q` is the caller's transaction when there is one: on PGlite a query beside an open transaction would wait for it forever. */
  const bankAndQuarter = async (code: string, quarterText: string, q: Tx = db) => {
    const quarter = parseOrThrow(QuarterString, quarterText, ['quarter']);
    const bank = await findInstitutionByCode(q, code);
    if (!bank || bank.kind !== 'bank') throw notFound(`bank ${code}`);
    return { bank, quarter };
  };
  /** The latest version, locked, for a workflow verb; a bank may act only on its own. */
  const latestForVerb = async (tx: Tx, res: Response, code: string, quarterText: string) => {
    const { bank, quarter } = await bankAndQuarter(code, quarterText, tx);
    const actor = actorOf(res);
    if (actor.role === 'bank' && actor.institutionId !== bank.id) throw notFound(`disclosure ${code} ${quarter}`);
    const latest = await findLatestVersion(tx, bank.id, quarter, { lock: true });
    if (!latest) throw notFound(`disclosure ${code} ${quarter}`);
    return { bank, quarter, latest, actor };
  };

  router.post('/disclosures/compile', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CompileBody, req.body);
    const today = shanghaiDate(deps.now());
    if (quarterPeriod(body.quarter).end >= today) throw conflict('quarter_not_ended', `${body.quarter} has not ended yet in Asia/Shanghai (today is ${today})`);
    const result = await db.transaction((tx) => requestQuarterCompile(tx, body.quarter));
    nudgeRelay();
    res.status(202).json({ quarter: body.quarter, jobId: result.jobId, new: result.new, banks: result.banks, follow: `/api/v1/disclosures?quarter=${body.quarter}` });
  });

  router.get('/disclosures', async (req, res) => {
    const query = parseOrThrow(ListDisclosuresQuery, req.query);
    const cursor = decodeCursor(query.cursor);
    const after = cursor && cursor.length === 3 ? (cursor as [string, string, number]) : null;
    if (query.cursor && !after) throw validationFailed([{ path: 'cursor', code: 'invalid_cursor', message: 'the cursor is not one this API gave' }]);
    const rows = await listVersions(db, { quarter: query.quarter, institutionCode: query.institution, visibility: visibilityOf(res.locals.actor) }, { limit: query.limit, after });
    const page = rows.slice(0, query.limit);
    const items = [];
    for (const r of page) items.push(await presentVersion(db, r.version));
    const last = page[page.length - 1];
    res.json({ items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.version.quarter, last.institution.code, last.version.version]) : null });
  });

  const visibleVersions = async (res: Response, code: string, quarterText: string) => {
    const { bank, quarter } = await bankAndQuarter(code, quarterText);
    const vis = visibilityOf(res.locals.actor);
    const all = await versionsOf(db, bank.id, quarter);
    const visible = [];
    for (const row of all) {
      const assignment = vis.kind === 'verifier' ? await findAssignmentForVersion(db, row.id) : null;
      if (canSee(vis, row, assignment?.verifierId ?? null)) visible.push(row);
    }
    return { all, visible, bank, quarter };
  };

  router.get('/disclosures/:institutionCode/:quarter', async (req, res) => {
    const query = parseOrThrow(VersionQuery, req.query);
    const { all, visible, bank, quarter } = await visibleVersions(res, String(req.params.institutionCode), String(req.params.quarter));
    const row = query.version ? visible.find((v) => v.version === query.version) : visible[visible.length - 1];
    if (!row) throw notFound(`disclosure ${bank.code} ${quarter}${query.version ? ` version ${query.version}` : ''}`);
    res.json(await presentVersion(db, row, all));
  });

  router.get('/disclosures/:institutionCode/:quarter/versions', async (req, res) => {
    const { all, visible } = await visibleVersions(res, String(req.params.institutionCode), String(req.params.quarter));
    const items = [];
    for (const row of visible) items.push(await presentVersion(db, row, all));
    res.json({ items, nextCursor: null });
  });

  router.post('/disclosures/:institutionCode/:quarter/submit', requireRole('bank'), async (req, res) => {
    const row = await db.transaction(async (tx) => {
      const { latest, actor } = await latestForVerb(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      const moved = await applyVerb(tx, latest, 'submit', { submittedAt: deps.now(), submittedBy: actor.userId });
      if (!moved.ok) throw illegal(moved);
      return moved.row;
    });
    res.json(await presentVersion(db, row));
  });

  router.post('/disclosures/:institutionCode/:quarter/assign', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(AssignBody, req.body);
    const materialityFen = body.materialityThreshold ? parseYuan(body.materialityThreshold)! : undefined;
    const outcome = await db.transaction(async (tx) => {
      const { latest, actor, bank } = await latestForVerb(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      if (latest.status !== 'submitted') throw illegal({ message: `cannot assign a disclosure that is ${latest.status}; assign needs submitted`, current: latest.status });
      const policy = policyOn(quarterPeriod(latest.quarter).end)!;
      if ('rule' in body) {
        const jobId = jobIds.assign(latest.id);
        await writeOutbox(tx, [
          { queue: 'assign', jobId, payload: { versionId: latest.id, rule: body.rule, assignedBy: actor.userId, seed: body.seed, materialityFen: materialityFen?.toString(), randomSampleSize: body.randomSampleSize } },
        ]);
        return { kind: 'job' as const, jobId };
      }
      const verifier = await findInstitutionByCode(tx, body.verifier);
      if (!verifier || verifier.kind !== 'verifier') throw validationFailed([{ path: 'verifier', code: 'not_a_verifier', message: `${body.verifier} is not a registered verifier` }]);
      const assigned = await assignVerifier(tx, latest, {
        verifierId: verifier.id,
        assignedBy: actor.userId,
        assignedHow: 'operator',
        seed: body.seed ?? latest.id,
        materialityFen: materialityFen ?? policy.verificationMaterialityFen,
        randomSampleSize: body.randomSampleSize ?? policy.verificationRandomSampleSize,
        now: deps.now(),
      });
      if (!assigned.ok) {
        if (assigned.status === 'illegal_transition') throw illegal({ message: assigned.message, current: assigned.current! });
        if (assigned.status === 'verifier_conflicted') throw conflict('verifier_conflicted', `${assigned.message} (${bank.code})`);
        throw validationFailed([{ path: 'verifier', code: assigned.status, message: assigned.message }]);
      }
      return { kind: 'done' as const };
    });
    nudgeRelay();
    if (outcome.kind === 'job') return void res.status(202).json({ jobId: outcome.jobId, follow: `/api/v1/disclosures/${req.params.institutionCode}/${req.params.quarter}` });
    const { visible, all } = await visibleVersions(res, String(req.params.institutionCode), String(req.params.quarter));
    res.json(await presentVersion(db, visible[visible.length - 1], all));
  });

  router.post('/disclosures/:institutionCode/:quarter/publish', requireRole('operator'), async (req, res) => {
    const row = await db.transaction(async (tx) => {
      const { latest } = await latestForVerb(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      if (latest.status === 'published') throw illegal({ message: 'the disclosure is already published; a change is a restatement (a new version)', current: latest.status });
      const published = await publishVersion(tx, latest, deps.now());
      if (!published.ok) throw illegal(published);
      return published.row;
    });
    nudgeRelay();
    res.json(await presentVersion(db, row));
  });

  router.post('/disclosures/:institutionCode/:quarter/versions', requireRole('bank', 'operator'), async (req, res) => {
    const outcome = await db.transaction(async (tx) => {
      const { latest, bank } = await latestForVerb(tx, res, String(req.params.institutionCode), String(req.params.quarter));
      const r = await requestNewVersion(tx, latest, bank.code);
      if (!r.ok) throw illegal(r);
      return r;
    });
    nudgeRelay();
    res.status(202).json({ jobId: outcome.jobId, version: outcome.version, kind: outcome.kind, follow: `/api/v1/disclosures/${req.params.institutionCode}/${req.params.quarter}?version=${outcome.version}` });
  });

  return router;
}
