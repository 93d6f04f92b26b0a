/**
 * Limits at the API's door: rate limits per key and per address shared by every process (429 with
 * Retry-After), body sizes per route (413), authentication before any body is read, 405 with Allow,
 * the API's security headers, and TRUST_PROXY (client address, https).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../process/app.js';
import { parseEnv } from '../../schemas/env.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { browsePage, mergeCookies } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-02T02:00:00Z' });
  bank = await createInstitution(t);
});
afterAll(async () => t.close());

/** Another service process on the same database and Redis, with its own settings. */
const processWith = (env: Record<string, string>, shared = true) =>
  createApp({
    ...t.deps,
    env: parseEnv({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp', API_RATE_LIMIT_PER_ADDRESS: '1000000', ...env }),
    services: {
      ...t.deps.services,
      ...(shared ? { rateLimitRedis: t.redis, rateLimitPrefix: `test-${randomBytes(6).toString('hex')}` } : {}),
    },
  });

describe('rate limits', () => {
  it('when a key passes its requests a minute across two service processes, then it gets 429 with Retry-After and a problem body', async () => {
    const prefix = `test-${randomBytes(6).toString('hex')}`;
    const env = parseEnv({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp', API_RATE_LIMIT_PER_KEY: '6', API_RATE_LIMIT_PER_ADDRESS: '1000' });
    const services = { ...t.deps.services, rateLimitRedis: t.redis, rateLimitPrefix: prefix };
    // the shared counters are used once the connection is ready (until then each process counts alone)
    await t.redis.ping();
    const a = createApp({ ...t.deps, env, services });
    const b = createApp({ ...t.deps, env, services });
    for (let i = 0; i < 3; i++) {
      expect((await request(a).get('/api/v1/me').set(bearer(bank.apiKey))).status).toBe(200);
      expect((await request(b).get('/api/v1/me').set(bearer(bank.apiKey))).status).toBe(200);
    }
    const over = await request(b).get('/api/v1/me').set(bearer(bank.apiKey));
    expect(over.status).toBe(429);
    expect(over.type).toBe('application/problem+json');
    expect(over.body.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    // another key is not affected
    expect((await request(a).get('/api/v1/me').set(bearer(t.operatorKey))).status).toBe(200);
  });

  it('when Redis cannot be reached, then each process still limits a key by itself (429 with Retry-After past the limit)', async () => {
    const { Redis } = await import('ioredis');
    const { freePort } = await import('../../process/embedded/process-tools.js');
    // nothing listens there: the shared counters are unreachable
    const down = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    down.on('error', () => undefined);
    try {
      const env = parseEnv({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp', API_RATE_LIMIT_PER_KEY: '4', API_RATE_LIMIT_PER_ADDRESS: '1000' });
      const app = createApp({ ...t.deps, env, services: { ...t.deps.services, rateLimitRedis: down, rateLimitPrefix: 'down' } });
      for (let i = 0; i < 4; i++) expect((await request(app).get('/api/v1/me').set(bearer(bank.apiKey))).status).toBe(200);
      const over = await request(app).get('/api/v1/me').set(bearer(bank.apiKey));
      expect(over.status).toBe(429);
      expect(over.body.code).toBe('rate_limited');
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      down.disconnect();
    }
  });

  it('when the default applies, then it is 1,200 requests a minute per key', () => {
    expect(parseEnv({}).API_RATE_LIMIT_PER_KEY).toBe(1200);
  });

  it('when anonymous clients behind a trusted proxy pass the per-address limit, then only that address gets 429', async () => {
    const app = processWith({ API_RATE_LIMIT_PER_ADDRESS: '3', TRUST_PROXY: '1' });
    const from = (ip: string) => request(app).get('/api/v1/policy').set('X-Forwarded-For', ip);
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).toBe(200);
    const over = await from('203.0.113.7');
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    expect((await from('203.0.113.8')).status).toBe(200);
  });
});

/** Sends headers announcing `length` bytes, then only `sent` bytes, and resolves with the answer and what the server read. */
function partialPost(app: ReturnType<typeof createApp>, path: string, length: number, sent: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; serverBytesRead: number }>((resolve, reject) => {
    const server = http.createServer(app);
    let serverSocket: import('node:net').Socket | null = null;
    server.on('connection', (s) => (serverSocket = s));
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          const serverBytesRead = serverSocket?.bytesRead ?? 0;
          req.destroy();
          server.close();
          server.closeAllConnections();
          resolve({ status: res.statusCode!, body, serverBytesRead });
        });
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
      req.write(Buffer.alloc(sent, 0x20));
    });
  });
}

/**
 * POSTs a chunked body of 64 KB chunks: `chunks` of them, and then the request stays open (never ended);
 * resolves with the answer. A server that waited for the body's end would never answer.
 */
function chunkedPostLeftOpen(app: ReturnType<typeof createApp>, path: string, chunks: number, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const server = http.createServer(app);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          req.destroy();
          server.close();
          server.closeAllConnections();
          resolve({ status: res.statusCode!, body });
        });
      });
      req.on('error', (err) => (['ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException).code ?? '') ? undefined : reject(err)));
      req.write('{"code":"CHUNKED","nameEn":"');
      for (let i = 0; i < chunks; i++) req.write(Buffer.alloc(64 * 1024, 0x78));
    });
  });
}

describe('bodies', () => {
  it('when a bank sends a chunked body past the route’s limit and keeps sending, then it is answered 413 at once, not after the end', async () => {
    // 3 MB to a route that takes 2 MB, and the request is never ended
    const res = await chunkedPostLeftOpen(t.app, '/api/v1/institutions', 48, bearer(t.operatorKey));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).code).toBe('payload_too_large');
  });

  it('when an anonymous client sends 30 MB, then it is refused 401 before the body is read', async () => {
    const res = await partialPost(t.app, '/api/v1/loans/batch', 30 * 1024 * 1024, 64 * 1024);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).code).toBe('unauthorized');
    expect(res.serverBytesRead).toBeLessThan(1024 * 1024);
  });

  it('when a bank announces a 50 MB batch, then it is refused 413 before the body is read', async () => {
    const res = await partialPost(t.app, '/api/v1/loans/batch', 50 * 1024 * 1024, 64 * 1024, bearer(bank.apiKey));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).code).toBe('payload_too_large');
  });

  it('when a 3 MB body is sent to a route that takes small bodies, then it is refused 413', async () => {
    const res = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .type('json')
      .send(JSON.stringify({ code: 'BIG', nameZh: 'x'.repeat(3 * 1024 * 1024), nameEn: 'x', kind: 'bank' }));
    expect(res.status).toBe(413);
  });

  it('when a bank sends a batch of 10,000 loans, then it fits and every row lands', async () => {
    const loans = Array.from({ length: 10_000 }, () => loanRequest());
    const body = JSON.stringify({ loans });
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    const res = await request(t.app).post('/api/v1/loans/batch').set(bearer(bank.apiKey)).type('json').send(body);
    expect(res.status).toBe(200);
    expect(res.body.summary.created).toBe(10_000);
  });
});

describe('methods and headers', () => {
  it('when a known path is asked with a method it does not take, then it answers 405 with Allow', async () => {
    const res = await request(t.app).put('/api/v1/loans').set(bearer(bank.apiKey)).send({});
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect(res.body.code).toBe('method_not_allowed');
    const one = await request(t.app).delete('/api/v1/keys/00000000-0000-4000-8000-000000000000/revoke').set(bearer(bank.apiKey));
    expect(one.status).toBe(405);
    expect(one.headers.allow).toBe('POST');
    expect((await request(t.app).get('/api/v1/nothing-here').set(bearer(bank.apiKey))).status).toBe(404);
  });

  it('when the API answers, also with a key in the body, then it says nosniff and no-store', async () => {
    const created = await request(t.app)
      .post('/api/v1/institutions')
      .set(bearer(t.operatorKey))
      .send({
        code: `H${randomBytes(3).toString('hex').toUpperCase()}`,
        nameZh: '头',
        nameEn: 'Headers',
        kind: 'bank',
      });
    for (const res of [created, await request(t.app).get('/api/v1/policy'), await request(t.app).get('/api/v1/nope')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('when TRUST_PROXY is set and the proxy says https, then API answers carry HSTS; without it, the header is ignored', async () => {
    const trusted = processWith({ TRUST_PROXY: 'loopback' }, false);
    const res = await request(trusted).get('/api/v1/policy').set('X-Forwarded-Proto', 'https');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const direct = await request(t.app).get('/api/v1/policy').set('X-Forwarded-Proto', 'https');
    expect(direct.headers['strict-transport-security']).toBeUndefined();
  });

  it('when a bad TRUST_PROXY is configured, then the setting is refused naming the variable', () => {
    expect(() => parseEnv({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
    expect(parseEnv({ TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY).toBe('10.0.0.0/8, loopback');
  });
});

describe('sign-in behind a reverse proxy (TRUST_PROXY)', () => {
  it('when the proxy says https, then the session cookie is Secure', async () => {
    const app = processWith({ TRUST_PROXY: '1' }, false);
    const page = await request(app).get('/signin').set('X-Forwarded-Proto', 'https');
    const cookies = mergeCookies([], page.headers['set-cookie']);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await request(app)
      .post('/signin/key')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookies.join('; '))
      .type('form')
      .send({ apiKey: bank.apiKey, _csrf: token });
    expect(res.status).toBe(303);
    const sid = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('cerf_sid='))!;
    expect(sid).toMatch(/;\s*Secure/i);
  });

  it('when one client behind the proxy is locked out of sign-in, then another client still signs in', async () => {
    const app = processWith({ TRUST_PROXY: '1' }, false);
    const page = await browsePage(t, '/signin');
    const attempt = (ip: string, apiKey: string) =>
      request(app)
        .post('/signin/key')
        .set('X-Forwarded-For', ip)
        .set('Cookie', page.cookies.join('; '))
        .type('form')
        .send({ apiKey, _csrf: page.token });
    for (let i = 0; i < 5; i++) expect((await attempt('198.51.100.1', 'cerf_wrong')).status).toBe(401);
    expect((await attempt('198.51.100.1', bank.apiKey)).status).toBe(429);
    expect((await attempt('198.51.100.2', bank.apiKey)).status).toBe(303);
  });
});
