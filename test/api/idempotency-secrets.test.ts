/** No secret in a replayable idempotent answer; stored answers expire after IDEMPOTENCY_TTL_HOURS and are deleted. */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../process/app.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const START = new Date('2026-03-02T02:00:00Z');
beforeAll(async () => {
  t = await createTestApp({ now: START });
});
afterAll(async () => t.close());

const stored = async () => JSON.stringify(await t.database.db.execute(sql`select response_body from idempotency_keys`));

describe('secrets in idempotent answers', () => {
  it('when a registration answering an API key is replayed, then the replay says the key was shown once and the key is stored nowhere', async () => {
    const body = { code: 'IDSEC1', nameZh: '密钥银行', nameEn: 'Secret Bank', kind: 'bank' };
    const send = () => request(t.app).post('/api/v1/institutions').set(bearer(t.operatorKey)).set('Idempotency-Key', 'reg-1').send(body);
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.body.apiKey).toMatch(/^cerf_/);
    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.apiKey).toBeNull();
    expect(replay.body.shownOnce.fields).toEqual(['apiKey']);
    expect(replay.body.code).toBe('IDSEC1');
    expect(await stored()).not.toContain(first.body.apiKey);
    // the key still works: it was shown once, not lost
    expect((await request(t.app).get('/api/v1/me').set(bearer(first.body.apiKey))).status).toBe(200);
  });

  it('when a created key is replayed, then its secret is null there too', async () => {
    const self = (await request(t.app).get('/api/v1/me').set(bearer(t.operatorKey))).body.user.id;
    const send = () =>
      request(t.app).post(`/api/v1/users/${self}/keys`).set(bearer(t.operatorKey)).set('Idempotency-Key', 'key-1').send({});
    const first = await send();
    expect(first.body.apiKey).toMatch(/^cerf_/);
    const replay = await send();
    expect(replay.body).toMatchObject({ id: first.body.id, apiKey: null, shownOnce: { fields: ['apiKey'] } });
    expect(await stored()).not.toContain(first.body.apiKey);
  });
});

describe('expiry of stored answers', () => {
  it('when a stored answer is older than the TTL (24 h), then the key is free again and old records are deleted', async () => {
    const send = (app: typeof t.app, code: string) =>
      request(app)
        .post('/api/v1/institutions')
        .set(bearer(t.operatorKey))
        .set('Idempotency-Key', 'ttl-1')
        .send({ code, nameZh: '过期', nameEn: 'Expiry', kind: 'verifier' });
    expect((await send(t.app, 'TTLA')).status).toBe(201);
    const age = (hours: number, key: string) =>
      t.database.db.execute(sql`update idempotency_keys set created_at = now() - make_interval(hours => ${hours}) where key = ${key}`);
    await age(23, 'ttl-1');
    expect((await send(t.app, 'TTLA')).headers['idempotent-replayed']).toBe('true');
    await age(25, 'ttl-1');
    await age(25, 'reg-1');
    // another process (its first write sweeps)
    const after = await send(createApp(t.deps), 'TTLB');
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.body.code).toBe('TTLB');
    const left = JSON.stringify(await t.database.db.execute(sql`select key from idempotency_keys`));
    expect(left).not.toContain('reg-1');
    expect(left).toContain('key-1');
  });
});
