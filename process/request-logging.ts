import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Gives each request an id (taken from X-Request-Id when sane), a child logger, and one log line when done. */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const log = logger.child({ reqId: id });
    (req as unknown as { log: Logger; id: string }).log = log;
    (req as unknown as { id: string }).id = id;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
      log.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms, actor: res.locals.actor?.userId }, 'request');
    });
    next();
  };
}
