/** Read-only, public views of the effective-dated policy data: the rules, the taxonomy, the LPR. */
import { Router } from 'express';
import { shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent } from '../../domain/money.js';
import { AREA_NAMES, LPR_CONFIRMED_THROUGH, LPR_FIXINGS, POLICY_VERSIONS, policyOn, taxonomyOn, TAXONOMY_VERSIONS } from '../../domain/policy/index.js';
import { LprView, OnDateQuery, PolicyView, TaxonomyView } from '../../schemas/policy.js';
import { presentPolicy } from '../presenters/policy.js';
import { describe } from '../openapi.js';
import { z as zod } from 'zod';
import type { AppDeps } from '../context.js';
import { refused } from '../errors.js';
import { parseOrThrow } from '../validate.js';

describe({ method: 'get', path: '/api/v1/policy', tag: 'policy', roles: [], summary: 'The facility policy in force on a date (default today, Asia/Shanghai)', query: OnDateQuery, responses: { 200: zod.object({ on: zod.string(), policy: PolicyView }) } });
describe({ method: 'get', path: '/api/v1/taxonomy', tag: 'policy', roles: [], summary: 'The supported-area taxonomy in force on a date', query: OnDateQuery, responses: { 200: TaxonomyView } });
describe({ method: 'get', path: '/api/v1/lpr', tag: 'policy', roles: [], summary: 'Loan Prime Rate fixings (1-year and 5-year-plus)', responses: { 200: LprView } });

export function policyRoutes({ now }: AppDeps): Router {
  const router = Router();

  router.get('/policy', (req, res) => {
    const { on } = parseOrThrow(OnDateQuery, req.query);
    const date = on ?? shanghaiDate(now());
    const policy = policyOn(date);
    if (!policy) throw refused('no_policy_in_force', `the facility had no policy in force on ${date} (it launched on ${POLICY_VERSIONS[0].effectiveFrom})`);
    res.json({ on: date, policy: presentPolicy(policy), versions: POLICY_VERSIONS.map((v) => ({ id: v.id, effectiveFrom: v.effectiveFrom, note: v.note })) });
  });

  router.get('/taxonomy', (req, res) => {
    const { on } = parseOrThrow(OnDateQuery, req.query);
    const date = on ?? shanghaiDate(now());
    const taxonomy = taxonomyOn(date);
    if (!taxonomy) throw refused('no_taxonomy_in_force', `no taxonomy was in force on ${date}`);
    res.json({
      on: date,
      version: taxonomy.version,
      effectiveFrom: taxonomy.effectiveFrom,
      subAreas: taxonomy.subAreas.map((s) => ({ ...s, areaZh: AREA_NAMES[s.area].zh, areaEn: AREA_NAMES[s.area].en })),
      versions: TAXONOMY_VERSIONS.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom })),
    });
  });

  router.get('/lpr', (_req, res) => {
    res.json({
      confirmedThrough: LPR_CONFIRMED_THROUGH,
      fixings: LPR_FIXINGS.map((f) => ({ fixedOn: f.fixedOn, oneYearPercent: formatPpmAsPercent(f.oneYearPpm), fiveYearPlusPercent: formatPpmAsPercent(f.fiveYearPlusPpm) })),
    });
  });

  return router;
}
