/**
 * The static assets (`web/public`: the stylesheet, a little JavaScript) at the published pages' pace.
 * Each file is read once at start-up and kept in memory with its gzip and brotli copies, under two
 * addresses:
 *
 * - `/static/<name>.<hash>.<ext>` — the fingerprinted address every page links to (`assetHref`): the
 *   hash is the content's, so the bytes at that address never change (`immutable`, a year).
 * - `/static/<name>.<ext>` — the plain name, for anything that links to it directly: `no-cache` with
 *   the same strong `ETag` (a revalidation costs a 304).
 *
 * They are answered in front of Express (`process/app.ts`), like published pages; any other address
 * under `/static/` goes on to the page router, which answers 404.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { SECURITY_HEADERS, sendStored, type Stored } from './stored-response.js';

export const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
/** only text compresses; anything else is sent as it is */
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.json', '.txt']);

export type StaticAssets = {
  /** the fingerprinted address of `name` (a file of the folder); the plain address if there is no such file */
  href(name: string): string;
  /** answers GET/HEAD of a known asset address, else calls `next` */
  serve(req: IncomingMessage, res: ServerResponse, next: () => void): void;
};

/** The fingerprinted file name: `site.css` → `site.1a2b3c4d5e6f.css` (12 hex digits of the content's SHA-256). */
export function fingerprinted(name: string, bytes: Buffer): string {
  const ext = path.extname(name);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
}

/** Reads every file of `dir` (not its sub-folders) once. */
export function loadStaticAssets(dir: string = PUBLIC_DIR): StaticAssets {
  const hrefs = new Map<string, string>();
  const byPath = new Map<string, { stored: Stored; cacheControl: string }>();
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!statSync(file).isFile()) continue;
    const bytes = readFileSync(file);
    const ext = path.extname(name);
    const text = COMPRESSIBLE.has(ext);
    const stored: Stored = {
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`,
      identity: bytes,
      gzip: text ? gzipSync(bytes, { level: 9 }) : null,
      brotli: text ? brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }) : null,
      headers: { ...SECURITY_HEADERS, 'Content-Type': TYPES[ext] ?? 'application/octet-stream' },
    };
    const href = `/static/${fingerprinted(name, bytes)}`;
    hrefs.set(name, href);
    byPath.set(href, { stored, cacheControl: IMMUTABLE });
    byPath.set(`/static/${name}`, { stored, cacheControl: REVALIDATE });
  }
  return {
    href: (name) => hrefs.get(name) ?? `/static/${name}`,
    serve(req, res, next) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const url = req.url ?? '';
      if (!url.startsWith('/static/')) return next();
      const q = url.indexOf('?');
      const hit = byPath.get(q < 0 ? url : url.slice(0, q));
      if (!hit) return next();
      sendStored(req, res, hit.stored, hit.cacheControl, 'Accept-Encoding');
    },
  };
}

let loaded: StaticAssets | undefined;
/** The service's assets, read on first use. */
export function staticAssets(): StaticAssets {
  return (loaded ??= loadStaticAssets());
}

/** The address a page links to for `name` (e.g. `assetHref('site.css')`). */
export const assetHref = (name: string) => staticAssets().href(name);
