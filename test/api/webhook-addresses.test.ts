/**
 * Webhooks never reach the service's own network: loopback, link-local (cloud metadata), private and
 * IPv4-mapped addresses are refused at registration and again at delivery, after the host name is
 * resolved (the connection goes to the address checked), unless an operator allows the network.
 */
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allowWebhookNetworks, webhookFetch } from '../../platform/webhook-transport.js';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bankKey: string;
let receiver: Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  t = await createTestApp();
  bankKey = (await createInstitution(t)).apiKey;
  receiver = createServer((_req, res) => {
    hits += 1;
    res.end('ok');
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  port = (receiver.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await t.close();
});
beforeEach(() => allowWebhookNetworks([]));

const register = (url: string) => request(t.app).post('/api/v1/webhooks').set(bearer(bankKey)).send({ url });

describe('webhook addresses', () => {
  it('when a webhook names a loopback, link-local, private or mapped address, then registration answers 422 naming the url, and nothing is stored', async () => {
    const inner = [
      'http://127.0.0.1/hook',
      'http://127.1.2.3:8080/hook',
      'http://[::1]/hook',
      'http://localhost/hook',
      'http://LOCALHOST./hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://172.16.5.4/hook',
      'http://172.31.255.255/hook',
      'http://192.168.1.1/hook',
      'http://[fc00::1]/hook',
      'http://[fd12:3456::1]/hook',
      'http://[fe80::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:a9fe:a9fe]/hook',
      'http://0.0.0.0/hook',
      'http://2130706433/hook',
    ];
    for (const url of inner) {
      const res = await register(url);
      expect(`${url} → ${res.status}`).toBe(`${url} → 422`);
      expect(res.body.code).toBe('webhook_address_not_allowed');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'url', code: 'webhook_address_not_allowed' })]);
    }
    const list = await request(t.app).get('/api/v1/webhooks').set(bearer(bankKey));
    expect(list.status).toBe(200);
    expect(list.body.items ?? list.body).toEqual([]);
  });

  it('when a webhook names a public address, then it is registered', async () => {
    const res = await register('https://93.184.216.34/hook');
    expect(res.status).toBe(201);
  });

  it('when an operator allows the network, then an inner address is registered and delivered to', async () => {
    allowWebhookNetworks(['127.0.0.0/8']);
    expect((await register(`http://127.0.0.1:${port}/hook`)).status).toBe(201);
    const before = hits;
    const res = await webhookFetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(hits).toBe(before + 1);
  });

  it('when a delivery goes to a name that resolves to an inner address, then it is refused after resolution and nothing is called', async () => {
    const before = hits;
    // registered while allowed; the allowance is withdrawn (or the name now resolves elsewhere) before delivery
    await expect(webhookFetch(`http://localhost:${port}/hook`, { method: 'POST', body: '{}' })).rejects.toThrow(/refused/);
    await expect(webhookFetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}' })).rejects.toThrow(/refused/);
    await expect(webhookFetch(`http://[::ffff:127.0.0.1]:${port}/hook`, { method: 'POST', body: '{}' })).rejects.toThrow(/refused/);
    expect(hits).toBe(before);
  });
});
