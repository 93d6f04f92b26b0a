import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-09-01T04:00:00Z' });
});
afterAll(async () => t.close());

describe('service basics', () => {
  it('when the database and Redis are up, then /readyz says ready', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok', redis: 'ok' });
  });

  it('when a request carries no key, then operator routes answer 401 as problem+json', async () => {
    const res = await request(t.app).post('/api/v1/institutions').send({});
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.code).toBe('unauthorized');
  });

  it('when the body is not JSON, then the answer is 400 malformed_json, not 500', async () => {
    const res = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .set('content-type', 'application/json')
      .send('{"code":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('when an operator creates a bank, then its key is shown once and works, and a bank key cannot create banks', async () => {
    const created = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .send({ code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank', kind: 'bank', eligibleFrom: '2021-11-08' });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^cerf_/);
    const me = await request(t.app).get('/api/v1/me').set(bearer(created.body.apiKey));
    expect(me.body.institution.code).toBe('CITIC');
    const refused = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(created.body.apiKey))
      .send({ code: 'X1', nameZh: 'x', nameEn: 'x', kind: 'bank' });
    expect(refused.status).toBe(403);
    const again = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .send({ code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank', kind: 'bank' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('institution_code_taken');
  });

  it('when the policy is asked for a date, then the rate in force on that date is answered', async () => {
    const cases: [string, string][] = [
      ['2022-08-15', '1.75'],
      ['2025-05-08', '1.50'],
      ['2026-01-18', '1.50'],
      ['2026-01-19', '1.25'],
    ];
    for (const [on, rate] of cases) {
      const res = await request(t.app).get(`/api/v1/policy?on=${on}`);
      expect(res.status, on).toBe(200);
      expect(res.body.policy.ratePercent, on).toBe(rate);
      expect(res.body.policy.supportSharePercent).toBe('60.00');
    }
    const before = await request(t.app).get('/api/v1/policy?on=2021-01-01');
    expect(before.status).toBe(404);
    const bad = await request(t.app).get('/api/v1/policy?on=2021-02-30');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ path: 'on', code: 'invalid_date' });
  });

  it('when the taxonomy is asked for 2026-01-15, then the three new fields are in it, and not the day before', async () => {
    const after = await request(t.app).get('/api/v1/taxonomy?on=2026-01-15');
    expect(after.body.version).toBe('2026-01');
    expect(after.body.subAreas.map((s: { code: string }) => s.code)).toContain('ES.RETROFIT');
    const before = await request(t.app).get('/api/v1/taxonomy?on=2026-01-14');
    expect(before.body.version).toBe('2021-11');
    expect(before.body.subAreas).toHaveLength(17);
  });
});

describe('API description', () => {
  it('when /openapi.json is fetched, then it is OpenAPI 3.1 and documents the policy and institution routes', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/policy', '/api/v1/institutions', '/api/v1/institutions/{code}/users']),
    );
    const bodySchema = res.body.paths['/api/v1/institutions'].post.requestBody.content['application/json'].schema;
    expect(bodySchema.$ref).toBe('#/components/schemas/CreateInstitution');
    expect(res.body.components.schemas.CreateInstitution.properties.kind.enum).toEqual(['bank', 'verifier']);
  });
});

describe('text the database cannot hold', () => {
  it('when an institution name holds a NUL character, then the answer is 422 invalid_character, not 500', async () => {
    const res = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .send({ code: 'NULBANK', nameZh: 'a\u0000b', nameEn: 'x', kind: 'bank' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_character');
    const after = await request(t.app).get('/api/v1/institutions/NULBANK').set(bearer(t.operatorKey));
    expect(after.status).toBe(404);
  });
});

describe('listing institutions', () => {
  it('when institutions are listed a page at a time, then each appears once, in code order, and kind filters', async () => {
    for (const code of ['LIST-C', 'LIST-A', 'LIST-B']) {
      await request(t.app)
        .post('/api/v1/institutions')
        .set(bearer(t.operatorKey))
        .send({ code, nameZh: code, nameEn: code, kind: code === 'LIST-B' ? 'verifier' : 'bank' });
    }
    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(t.app)
        .get(`/api/v1/institutions?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(bearer(t.operatorKey));
      codes.push(...res.body.items.map((i: { code: string }) => i.code));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining(['LIST-A', 'LIST-B', 'LIST-C', 'PBOC']));
    const verifiers = await request(t.app).get('/api/v1/institutions?kind=verifier').set(bearer(t.operatorKey));
    expect(verifiers.body.items.map((i: { code: string }) => i.code)).toEqual(['LIST-B']);
  });
});

describe('idempotency keys', () => {
  it('when a request with a key is still in progress, then a repeat is 409 in use; a claim whose lease a dead process stopped renewing 60 s ago is released', async () => {
    const { idempotencyKeys, users } = await import('../../db/schema/index.js');
    const { eq } = await import('drizzle-orm');
    const [operator] = await t.database.db.select().from(users).where(eq(users.name, 'bootstrap operator'));
    await t.database.db.insert(idempotencyKeys).values({
      userId: operator.id,
      key: 'k-running',
      method: 'POST',
      path: '/api/v1/institutions',
      requestSha256: 'x',
      responseStatus: 0,
      responseBody: '',
    });
    const body = { code: 'IDEM1', nameZh: 'x', nameEn: 'x', kind: 'bank' };
    const running = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .set('Idempotency-Key', 'k-running')
      .send(body);
    expect(running.status).toBe(409);
    expect(running.body.code).toBe('idempotency_key_in_use');
    await t.database.db
      .update(idempotencyKeys)
      .set({ heartbeatAt: new Date(Date.now() - 60_000) })
      .where(eq(idempotencyKeys.key, 'k-running'));
    const released = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .set('Idempotency-Key', 'k-running')
      .send(body);
    expect(released.body.detail).toContain('released');
    const retried = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .set('Idempotency-Key', 'k-running')
      .send(body);
    expect(retried.status).toBe(201);
  });
});
