/**
 * The audit trail: every change writes a record in its own transaction (who, request, reason, rows
 * before and after), append-only and hash-chained, read by operators and by an institution for its own.
 */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { createLoan, get, openOperation, post } from '../factories/refinancing.js';
import { signInToPages } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bankA: { id: string; code: string; apiKey: string };
let bankB: { id: string; code: string; apiKey: string };
beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z', operators: 1 });
  bankA = await createInstitution(t);
  bankB = await createInstitution(t);
});
afterAll(async () => t.close());

type Rec = {
  resource: string;
  action: string;
  reason: string | null;
  requestId: string | null;
  actor: { userId: string; via: string };
  changes: { id: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[];
};

describe('the audit trail', () => {
  it('when the second operator is created at once (bootstrap) and an operation opens by four eyes, then each change says who, which request and why', async () => {
    const second = await request(t.app)
      .post('/api/v1/institutions/PBOC/users')
      .set(bearer(t.operatorKey))
      .set('X-Request-Id', 'req-bootstrap-1')
      .send({ name: 'second operator', password: 'a long password 2' });
    expect(second.status).toBe(201);
    t.operator2Key = second.body.apiKey;
    const users = (await get(t, t.operatorKey, '/api/v1/audit?resource=users')).body.items as Rec[];
    expect(users[0]).toMatchObject({ action: 'insert', requestId: 'req-bootstrap-1', reason: expect.stringContaining('bootstrap') });
    expect(users[0].changes[0].after).toMatchObject({ name: 'second operator', role: 'operator' });
    expect(JSON.stringify(users[0])).not.toMatch(/password_hash|api_key_sha256/);

    const me = (await get(t, t.operatorKey, '/api/v1/me')).body.user.id;
    const confirmer = (await get(t, second.body.apiKey, '/api/v1/me')).body.user.id;
    await openOperation(t, '2023Q2', '100000000.00');
    const [opened] = (await get(t, t.operatorKey, '/api/v1/audit?resource=operations')).body.items as Rec[];
    expect(opened).toMatchObject({ action: 'insert', actor: { userId: confirmer, via: expect.stringMatching(/^key:/) } });
    expect(opened.reason).toContain('four eyes');
    expect(opened.changes[0].after).toMatchObject({ quarter: '2023Q2', volume_fen: 10000000000 });
    const approvals = (await get(t, t.operatorKey, '/api/v1/audit?resource=approvals')).body.items as Rec[];
    expect(approvals.map((a) => `${a.action} ${a.actor.userId === me ? 'proposer' : 'confirmer'}`)).toEqual([
      'update confirmer',
      'insert proposer',
    ]);
    expect(approvals[0].changes[0]).toMatchObject({ before: { status: 'pending' }, after: { status: 'confirmed' } });
    const byActor = (await get(t, t.operatorKey, `/api/v1/audit?actor=${confirmer}`)).body.items as Rec[];
    expect(byActor.every((r) => r.actor.userId === confirmer)).toBe(true);
  });

  it('when banks submit loans, then each reads only its own institution’s records, one record for a whole batch', async () => {
    const loan = await createLoan(t, bankA.apiKey, { disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const batch = await post(t, bankB.apiKey, '/api/v1/loans/batch', {
      loans: [1, 2, 3].map(() => ({ ...loanRequest(), disbursedOn: '2023-05-16', maturesOn: '2026-05-16' })),
    });
    expect(batch.status).toBe(200);
    const mine = (await get(t, bankA.apiKey, '/api/v1/audit?resource=loans')).body.items as Rec[];
    expect(mine.flatMap((r) => r.changes.map((c) => c.id))).toEqual([loan.id]);
    const theirs = (await get(t, bankB.apiKey, '/api/v1/audit?resource=loans')).body.items as Rec[];
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ action: 'insert', rowCount: 3 });
    const byId = (await get(t, t.operatorKey, `/api/v1/audit?id=${loan.id}`)).body.items as Rec[];
    expect(byId.map((r) => r.resource)).toContain('loans');
    const csv = await get(t, t.operatorKey, `/api/v1/audit/export?institution=${bankA.code}`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('seq,at,actor_user_id');
    expect(csv.text).toContain(loan.id);
    expect(csv.text).not.toContain(bankB.id);
  });

  it('when a batch of 1,001 loans is submitted, then the trail keeps each loan’s key in records of at most 1,000, and the chain stays intact', async () => {
    const batch = await post(t, bankA.apiKey, '/api/v1/loans/batch', {
      loans: Array.from({ length: 1001 }, () => ({ ...loanRequest(), disbursedOn: '2023-05-17', maturesOn: '2026-05-17' })),
    });
    expect(batch.status).toBe(200);
    const ids = (batch.body.results as { id: string }[]).map((r) => r.id).sort();
    const records = (
      (await get(t, bankA.apiKey, '/api/v1/audit?resource=loans&limit=10')).body.items as (Rec & { rowCount: number })[]
    ).filter((r) => r.rowCount >= 1 && r.changes.some((c) => ids.includes(c.id)));
    expect(records.map((r) => r.rowCount).sort((a, b) => a - b)).toEqual([1, 1000]);
    expect(records.flatMap((r) => r.changes.map((c) => c.id)).sort()).toEqual(ids);
    // keys only: the loans carry their own content
    expect(records.every((r) => r.changes.every((c) => Object.keys(c).join() === 'id'))).toBe(true);
    expect((await get(t, t.operatorKey, '/api/v1/audit/verify')).body).toMatchObject({ intact: true });
  });

  it('when someone updates or deletes a record behind the API, then the database refuses; altered with the guard off, verify names the record', async () => {
    expect((await get(t, t.operatorKey, '/api/v1/audit/verify')).body).toMatchObject({ intact: true, brokenAt: null });
    const refusal = (query: Promise<unknown>) =>
      query.then(
        () => 'done',
        (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
      );
    expect(await refusal(t.database.db.execute(sql`update audit_records set reason = 'nothing happened'`))).toMatch(/append-only/);
    expect(await refusal(t.database.db.execute(sql`delete from audit_records`))).toMatch(/append-only/);
    expect((await get(t, bankA.apiKey, '/api/v1/audit/verify')).status).toBe(403);
    const { rows } = (await t.database.db.execute(sql`select min(chain_pos)::int + 2 as pos from audit_records`)) as unknown as {
      rows: { pos: number }[];
    };
    await t.database.db.execute(sql`alter table audit_records disable trigger audit_records_append_only`);
    await t.database.db.execute(sql`update audit_records set reason = 'forged' where chain_pos = ${rows[0].pos}`);
    await t.database.db.execute(sql`alter table audit_records enable trigger audit_records_append_only`);
    expect((await get(t, t.operatorKey, '/api/v1/audit/verify')).body).toMatchObject({
      intact: false,
      brokenAt: { position: rows[0].pos, reason: 'hash_mismatch' },
    });
  });
});

describe('the audit page', () => {
  it('when an operator signed in opens /operator/audit, then the records show and the CSV downloads with the filter', async () => {
    // an operator's page session passes the second factor first
    const session = (await signInToPages(t, t.operatorKey)).join('; ');
    const audit = await request(t.app).get('/operator/audit?resource=operations').set('Cookie', session);
    expect(audit.status).toBe(200);
    expect(audit.text).toContain('operations');
    const csv = await request(t.app).get('/operator/audit/export.csv?resource=operations').set('Cookie', session);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('operations');
  });
});
