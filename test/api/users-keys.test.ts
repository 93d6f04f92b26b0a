/**
 * Users and keys: each user holds its own keys; list, create, revoke, rotate (grace ≤ 7 days), expiry,
 * last use, read-only keys; bank admins manage their own institution's users and keys.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../process/app.js';
import { createInstitution, createUser } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
let other: { code: string; apiKey: string };
const START = new Date('2026-03-02T02:00:00Z');
const at = (ms: number) => t.setNow(new Date(START.getTime() + ms));
const MIN = 60_000;
const HOUR = 60 * MIN;

beforeAll(async () => {
  t = await createTestApp({ now: START });
  bank = await createInstitution(t);
  other = await createInstitution(t);
});
afterAll(async () => t.close());

const get = (key: string, path: string) => request(t.app).get(path).set(bearer(key));
const post = (key: string, path: string, body: object = {}) => request(t.app).post(path).set(bearer(key)).send(body);
const me = async (key: string) => (await get(key, '/api/v1/me')).body;

describe('listing users and their keys', () => {
  it('when a key calls GET /me, then the answer names the key id', async () => {
    const res = await get(bank.apiKey, '/api/v1/me');
    expect(res.status).toBe(200);
    expect(res.body.key).toEqual({ id: expect.any(String), readOnly: false });
    expect(res.body.user.admin).toBe(true);
  });

  it("when a bank admin lists users, then it sees its own institution's users with their key ids, and an operator sees every institution", async () => {
    const own = await get(bank.apiKey, '/api/v1/users');
    expect(own.status).toBe(200);
    expect(own.body.items.map((u: { institution: string }) => u.institution)).toEqual([bank.code]);
    const keyId = (await me(bank.apiKey)).key.id;
    expect(own.body.items[0].keyIds).toEqual([keyId]);
    const all = await get(t.operatorKey, '/api/v1/users');
    const codes = new Set(all.body.items.map((u: { institution: string }) => u.institution));
    expect(codes).toEqual(new Set(['PBOC', bank.code, other.code]));
    const filtered = await get(t.operatorKey, `/api/v1/users?institution=${other.code}`);
    expect(filtered.body.items.map((u: { institution: string }) => u.institution)).toEqual([other.code]);
  });

  it('when a user who is not an admin lists users, then it is refused 403', async () => {
    const created = await post(bank.apiKey, `/api/v1/institutions/${bank.code}/users`, { name: 'clerk' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'clerk', role: 'bank', admin: false });
    const res = await get(created.body.apiKey, '/api/v1/users');
    expect(res.status).toBe(403);
  });

  it('when a bank admin adds a user to another bank, then it is refused as not found and nothing is created', async () => {
    const res = await post(bank.apiKey, `/api/v1/institutions/${other.code}/users`, { name: 'intruder' });
    expect(res.status).toBe(404);
    const list = await get(t.operatorKey, `/api/v1/users?institution=${other.code}`);
    expect(list.body.items.map((u: { name: string }) => u.name)).not.toContain('intruder');
  });
});

describe('creating, revoking and rotating keys', () => {
  it('when an admin creates a second key for a user of its bank, then both keys work and the list shows both ids', async () => {
    const clerk = (await post(bank.apiKey, `/api/v1/institutions/${bank.code}/users`, { name: 'clerk 2' })).body;
    const res = await post(bank.apiKey, `/api/v1/users/${clerk.id}/keys`, { label: 'batch uploader' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: clerk.id, label: 'batch uploader', readOnly: false, apiKey: expect.stringMatching(/^cerf_/) });
    expect((await me(res.body.apiKey)).key.id).toBe(res.body.id);
    expect((await get(clerk.apiKey, '/api/v1/loans')).status).toBe(200);
    const list = await get(bank.apiKey, '/api/v1/users');
    const row = list.body.items.find((u: { id: string }) => u.id === clerk.id);
    expect([...row.keyIds].sort()).toEqual([clerk.keyId, res.body.id].sort());
  });

  it("when an admin creates a key for another bank's user, then it is refused 404", async () => {
    const stranger = (await get(other.apiKey, '/api/v1/me')).body.user.id;
    expect((await post(bank.apiKey, `/api/v1/users/${stranger}/keys`, {})).status).toBe(404);
  });

  it("when an operator creates a key for another operator's user, then it is refused 403 (one person would hold two operators' keys)", async () => {
    const second = await createUser(t, 'PBOC', 'second operator');
    const res = await post(t.operatorKey, `/api/v1/users/${second.id}/keys`, {});
    expect(res.status).toBe(403);
    const list = await get(t.operatorKey, '/api/v1/users?institution=PBOC');
    expect(list.body.items.find((u: { id: string }) => u.id === second.id).keyIds).toHaveLength(1);
    // its own keys it may add
    const self = (await me(t.operatorKey)).user.id;
    expect((await post(t.operatorKey, `/api/v1/users/${self}/keys`, { label: 'laptop' })).status).toBe(201);
  });

  it('when a key is revoked, then it answers 401 at once, also in another service process on the same database', async () => {
    const self = (await me(bank.apiKey)).user.id;
    const key = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, {})).body;
    const otherProcess = createApp(t.deps);
    expect((await request(otherProcess).get('/api/v1/me').set(bearer(key.apiKey))).status).toBe(200);
    const revoked = await post(bank.apiKey, `/api/v1/keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBe(START.toISOString());
    const res = await get(key.apiKey, '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
    expect((await request(otherProcess).get('/api/v1/me').set(bearer(key.apiKey))).status).toBe(401);
  });

  it('when a rotation asks for a grace period over 7 days, then it is refused 422 naming the rule and nothing changes', async () => {
    const self = (await me(bank.apiKey)).user.id;
    const key = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, {})).body;
    const res = await post(key.apiKey, `/api/v1/keys/${key.id}/rotate`, { gracePeriodSeconds: 7 * 24 * 3600 + 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('rotation_grace_too_long');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'gracePeriodSeconds', code: 'rotation_grace_too_long' })]);
    const list = await get(bank.apiKey, '/api/v1/users');
    const keys = list.body.items.find((u: { id: string }) => u.id === self).keys;
    expect(keys.find((k: { id: string }) => k.id === key.id).expiresAt).toBeNull();
    expect(keys.filter((k: { rotatedFrom: string | null }) => k.rotatedFrom === key.id)).toEqual([]);
  });

  it('when a key is rotated with a grace period of an hour, then the old key works until the hour ends and the new key works after', async () => {
    at(0);
    const self = (await me(bank.apiKey)).user.id;
    const old = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, { label: 'nightly job' })).body;
    const res = await post(old.apiKey, `/api/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.body.previous.expiresAt).toBe(new Date(START.getTime() + HOUR).toISOString());
    expect(res.body.key).toMatchObject({ label: 'nightly job', rotatedFrom: old.id, apiKey: expect.stringMatching(/^cerf_/) });
    at(59 * MIN);
    expect((await get(old.apiKey, '/api/v1/me')).status).toBe(200);
    at(HOUR);
    expect((await get(old.apiKey, '/api/v1/me')).status).toBe(401);
    expect((await me(res.body.key.apiKey)).key.id).toBe(res.body.key.id);
    // a rotated key is not rotated twice, and an expired one not at all
    const again = await post(res.body.key.apiKey, `/api/v1/keys/${old.id}/rotate`, { gracePeriodSeconds: 0 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('key_not_active');
    at(0);
  });

  it('when a key with an expiry passes it, then it answers 401; an expiry in the past is refused 422', async () => {
    at(0);
    const self = (await me(bank.apiKey)).user.id;
    const past = await post(bank.apiKey, `/api/v1/users/${self}/keys`, { expiresAt: new Date(START.getTime() - 1000).toISOString() });
    expect(past.status).toBe(422);
    expect(past.body.code).toBe('expiry_not_in_future');
    const key = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, { expiresAt: new Date(START.getTime() + 2 * HOUR).toISOString() }))
      .body;
    at(2 * HOUR - 1000);
    expect((await get(key.apiKey, '/api/v1/me')).status).toBe(200);
    at(2 * HOUR);
    expect((await get(key.apiKey, '/api/v1/me')).status).toBe(401);
    at(0);
  });

  it('when a read-only key reads, then it gets its answer; when it writes, then it is refused 403 and nothing is written', async () => {
    const self = (await me(bank.apiKey)).user.id;
    const key = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, { readOnly: true })).body;
    expect(key.readOnly).toBe(true);
    expect((await get(key.apiKey, '/api/v1/loans')).status).toBe(200);
    expect((await me(key.apiKey)).key).toEqual({ id: key.id, readOnly: true });
    const write = await post(key.apiKey, `/api/v1/institutions/${bank.code}/users`, { name: 'via read-only' });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('read_only_key');
    const selfRevoke = await post(key.apiKey, `/api/v1/keys/${key.id}/revoke`);
    expect(selfRevoke.status).toBe(403);
    const list = await get(bank.apiKey, '/api/v1/users');
    expect(list.body.items.map((u: { name: string }) => u.name)).not.toContain('via read-only');
  });

  it('when a key is used, then its last use time and address are recorded, at most once a minute', async () => {
    at(0);
    const self = (await me(bank.apiKey)).user.id;
    const key = (await post(bank.apiKey, `/api/v1/users/${self}/keys`, {})).body;
    const lastUse = async () => {
      const list = await get(t.operatorKey, `/api/v1/users?institution=${bank.code}`);
      return list.body.items.find((u: { id: string }) => u.id === self).keys.find((k: { id: string }) => k.id === key.id);
    };
    expect((await lastUse()).lastUsedAt).toBeNull();
    at(1000);
    await get(key.apiKey, '/api/v1/me');
    const first = await lastUse();
    expect(first.lastUsedAt).toBe(new Date(START.getTime() + 1000).toISOString());
    expect(first.lastUsedAddress).toMatch(/127\.0\.0\.1|::1/);
    at(30_000);
    await get(key.apiKey, '/api/v1/me');
    expect((await lastUse()).lastUsedAt).toBe(first.lastUsedAt);
    at(1000 + MIN);
    await get(key.apiKey, '/api/v1/me');
    expect((await lastUse()).lastUsedAt).toBe(new Date(START.getTime() + 1000 + MIN).toISOString());
    at(0);
  });

  it("when an operator revokes a bank user's key, then the key is refused; a bank cannot revoke an operator's key", async () => {
    const clerk = (await post(bank.apiKey, `/api/v1/institutions/${bank.code}/users`, { name: 'clerk 3' })).body;
    const opKeyId = (await me(t.operatorKey)).key.id;
    expect((await post(bank.apiKey, `/api/v1/keys/${opKeyId}/revoke`)).status).toBe(404);
    expect((await get(t.operatorKey, '/api/v1/me')).status).toBe(200);
    expect((await post(t.operatorKey, `/api/v1/keys/${clerk.keyId}/revoke`)).status).toBe(200);
    expect((await get(clerk.apiKey, '/api/v1/me')).status).toBe(401);
  });
});
