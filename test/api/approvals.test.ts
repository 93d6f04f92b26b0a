/**
 * Four eyes: a consequential operator act is proposed by one operator (202, checked at once) and takes
 * effect only when a different operator confirms it; it can be declined, withdrawn by its proposer, or
 * expire. Runs on PostgreSQL and PGlite; the two-process race needs a server database.
 */
import os from 'node:os';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { createApp } from '../../process/app.js';
import { createInstitution } from '../factories/institutions.js';
import { get, post } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const put = (key: string, path: string, body: object) => request(t.app).put(path).set(bearer(key)).send(body);
const patch = (key: string, path: string, body: object) => request(t.app).patch(path).set(bearer(key)).send(body);
const count = async (table: string) =>
  Number(
    ((await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as { rows: { n: number }[] }).rows[0].n,
  );

describe('the first operators (bootstrap)', () => {
  let second: string;
  beforeAll(async () => {
    t = await createTestApp({ now: '2026-03-02T04:00:00Z', operators: 1 });
  });
  afterAll(async () => t.close());

  it('when the only operator creates a second one, then it is created at once; a third takes a second operator’s confirmation', async () => {
    const created = await post(t, t.operatorKey, '/api/v1/institutions/PBOC/users', { name: 'second operator' });
    expect(created.status).toBe(201);
    second = created.body.apiKey;
    expect((await get(t, second, '/api/v1/me')).body.user).toMatchObject({ name: 'second operator', role: 'operator' });

    const third = await post(t, t.operatorKey, '/api/v1/institutions/PBOC/users', {
      name: 'third operator',
      password: 'a long password 1',
    });
    expect(third.status).toBe(202);
    expect(third.body).toMatchObject({ kind: 'add_operator', status: 'pending', proposedBy: { name: 'bootstrap operator' } });
    expect(JSON.stringify(third.body)).not.toContain('a long password 1');
    const users = await count('users');

    const byProposer = await post(t, t.operatorKey, `/api/v1/approvals/${third.body.id}/confirm`);
    expect(byProposer).toMatchObject({ status: 403, body: { code: 'four_eyes_violation' } });
    expect(await count('users')).toBe(users);

    const confirmed = await post(t, second, `/api/v1/approvals/${third.body.id}/confirm`, { comment: 'known colleague' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'confirmed',
      decidedBy: { name: 'second operator' },
      decisionNote: 'known colleague',
      result: { name: 'third operator', role: 'operator' },
    });
    expect((await get(t, confirmed.body.shownOnce.apiKey, '/api/v1/me')).body.user.name).toBe('third operator');
    // the key is shown once: the approval read later carries no secret
    expect(JSON.stringify((await get(t, second, `/api/v1/approvals/${third.body.id}`)).body)).not.toContain(
      confirmed.body.shownOnce.apiKey,
    );
  });

  it('when a bank adds a user to itself through an operator, then no four eyes are needed (only central-bank operators take them)', async () => {
    const bank = await createInstitution(t);
    expect((await post(t, t.operatorKey, `/api/v1/institutions/${bank.code}/users`, { name: 'clerk' })).status).toBe(201);
  });
});

describe('proposing, confirming, declining, withdrawing, expiring', () => {
  let op1: string;
  let op2: string;
  beforeAll(async () => {
    t = await createTestApp({ now: '2026-03-02T04:00:00Z' });
    op1 = t.operatorKey;
    op2 = t.operator2Key!;
  });
  afterAll(async () => t.close());

  it('when an operation is proposed, then nothing opens until a second operator confirms it, and a bad proposal is refused at once', async () => {
    const proposed = await post(t, op1, '/api/v1/operations', { quarter: '2026Q1', volume: '500000000000.00' });
    expect(proposed.status).toBe(202);
    expect(proposed.body).toMatchObject({ kind: 'open_operation', resource: 'operation', resourceId: '2026Q1', status: 'pending' });
    expect((await get(t, op1, '/api/v1/operations/2026Q1')).status).toBe(404);
    const pending = await get(t, op2, '/api/v1/approvals?status=pending');
    expect(pending.body.items.map((a: { id: string }) => a.id)).toContain(proposed.body.id);

    const approvals = await count('approvals');
    const overCap = await post(t, op1, '/api/v1/operations', { quarter: '2026Q2', volume: '900000000000.00' });
    expect(overCap).toMatchObject({ status: 409, body: { code: 'annual_cap_exceeded' } });
    expect(await count('approvals')).toBe(approvals);

    const confirmed = await post(t, op2, `/api/v1/approvals/${proposed.body.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.result).toMatchObject({ quarter: '2026Q1' });
    expect((await get(t, op1, '/api/v1/operations/2026Q1')).body).toMatchObject({ volume: '500000000000.00' });
    const again = await post(t, op1, `/api/v1/approvals/${proposed.body.id}/confirm`);
    expect(again).toMatchObject({ status: 409, body: { code: 'proposal_not_pending', currentStatus: 'confirmed' } });
  });

  it('when the proposer withdraws, then a confirmation is refused with approval_withdrawn; only the proposer may withdraw', async () => {
    const proposed = await post(t, op1, '/api/v1/operations', { quarter: '2026Q2', volume: '1000000.00' });
    expect((await post(t, op2, `/api/v1/approvals/${proposed.body.id}/withdraw`)).body.code).toBe('forbidden');
    const withdrawn = await post(t, op1, `/api/v1/approvals/${proposed.body.id}/withdraw`, { reason: 'wrong volume' });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', decisionNote: 'wrong volume' });
    expect(await post(t, op2, `/api/v1/approvals/${proposed.body.id}/confirm`)).toMatchObject({
      status: 409,
      body: { code: 'approval_withdrawn' },
    });
    expect((await get(t, op1, '/api/v1/operations/2026Q2')).status).toBe(404);
  });

  it('when a second operator declines with a reason, then the act never takes effect', async () => {
    const bank = await createInstitution(t);
    const proposed = await put(op1, `/api/v1/institutions/${bank.code}/migration-mode`, { enabled: true, reason: 'history' });
    expect(proposed.status).toBe(202);
    expect((await post(t, op2, `/api/v1/approvals/${proposed.body.id}/decline`, {})).status).toBe(422);
    const declined = await post(t, op2, `/api/v1/approvals/${proposed.body.id}/decline`, { reason: 'no migration planned' });
    expect(declined.body).toMatchObject({
      status: 'declined',
      decidedBy: { id: expect.any(String) },
      decisionNote: 'no migration planned',
    });
    expect(await post(t, op1, `/api/v1/approvals/${proposed.body.id}/confirm`)).toMatchObject({
      status: 409,
      body: { code: 'proposal_not_pending', currentStatus: 'declined' },
    });
    expect((await get(t, op1, `/api/v1/institutions/${bank.code}`)).body.migrationMode).toBeNull();
  });

  it('when a proposal is left past the policy’s expiry, then it shows expired and its confirmation is refused with approval_expired', async () => {
    const bank = await createInstitution(t);
    const proposed = await patch(op1, `/api/v1/institutions/${bank.code}`, { eligibleUntil: '2026-12-31' });
    expect(proposed.status).toBe(202);
    expect(proposed.body.expiresAt).toBe('2026-03-16T04:00:00.000Z'); // 14 days (the policy's approvalExpiryDays)
    // a change of names alone is not consequential: it takes effect at once
    expect((await patch(op1, `/api/v1/institutions/${bank.code}`, { nameEn: 'Renamed Bank' })).status).toBe(200);
    t.setNow('2026-03-16T04:00:00Z');
    expect((await get(t, op2, `/api/v1/approvals/${proposed.body.id}`)).body.status).toBe('expired');
    expect((await get(t, op2, '/api/v1/approvals?status=expired')).body.items.map((a: { id: string }) => a.id)).toEqual([proposed.body.id]);
    expect(await post(t, op2, `/api/v1/approvals/${proposed.body.id}/confirm`)).toMatchObject({
      status: 409,
      body: { code: 'approval_expired' },
    });
    expect((await get(t, op1, `/api/v1/institutions/${bank.code}`)).body.eligibleUntil).toBeNull();
    t.setNow('2026-03-02T04:00:00Z');
  });

  it('when a policy change is proposed, then it is one of the approvals and confirming it there puts it in force', async () => {
    t.setNow('2026-12-28T04:00:00Z');
    const change = await post(t, op1, '/api/v1/policy/changes', {
      kind: 'lpr_fixing',
      reason: 'published fixing',
      fixedOn: '2026-12-22',
      oneYearPercent: '2.90',
      fiveYearPlusPercent: '3.40',
    });
    expect(change.status).toBe(201);
    const [approval] = (await get(t, op2, '/api/v1/approvals?kind=policy_change&status=pending')).body.items;
    expect(approval).toMatchObject({ resource: 'policy_change', resourceId: change.body.id });
    expect((await post(t, op1, `/api/v1/approvals/${approval.id}/confirm`)).body.code).toBe('four_eyes_violation');
    expect((await post(t, op2, `/api/v1/approvals/${approval.id}/confirm`)).status).toBe(200);
    expect((await get(t, op1, `/api/v1/policy/changes/${change.body.id}`)).body.status).toBe('confirmed');
    const fixings = (await get(t, op1, '/api/v1/lpr')).body.fixings;
    expect(fixings.at(-1)).toMatchObject({ fixedOn: '2026-12-22', oneYearPercent: '2.90' });
    t.setNow('2026-03-02T04:00:00Z');
  });

  it.skipIf(process.env.TEST_DRIVER === 'pglite')(
    'when the same act is confirmed on two processes at once, then it takes effect once and the other is told it was decided',
    async () => {
      const other = await openDatabase({ databaseUrl: t.database.url, dataDir: os.tmpdir(), poolMax: 3 });
      try {
        const second = createApp({ ...t.deps, database: other });
        const bank = await createInstitution(t);
        for (let round = 0; round < 5; round++) {
          const entry = `EA${round}`;
          const proposed = await put(op1, `/api/v1/institutions/${bank.code}/migration-mode`, { enabled: round % 2 === 0, reason: entry });
          expect(proposed.status).toBe(202);
          const history = await count('bookings');
          const answers = await Promise.all([
            request(t.app).post(`/api/v1/approvals/${proposed.body.id}/confirm`).set(bearer(op2)).send({}),
            request(second).post(`/api/v1/approvals/${proposed.body.id}/confirm`).set(bearer(op2)).send({}),
          ]);
          expect(answers.map((a) => `${a.status} ${a.body.code ?? ''}`).sort()).toEqual(['200 ', '409 proposal_not_pending']);
          expect(await count('bookings')).toBe(history + 1);
        }
      } finally {
        await other.close();
      }
    },
  );
});
