/**
 * The checks a bank's disclosure passes before it is submitted: the findings of its latest version
 * (the bank its own, operators every bank's) and the bank confirming a quality finding with a reason.
 */
import { Router } from 'express';
import { perform } from '../../app/perform.js';
import { checksOfQuarter, confirmFinding, disclosureChecks } from '../../app/disclosures/checks.js';
import type { CheckedFinding } from '../../app/disclosures/check-findings.js';
import { ConfirmFindingBody, DisclosureChecksView, QuarterChecksQuery, QuarterChecksView } from '../../schemas/statistics.js';
import type { AppDeps } from '../../process/context.js';
import { actingOf, requireRole } from '../auth.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';
import { disclosureRef } from './disclosure-ref.js';

const Path = '/api/v1/disclosures/:institutionCode/:quarter/checks';

describe({
  method: 'get',
  operationId: 'getDisclosureChecks',
  path: Path,
  tag: 'disclosures',
  roles: ['bank', 'operator'],
  summary:
    'The checks of the latest version before submission: validity findings stop it; quality and macro findings must each be confirmed with a reason',
  responses: { 200: DisclosureChecksView },
});
describe({
  method: 'post',
  operationId: 'confirmDisclosureCheck',
  path: `${Path}/confirm`,
  errors: ['illegal_transition', 'disclosure_checks_failed'],
  tag: 'disclosures',
  roles: ['bank'],
  summary: 'The bank confirms one quality or macro finding of its latest (compiled) version with a reason',
  body: ConfirmFindingBody,
  responses: { 200: DisclosureChecksView },
});

const EXAMPLE_FINDINGS = [
  {
    kind: 'quality',
    check: 'reduction_intensity',
    subject: 'loan:ICBC-2022-0815',
    message: 'loan ICBC-2022-0815 attributes 120.00 t per 万元 of principal, above the range 0.00–100.00 t',
    confirmation: { reason: 'energy-performance study of 2022-06 attached to the project', at: '2022-10-12T03:15:00.000Z' },
  },
  {
    kind: 'macro',
    check: 'area_share',
    subject: 'area:clean_energy',
    message: "area clean_energy holds 72.50 % of the attributed reduction of the bank's book, above 60.00 %",
    confirmation: null,
  },
];

describe({
  method: 'get',
  operationId: 'listDisclosureChecks',
  path: '/api/v1/disclosure-checks',
  tag: 'disclosures',
  roles: ['operator'],
  summary:
    "Every bank's latest version of a quarter with the findings of its checks and the bank's reasons (?open=true: only those not settled)",
  query: QuarterChecksQuery,
  responses: { 200: QuarterChecksView },
  examples: {
    responses: {
      200: [
        {
          summary: 'one bank with a finding to confirm',
          value: {
            quarter: '2022Q3',
            disclosures: [
              {
                institution: { code: 'ICBC', nameZh: '中国工商银行', nameEn: 'Industrial and Commercial Bank of China' },
                version: 1,
                status: 'compiled',
                submittable: false,
                findings: EXAMPLE_FINDINGS,
              },
            ],
          },
        },
      ],
    },
  },
});

/** A finding as the API shows it (the confirmation's time as ISO text). */
export const presentCheckFinding = (f: CheckedFinding) => ({
  ...f,
  confirmation: f.confirmation ? { reason: f.confirmation.reason, at: f.confirmation.at.toISOString() } : null,
});

const present = <T extends { findings: CheckedFinding[] }>(c: T) => ({ ...c, findings: c.findings.map(presentCheckFinding) });

export function disclosureCheckRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();

  router.get('/disclosures/:institutionCode/:quarter/checks', requireRole('bank', 'operator'), async (req, res) => {
    const target = disclosureRef(req);
    res.json(present(await perform(db, actingOf(deps, res), (ctx) => disclosureChecks(ctx, target))));
  });

  router.post('/disclosures/:institutionCode/:quarter/checks/confirm', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(ConfirmFindingBody, req.body);
    const target = disclosureRef(req);
    res.json(present(await perform(db, actingOf(deps, res), (ctx) => confirmFinding(ctx, { ...target, ...body }))));
  });

  router.get('/disclosure-checks', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(QuarterChecksQuery, req.query);
    const checks = await perform(db, actingOf(deps, res), (ctx) => checksOfQuarter(ctx, { quarter: q.quarter, open: q.open === 'true' }));
    res.json({ ...checks, disclosures: checks.disclosures.map(present) });
  });

  return router;
}
