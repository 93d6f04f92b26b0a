/**
 * A known API path asked with a method it does not take answers 405 with `Allow` (not 404): the paths
 * and methods are those every route registers with `describe`.
 */
import type { RequestHandler } from 'express';
import { sendProblem } from './errors.js';
import { describedRoutes } from './openapi.js';

function pathPattern(path: string): RegExp {
  const escaped = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export function methodNotAllowed(): RequestHandler {
  let table: { pattern: RegExp; methods: Set<string> }[] | null = null;
  return (req, res, next) => {
    // routes register as their modules load, so the table is built at the first miss
    if (!table) {
      const byPath = new Map<string, Set<string>>();
      for (const doc of describedRoutes()) {
        const methods = byPath.get(doc.path) ?? new Set<string>();
        methods.add(doc.method.toUpperCase());
        byPath.set(doc.path, methods);
      }
      table = [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
    }
    const path = req.originalUrl.split('?')[0];
    const allowed = new Set<string>();
    for (const row of table) if (row.pattern.test(path)) for (const m of row.methods) allowed.add(m);
    if (!allowed.size || allowed.has(req.method)) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed].sort().join(', ');
    res.setHeader('Allow', allow);
    sendProblem(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}; allowed: ${allow}`);
  };
}
