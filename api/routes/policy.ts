/**
 * The effective-dated policy data: public views of the rules, the taxonomy and the LPR in force (the
 * built-in data merged with the changes operators confirmed), and the operators' changes to it, which
 * one operator proposes and another confirms or declines.
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { z } from 'zod';
import { confirmPolicyData, declinePolicyData, proposePolicyData } from '../../app/approvals/policy-changes.js';
import { refreshPolicyData } from '../../app/policy/policy-data.js';
import { findPolicyChange, listPolicyChanges } from '../../db/repositories/policy-changes.js';
import { shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent } from '../../domain/money.js';
import { CHECK_THRESHOLD_VERSIONS } from '../../domain/policy/check-thresholds.js';
import {
  AREA_NAMES,
  checkThresholdsVersionOn,
  lprFreshness,
  policyData,
  policyOn,
  taxonomyOn,
  type PolicyChangeData,
} from '../../domain/policy/index.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import {
  CheckThresholdsView,
  ConfirmPolicyChangeBody,
  DeclinePolicyChangeBody,
  LprView,
  OnDateQuery,
  PolicyAnswer,
  PolicyChangeBody,
  PolicyChangeListQuery,
  PolicyChangeView,
  TaxonomyView,
} from '../../schemas/policy.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, refused } from '../errors.js';
import { describe } from '../openapi.js';
import { presentLprFreshness, presentPolicy, presentPolicyChange } from '../presenters/policy.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

describe({
  method: 'get',
  path: '/api/v1/policy',
  operationId: 'getPolicy',
  errors: ['no_policy_in_force'],
  tag: 'policy',
  roles: [],
  summary: 'The facility policy in force on a date (default today, Asia/Shanghai), every version, and how old the LPR data is',
  query: OnDateQuery,
  responses: { 200: PolicyAnswer },
});
describe({
  method: 'get',
  path: '/api/v1/taxonomy',
  operationId: 'getTaxonomy',
  errors: ['no_taxonomy_in_force'],
  tag: 'policy',
  roles: [],
  summary: 'The supported-area taxonomy in force on a date',
  query: OnDateQuery,
  responses: { 200: TaxonomyView },
});
describe({
  method: 'get',
  path: '/api/v1/lpr',
  operationId: 'getLprFixings',
  tag: 'policy',
  roles: [],
  summary: 'Loan Prime Rate fixings (1-year and 5-year-plus) and how old they are',
  responses: { 200: LprView },
});
// the examples are the seeded thresholds themselves, and a later version for wind farms
const SEED_THRESHOLDS = CHECK_THRESHOLD_VERSIONS[0];
const WIND_THRESHOLDS = {
  ...SEED_THRESHOLDS,
  effectiveFrom: '2024-01-01',
  note: 'wind farms: 0.5–20 t per 万元',
  subAreaIntensity: [{ subArea: 'CE.WIND', minTonnesPerWanYuan: '0.5', maxTonnesPerWanYuan: '20' }],
};
describe({
  method: 'get',
  path: '/api/v1/policy/check-thresholds',
  operationId: 'getCheckThresholds',
  tag: 'policy',
  roles: [],
  summary:
    'The thresholds of the checks a disclosure passes before the bank submits it, in force on a date (default today), and every version of them',
  query: OnDateQuery,
  responses: { 200: CheckThresholdsView },
  examples: {
    responses: {
      200: [
        {
          summary: 'the first thresholds',
          value: { on: '2022-09-30', inForce: SEED_THRESHOLDS, versions: [SEED_THRESHOLDS, WIND_THRESHOLDS] },
        },
        {
          summary: 'a range for wind farms',
          value: { on: '2024-03-31', inForce: WIND_THRESHOLDS, versions: [SEED_THRESHOLDS, WIND_THRESHOLDS] },
        },
      ],
    },
  },
});
describe({
  method: 'post',
  path: '/api/v1/policy/changes',
  operationId: 'proposePolicyChange',
  errors: ['effective_date_taken', 'version_id_taken'],
  tag: 'policy',
  roles: ['operator'],
  summary:
    'Propose an LPR fixing (or a month unchanged), a policy version, a taxonomy version, the institution categories or the thresholds of the checks before signing; it takes effect once another operator confirms it',
  body: PolicyChangeBody,
  responses: { 201: PolicyChangeView },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/policy/changes',
  operationId: 'listPolicyChanges',
  tag: 'policy',
  roles: ['operator'],
  summary: 'Proposed, confirmed and declined changes to the policy data, newest first',
  query: PolicyChangeListQuery,
  responses: { 200: pageOf(PolicyChangeView) },
});
describe({
  method: 'get',
  path: '/api/v1/policy/changes/:id',
  operationId: 'getPolicyChange',
  tag: 'policy',
  roles: ['operator'],
  summary: 'One change to the policy data, with who proposed and decided it and why',
  responses: { 200: PolicyChangeView },
});
describe({
  method: 'post',
  path: '/api/v1/policy/changes/:id/confirm',
  operationId: 'confirmPolicyChange',
  errors: ['four_eyes_violation', 'proposal_not_pending'],
  tag: 'policy',
  roles: ['operator'],
  summary: 'Confirm a change proposed by another operator (four eyes): it takes effect at once',
  body: ConfirmPolicyChangeBody,
  responses: { 200: PolicyChangeView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/policy/changes/:id/decline',
  operationId: 'declinePolicyChange',
  errors: ['proposal_not_pending'],
  tag: 'policy',
  roles: ['operator'],
  summary: 'Decline (or, by its proposer, withdraw) a pending change, with a reason',
  body: DeclinePolicyChangeBody,
  responses: { 200: PolicyChangeView },
  idempotent: true,
});

const ChangeId = z.object({ id: z.string() });

/** The change a proposal states (its `reason` apart). */
function proposalOf(body: z.infer<typeof PolicyChangeBody>): { reason: string; data: PolicyChangeData } {
  const { reason, ...data } = body;
  return { reason, data: data as PolicyChangeData };
}

export function policyRoutes({ database, now, logger }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/policy', (req, res) => {
    const { on } = parseOrThrow(OnDateQuery, req.query);
    const today = shanghaiDate(now());
    const date = on ?? today;
    const data = policyData();
    const policy = policyOn(date, data.policyVersions);
    if (!policy)
      throw refused(
        'no_policy_in_force',
        `the facility had no policy in force on ${date} (it launched on ${data.policyVersions[0].effectiveFrom})`,
      );
    res.json({
      on: date,
      policy: presentPolicy(policy),
      versions: data.policyVersions.map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom, note: v.note })),
      lpr: presentLprFreshness(lprFreshness(today, data)),
    });
  });

  router.get('/taxonomy', (req, res) => {
    const { on } = parseOrThrow(OnDateQuery, req.query);
    const date = on ?? shanghaiDate(now());
    const data = policyData();
    const taxonomy = taxonomyOn(date, data.taxonomyVersions);
    if (!taxonomy) throw refused('no_taxonomy_in_force', `no taxonomy was in force on ${date}`);
    res.json({
      on: date,
      version: taxonomy.version,
      effectiveFrom: taxonomy.effectiveFrom,
      subAreas: taxonomy.subAreas.map((s) => ({ ...s, areaZh: AREA_NAMES[s.area].zh, areaEn: AREA_NAMES[s.area].en })),
      versions: data.taxonomyVersions.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom })),
    });
  });

  router.get('/policy/check-thresholds', (req, res) => {
    const { on } = parseOrThrow(OnDateQuery, req.query);
    const date = on ?? shanghaiDate(now());
    const versions = policyData().checkThresholdVersions;
    res.json({ on: date, inForce: checkThresholdsVersionOn(date, versions), versions });
  });

  router.get('/lpr', (_req, res) => {
    const data = policyData();
    res.json({
      confirmedThrough: data.lprConfirmedThrough,
      freshness: presentLprFreshness(lprFreshness(shanghaiDate(now()), data)),
      fixings: data.lprFixings.map((f) => ({
        fixedOn: f.fixedOn,
        oneYearPercent: formatPpmAsPercent(f.oneYearPpm),
        fiveYearPlusPercent: formatPpmAsPercent(f.fiveYearPlusPpm),
      })),
    });
  });

  router.post('/policy/changes', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const proposal = proposalOf(parseOrThrow(PolicyChangeBody, req.body));
    const row = await perform(db, { now: now(), actor }, (ctx) => proposePolicyData(ctx, proposal));
    res.status(201).json(presentPolicyChange((await findPolicyChange(db, row.id))!));
  });

  router.get('/policy/changes', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(PolicyChangeListQuery, req.query);
    const cursor = cursorOrThrow(z.tuple([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]), q.cursor);
    const rows = await listPolicyChanges(db, {
      status: q.status,
      kind: q.kind,
      beforeSeq: cursor ? cursor[0] : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({ items: page.map(presentPolicyChange), nextCursor: rows.length > q.limit && last ? encodeCursor([last.change.seq]) : null });
  });

  router.get('/policy/changes/:id', requireRole('operator'), async (req, res) => {
    const { id } = parseOrThrow(ChangeId, req.params);
    const row = await findPolicyChange(db, id);
    if (!row) throw notFound(`policy change ${id}`);
    res.json(presentPolicyChange(row));
  });

  router.post('/policy/changes/:id/confirm', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ChangeId, req.params);
    const body = parseOrThrow(ConfirmPolicyChangeBody, req.body ?? {});
    await perform(db, { now: now(), actor }, (ctx) => confirmPolicyData(ctx, { id, comment: body.comment }));
    // in force in this process at once; other processes within their refresh interval (so does this
    // one, should this read fail: the confirmation is committed either way)
    await refreshPolicyData(db).catch((err) => logger.warn({ err }, 'policy data refresh after a confirmation failed'));
    res.json(presentPolicyChange((await findPolicyChange(db, id))!));
  });

  router.post('/policy/changes/:id/decline', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ChangeId, req.params);
    const body = parseOrThrow(DeclinePolicyChangeBody, req.body);
    await perform(db, { now: now(), actor }, (ctx) => declinePolicyData(ctx, { id, reason: body.reason }));
    res.json(presentPolicyChange((await findPolicyChange(db, id))!));
  });

  return router;
}
