/**
 * The checks a bank's disclosure passes before it is submitted: the findings of its latest version
 * (the bank its own, operators every bank's) and the bank confirming a quality finding with a reason.
 */
import { Router } from 'express';
import { perform } from '../../app/perform.js';
import { confirmFinding, disclosureChecks } from '../../app/disclosures/checks.js';
import { ConfirmFindingBody, DisclosureChecksView } from '../../schemas/statistics.js';
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
    'The checks of the latest version before submission: validity findings stop it; quality findings must each be confirmed with a reason',
  responses: { 200: DisclosureChecksView },
});
describe({
  method: 'post',
  operationId: 'confirmDisclosureCheck',
  path: `${Path}/confirm`,
  errors: ['illegal_transition', 'disclosure_checks_failed'],
  tag: 'disclosures',
  roles: ['bank'],
  summary: 'The bank confirms one quality finding of its latest (compiled) version with a reason',
  body: ConfirmFindingBody,
  responses: { 200: DisclosureChecksView },
});

type Checks = Awaited<ReturnType<typeof disclosureChecks>>;
const present = (c: Checks) => ({
  ...c,
  findings: c.findings.map((f) => ({
    ...f,
    confirmation: f.confirmation ? { reason: f.confirmation.reason, at: f.confirmation.at.toISOString() } : null,
  })),
});

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

  return router;
}
