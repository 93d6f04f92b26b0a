/**
 * Security headers for everything outside /api: a strict content security policy (no inline scripts or
 * styles, nothing from other origins), no framing, no referrer leaks. The queue dashboard under
 * /operator/queues is a third-party app with inline styles, so it alone may use them. The API reference
 * (/docs, Scalar) runs one inline start-up script, allowed by its hash, and injects its styles.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { scalarScriptHashes } from './api-reference.js';

const base = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  upgradeInsecureRequests: null,
};

const strict = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: base },
  referrerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});
const dashboard = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { ...base, styleSrc: ["'self'", "'unsafe-inline'"] } },
  referrerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});

const apiReference = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { ...base, scriptSrc: ["'self'", ...scalarScriptHashes], styleSrc: ["'self'", "'unsafe-inline'"] },
  },
  referrerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});

export function pageSecurityHeaders(): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    if (req.path.startsWith('/operator/queues')) return dashboard(req, res, next);
    if (req.path === '/docs' && scalarScriptHashes.length) return apiReference(req, res, next);
    return strict(req, res, next);
  };
}
