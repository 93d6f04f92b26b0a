/** Institutions (banks, verifiers) and their users' API keys. Operator only, except `GET /me`. */
import { perform } from '../../app/perform.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { hashPassword } from '../../platform/passwords.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { answerProposal } from './approvals.js';
import { Router } from 'express';
import { addUser } from '../../app/institutions/add-user.js';
import { registerInstitution } from '../../app/institutions/register-institution.js';
import { updateInstitution } from '../../app/institutions/update-institution.js';
import { CursorPart, encodeCursor, PageQuery } from '../../schemas/common.js';
import { findInstitutionByCode, listInstitutions } from '../../db/repositories/institutions.js';
import {
  CreateInstitutionBody,
  CreateUserBody,
  Institution,
  MigrationModeBody,
  UpdateInstitutionBody,
  UserWithKey,
} from '../../schemas/institutions.js';
import { describe } from '../openapi.js';
import { z } from 'zod';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { presentInstitution as present } from '../presenters/institutions.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

const InstitutionListQuery = PageQuery.extend({ kind: z.enum(['operator', 'bank', 'verifier']).optional() }).strict();

describe({
  method: 'get',
  path: '/api/v1/me',
  operationId: 'getMe',
  tag: 'institutions',
  roles: ['operator', 'bank', 'verifier'],
  summary: 'Who the API key belongs to',
  responses: {
    200: z.object({
      user: z.object({ id: z.string(), name: z.string(), role: z.string(), admin: z.boolean() }),
      institution: Institution,
      key: z
        .object({ id: z.string().uuid(), readOnly: z.boolean() })
        .describe('the API key this request came with: revoke or rotate it at /api/v1/keys/{id}/…'),
    }),
  },
});
describe({
  method: 'post',
  path: '/api/v1/institutions',
  operationId: 'registerInstitution',
  errors: ['institution_code_taken'],
  tag: 'institutions',
  roles: ['operator'],
  summary: 'Register a bank or verifier; answers its first API key once',
  body: CreateInstitutionBody,
  responses: { 201: Institution.extend({ apiKey: z.string() }) },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/institutions',
  operationId: 'listInstitutions',
  tag: 'institutions',
  roles: ['operator'],
  summary: 'All institutions, by code',
  query: PageQuery.extend({ kind: z.enum(['operator', 'bank', 'verifier']).optional() }),
  responses: { 200: z.object({ items: z.array(Institution), nextCursor: z.string().nullable() }) },
});
describe({
  method: 'get',
  path: '/api/v1/institutions/:code',
  operationId: 'getInstitution',
  tag: 'institutions',
  roles: ['operator'],
  summary: 'One institution',
  responses: { 200: Institution },
});
describe({
  method: 'post',
  path: '/api/v1/institutions/:code/users',
  operationId: 'addInstitutionUser',
  tag: 'institutions',
  roles: ['operator', 'bank', 'verifier'],
  summary:
    'Another user (and API key, shown once) of an institution: by an operator, or an admin of the bank or verifier for its own. A central-bank operator takes four eyes (202 with the pending approval; the key is answered once by the confirmation), except the second one while the central bank has fewer than two active operators (201)',
  body: CreateUserBody,
  responses: { 201: UserWithKey, 202: ApprovalView },
  idempotent: true,
});

describe({
  method: 'patch',
  path: '/api/v1/institutions/:code',
  tag: 'institutions',
  roles: ['operator'],
  operationId: 'updateInstitution',
  summary: "Change an institution's names or its eligibility window",
  body: UpdateInstitutionBody,
  responses: { 200: Institution },
  examples: { request: [{ summary: 'end the eligibility window', value: { eligibleUntil: '2027-12-31' } }] },
});
describe({
  method: 'put',
  path: '/api/v1/institutions/:code/migration-mode',
  operationId: 'setMigrationMode',
  tag: 'institutions',
  roles: ['operator'],
  summary:
    "Propose starting or ending a bank's migration mode (it may then date its own bookings before today), with a reason (four eyes: in force when another operator confirms it)",
  body: MigrationModeBody,
  responses: { 202: ApprovalView },
  idempotent: true,
});

export function institutionRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/me', async (_req, res) => {
    const actor = actorOf(res);
    const institution = await findInstitutionByCode(db, actor.institutionCode);
    res.json({
      user: { id: actor.userId, name: actor.userName, role: actor.role, admin: actor.isAdmin === true },
      institution: institution && present(institution),
      key: actor.keyId ? { id: actor.keyId, readOnly: actor.readOnly === true } : null,
    });
  });

  router.post('/institutions', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const body = parseOrThrow(CreateInstitutionBody, req.body);
    const created = await perform(db, { now: now(), actor }, (ctx) => registerInstitution(ctx, body));
    res
      .status(201)
      .json({ ...present(created.institution), apiKey: created.user.apiKey, user: { id: created.user.id, name: created.user.name } });
  });

  router.get('/institutions', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(InstitutionListQuery, req.query);
    const after = cursorOrThrow(z.tuple([CursorPart.code]), q.cursor)?.[0];
    const rows = await listInstitutions(db, { kind: q.kind, afterCode: after, limit: q.limit });
    const page = rows.slice(0, q.limit);
    res.json({ items: page.map(present), nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].code]) : null });
  });

  router.get('/institutions/:code', requireRole('operator'), async (req, res) => {
    const row = await findInstitutionByCode(db, String(req.params.code));
    if (!row) throw notFound(`institution ${req.params.code}`);
    res.json(present(row));
  });

  /** Another user (and API key) for an institution, e.g. the second operator that books disbursements. */
  router.post('/institutions/:code/users', async (req, res) => {
    const actor = actorOf(res);
    const body = parseOrThrow(CreateUserBody, req.body);
    const code = String(req.params.code);
    const institution = await findInstitutionByCode(db, code);
    if (institution?.kind === 'operator' && actor.role === 'operator') {
      // a central-bank operator takes four eyes (but the second one, while there is no second to confirm)
      const input = { name: body.name, ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}) };
      const proposed = await perform(db, { now: now(), actor }, (ctx) => proposeAct(ctx, 'add_operator', input));
      if (proposed.performed) res.status(201).json(proposed.value);
      else await answerProposal({ database, now }, res, proposed.approval.id);
      return;
    }
    const user = await perform(db, { now: now(), actor }, (ctx) =>
      addUser(ctx, { institutionCode: code, name: body.name, password: body.password, admin: body.admin }),
    );
    res.status(201).json(user);
  });

  router.patch('/institutions/:code', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(UpdateInstitutionBody, req.body);
    const actor = actorOf(res);
    const input = { code: String(req.params.code), change: body };
    const eligibility = [body.eligibleFrom, body.eligibleUntil, body.category, body.categoryException];
    if (eligibility.some((v) => v !== undefined)) {
      // eligibility decides who may draw on the facility: four eyes
      const proposed = await perform(db, { now: now(), actor }, (ctx) => proposeAct(ctx, 'update_institution_eligibility', input));
      if (proposed.performed) throw new Error('an eligibility change always takes four eyes');
      await answerProposal({ database, now }, res, proposed.approval.id);
      return;
    }
    const row = await perform(db, { now: now(), actor }, (ctx) => updateInstitution(ctx, input));
    res.json(present(row));
  });

  router.put('/institutions/:code/migration-mode', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(MigrationModeBody, req.body);
    const actor = actorOf(res);
    const input = { code: String(req.params.code), ...body };
    const proposed = await perform(db, { now: now(), actor }, (ctx) =>
      proposeAct(ctx, 'set_migration_mode', input, { reason: body.reason }),
    );
    if (proposed.performed) throw new Error('migration mode always takes four eyes');
    await answerProposal({ database, now }, res, proposed.approval.id);
  });

  return router;
}
