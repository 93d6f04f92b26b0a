/**
 * Bytes that never change, answered straight from memory: a stored representation with its gzip and
 * brotli copies, a strong `ETag`, `304` on `If-None-Match` and the response heads made once per
 * combination. Shared by the published fast path (pages and signed files) and the static assets.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pageSecurityHeaders } from './security-headers.js';

/** One stored representation: the bytes and their compressed copies with the headers that never change. */
export type Stored = { etag: string; identity: Buffer; gzip: Buffer | null; brotli: Buffer | null; headers: Record<string, string> };

/** The strict page headers (CSP and the rest) as the page router sends them, captured once. */
export const SECURITY_HEADERS: Record<string, string> = (() => {
  const captured: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | string[]) => (captured[name] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => delete captured[name],
    getHeader: (name: string) => captured[name],
  };
  pageSecurityHeaders()({ path: '/disclosures', method: 'GET', headers: {} } as never, res as never, () => undefined);
  return captured;
})();

export const strongTag = (bytes: Buffer) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;

/** Does `If-None-Match` name this entity (in any of its codings)? */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.slice(1, -1);
  return header.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === etag || tag === `"${bare}-br"` || tag === `"${bare}-gzip"`;
  });
}

type Coding = 'identity' | 'br' | 'gzip';

/** The response heads of a stored entity, flat (name, value, …) as writeHead takes them, made once per combination. */
const heads = new WeakMap<Stored, Map<string, string[]>>();
function headOf(stored: Stored, status: 200 | 304, coding: Coding, cacheControl: string, vary: string): string[] {
  let byKey = heads.get(stored);
  if (!byKey) heads.set(stored, (byKey = new Map()));
  const key = `${status}|${coding}|${cacheControl}|${vary}`;
  let flat = byKey.get(key);
  if (!flat) {
    const etag = coding === 'identity' ? stored.etag : `${stored.etag.slice(0, -1)}-${coding}"`;
    const head: Record<string, string> = { ...stored.headers, 'Cache-Control': cacheControl, Vary: vary, ETag: etag };
    if (status === 304) {
      delete head['Content-Type'];
      delete head['Content-Disposition'];
    } else {
      const body = coding === 'identity' ? stored.identity : coding === 'br' ? stored.brotli! : stored.gzip!;
      if (coding !== 'identity') head['Content-Encoding'] = coding;
      head['Content-Length'] = String(body.length);
    }
    flat = Object.entries(head).flat();
    byKey.set(key, flat);
  }
  return flat;
}

/** Answers with `stored` in the best coding the client accepts, or 304 when it already holds it. */
export function sendStored(req: IncomingMessage, res: ServerResponse, stored: Stored, cacheControl: string, vary: string) {
  const accept = req.headers['accept-encoding'];
  const coding: Coding =
    accept && stored.brotli && /\bbr\b/.test(accept) ? 'br' : accept && stored.gzip && /\bgzip\b/.test(accept) ? 'gzip' : 'identity';
  if (notModified(req.headers['if-none-match'], stored.etag)) {
    res.writeHead(304, headOf(stored, 304, coding, cacheControl, vary));
    res.end();
    return;
  }
  res.writeHead(200, headOf(stored, 200, coding, cacheControl, vary));
  if (req.method === 'HEAD') res.end();
  else res.end(coding === 'identity' ? stored.identity : coding === 'br' ? stored.brotli : stored.gzip);
}
