/** Institutions (banks, verifiers) and their users' API keys. Operator only, except `GET /me`. */
import { Router } from 'express';
import { and, asc, eq, gt } from 'drizzle-orm';
import { decodeCursor, encodeCursor, PageQuery } from '../../schemas/common.js';
import { findInstitutionByCode, insertInstitution, insertUser } from '../../db/repositories/institutions.js';
import { institutions } from '../../db/schema/index.js';
import { CreateInstitutionBody, CreateUserBody, Institution, UserWithKey } from '../../schemas/institutions.js';
import { describe } from '../openapi.js';
import { z } from 'zod';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { parseOrThrow } from '../validate.js';

const InstitutionListQuery = PageQuery.extend({ kind: z.enum(['operator', 'bank', 'verifier']).optional() }).strict();

const present = (row: typeof institutions.$inferSelect) => ({
  id: row.id,
  code: row.code,
  nameZh: row.nameZh,
  nameEn: row.nameEn,
  kind: row.kind,
  eligibleFrom: row.eligibleFrom,
  eligibleUntil: row.eligibleUntil,
});

describe({ method: 'get', path: '/api/v1/me', tag: 'institutions', roles: ['operator', 'bank', 'verifier'], summary: 'Who the API key belongs to', responses: { 200: z.object({ user: z.object({ id: z.string(), name: z.string(), role: z.string() }), institution: Institution }) } });
describe({ method: 'post', path: '/api/v1/institutions', tag: 'institutions', roles: ['operator'], summary: 'Register a bank or verifier; answers its first API key once', body: CreateInstitutionBody, responses: { 201: Institution.extend({ apiKey: z.string() }) }, idempotent: true });
describe({ method: 'get', path: '/api/v1/institutions', tag: 'institutions', roles: ['operator'], summary: 'All institutions, by code', query: PageQuery.extend({ kind: z.enum(['operator', 'bank', 'verifier']).optional() }), responses: { 200: z.object({ items: z.array(Institution), nextCursor: z.string().nullable() }) } });
describe({ method: 'get', path: '/api/v1/institutions/:code', tag: 'institutions', roles: ['operator'], summary: 'One institution', responses: { 200: Institution } });
describe({ method: 'post', path: '/api/v1/institutions/:code/users', tag: 'institutions', roles: ['operator'], summary: 'Another user (and API key) of an institution', body: CreateUserBody, responses: { 201: UserWithKey }, idempotent: true });

export function institutionRoutes({ database }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/me', async (_req, res) => {
    const actor = actorOf(res);
    const institution = await findInstitutionByCode(db, actor.institutionCode);
    res.json({ user: { id: actor.userId, name: actor.userName, role: actor.role }, institution: institution && present(institution) });
  });

  router.post('/institutions', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CreateInstitutionBody, req.body);
    if (body.eligibleFrom && body.eligibleUntil && body.eligibleUntil < body.eligibleFrom) {
      throw validationFailed([{ path: 'eligibleUntil', code: 'dates_incoherent', message: 'eligibleUntil must not be before eligibleFrom' }]);
    }
    const created = await db.transaction(async (tx) => {
      const row = await insertInstitution(tx, { ...body, kind: body.kind });
      if (!row) return null;
      const user = await insertUser(tx, { institutionId: row.id, name: body.userName ?? `${body.code} API`, role: body.kind });
      return { row, user };
    });
    if (!created) throw conflict('institution_code_taken', `an institution with code ${body.code} already exists`);
    res.status(201).json({ ...present(created.row), apiKey: created.user.apiKey, user: { id: created.user.id, name: created.user.name } });
  });

  router.get('/institutions', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(InstitutionListQuery, req.query);
    const after = decodeCursor(q.cursor)?.[0];
    const conditions = [q.kind ? eq(institutions.kind, q.kind) : undefined, typeof after === 'string' ? gt(institutions.code, after) : undefined].filter((c) => c !== undefined);
    const rows = await db
      .select()
      .from(institutions)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(asc(institutions.code))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    res.json({ items: page.map(present), nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].code]) : null });
  });

  router.get('/institutions/:code', requireRole('operator'), async (req, res) => {
    const row = await findInstitutionByCode(db, String(req.params.code));
    if (!row) throw notFound(`institution ${req.params.code}`);
    res.json(present(row));
  });

  /** Another user (and API key) for an institution, e.g. the second operator that books disbursements. */
  router.post('/institutions/:code/users', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CreateUserBody, req.body);
    const institution = await findInstitutionByCode(db, String(req.params.code));
    if (!institution) throw notFound(`institution ${req.params.code}`);
    const user = await insertUser(db, { institutionId: institution.id, name: body.name, role: institution.kind, password: body.password });
    res.status(201).json(user);
  });

  router.patch('/institutions/:code', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CreateInstitutionBody.pick({ eligibleFrom: true, eligibleUntil: true, nameZh: true, nameEn: true }).partial().strict(), req.body);
    const institution = await findInstitutionByCode(db, String(req.params.code));
    if (!institution) throw notFound(`institution ${req.params.code}`);
    const [row] = await db.update(institutions).set(body).where(eq(institutions.id, institution.id)).returning();
    res.json(present(row));
  });

  return router;
}
