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

/** A start that cannot go on for a reason the person starting it can fix: the message says how. */
export class StartupError extends Error {}

/** The port could not be taken: what to do about it, in the words of the person starting the service. */
export function listenFailure(err: Error, env: { PORT: number; HOST: string }): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `port ${env.PORT} on ${env.HOST} is already in use by another process: stop that process, or start with another port (PORT=3001)`,
    );
  if (code === 'EACCES')
    return new StartupError(`port ${env.PORT} on ${env.HOST} needs privileges this process lacks: start with PORT=3000 or above`);
  if (code === 'EADDRNOTAVAIL') return new StartupError(`HOST=${env.HOST} is not an address of this machine`);
  return err;
}
