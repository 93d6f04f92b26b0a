/**
 * The service's port, taken first: before the database opens, its migrations run and Redis starts, so a
 * port another process holds is reported at once (not after the whole start-up). Until the service is
 * ready the port answers `/healthz` (the process is alive) and 503 with `Retry-After` to everything else,
 * `/readyz` included; `ready(handler)` then hands every request to the service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export type EarlyServer = { server: Server; port: number; ready(handler: Handler): void };

const STARTING = JSON.stringify({
  type: 'about:blank',
  title: 'The service is starting',
  status: 503,
  code: 'service_starting',
  detail: 'The service is starting (database, migrations, Redis); try again in a few seconds.',
});

function whileStarting(req: IncomingMessage, res: ServerResponse) {
  if (req.url === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ status: 'ok', starting: true }));
    return;
  }
  res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '2', 'Cache-Control': 'no-store' });
  res.end(STARTING);
}

/** Listens on `port`/`host`; rejects with `failure(err)` when the port cannot be taken. */
export async function listenEarly(port: number, host: string, failure: (err: Error) => Error): Promise<EarlyServer> {
  let handler: Handler = whileStarting;
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(failure(err)));
    server.listen(port, host, () => resolve());
  });
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    ready: (h) => {
      handler = h;
    },
  };
}
