/**
 * Headers on every API answer: no content sniffing, no caching (answers carry keys, secrets and
 * private figures), and HSTS when the request came over HTTPS (directly or through a trusted proxy).
 */
import type { RequestHandler } from 'express';

export const HSTS = 'max-age=31536000; includeSubDomains';

export function apiHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
}
