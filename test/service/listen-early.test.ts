/**
 * The port is taken before the rest of the start-up: meanwhile it says the process is alive and that the
 * service is starting, then hands every request to the service.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { listenEarly, type EarlyServer } from '../../process/listen.js';

let early: EarlyServer | undefined;
afterAll(async () => {
  if (early) await new Promise((resolve) => early!.server.close(resolve));
});

describe('the port while the service starts', () => {
  it('when the service is still starting, then /healthz answers 200 and everything else 503 with Retry-After; once ready, the service answers', async () => {
    early = await listenEarly(0, '127.0.0.1', (err) => err);
    const base = `http://127.0.0.1:${(early.server.address() as AddressInfo).port}`;
    expect(early.port).toBe((early.server.address() as AddressInfo).port);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');
    expect(((await ready.json()) as { code: string }).code).toBe('service_starting');
    expect((await fetch(`${base}/api/v1/loans`)).status).toBe(503);

    early.ready((_req, res) => res.end('the service'));
    expect(await (await fetch(`${base}/readyz`)).text()).toBe('the service');
  });

  it('when the port is held by another listener, then the start fails with the error the caller names', async () => {
    const held = await listenEarly(0, '127.0.0.1', (err) => err);
    const port = (held.server.address() as AddressInfo).port;
    await expect(listenEarly(port, '127.0.0.1', (err) => new Error(`taken: ${(err as NodeJS.ErrnoException).code}`))).rejects.toThrow(
      'taken: EADDRINUSE',
    );
    await new Promise((resolve) => held.server.close(resolve));
  });
});
