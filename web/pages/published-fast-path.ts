/**
 * Published disclosures at the speed of the machine. A published version never changes, so its page
 * (Chinese and English), its JSON download (the signed canonical content) and its detached signature are
 * produced once, kept (pages in the database with gzip and brotli copies) and answered from memory here,
 * in front of the body parsers, authentication, sessions and request logs:
 *
 * - `/disclosures/:code/:quarter/v/:version` (`?lang=en`), `….json`, `….json.sig`: version-addressed,
 *   `Cache-Control: public, max-age=31536000, immutable`, strong `ETag`, 304 on `If-None-Match`.
 * - `/disclosures/:code/:quarter`, `….json`, `….json.sig`: the current version, `Cache-Control: no-cache`
 *   with the same `ETag`s (a restatement shows within PUBLISHED_CACHE_TTL_MS).
 *
 * The quarter's page with a query, or with a session cookie (a signed-in user's page shows who is signed
 * in), and anything not published go on to the ordinary pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { keepPublishedPage } from '../../app/disclosures/published-pages.js';
import { signatureOfPublished, signedBytesOf } from '../../app/disclosures/sign-publication.js';
import { perform, settled } from '../../app/perform.js';
import { currentPublishedVersions, findPublished, type PublishedDisclosure } from '../../db/read-models/published.js';
import { findPublishedPage } from '../../db/repositories/published-pages.js';
import type { AppDeps } from '../../process/context.js';
import { SECURITY_HEADERS, sendStored, strongTag, type Stored } from '../stored-response.js';
import { SESSION_COOKIE } from '../session/sessions.js';
import type { PageContext } from './context.js';
import { html } from './html.js';
import { DICTS, type Lang } from './i18n.js';
import { layout } from './layout.js';
import { disclosureBody, PUBLISHED_CACHE_TTL_MS } from './public-disclosure.js';
import { LANG_COOKIE } from './context.js';

/** The page template's revision: raise it when the published page's markup changes, and pages render again. */
export const PAGE_TEMPLATE = 2;

// compressed on libuv's threads: a first reader's page (brotli at its best, ~14 kB) took the event loop for
// tens of milliseconds, and every other request of the process waited behind it
const gzipped = promisify(gzip);
const brotlied = promisify(brotliCompress);

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const PATH = /^\/disclosures\/([A-Za-z0-9_-]{2,32})\/(\d{4}Q[1-4])(?:\/v\/([1-9]\d{0,5}))?(\.json|\.json\.sig)?$/;

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || !header.includes(name)) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A bounded map: cleared whole when full (entries are cheap to make again). */
class Bounded<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V) {
    if (this.size >= this.max && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}

/** The page context of an anonymous reader at `url` (no session, no forms). */
function anonymousContext(lang: Lang, url: string, otherLangHref: string): PageContext {
  return { lang, t: DICTS[lang], actor: null, csrfToken: '', url, otherLangHref, csrfField: () => html`` };
}

/** The page of version `d` in `lang`, at its own address or at the quarter's: the one kept, else rendered and kept. */
async function storedPage(deps: AppDeps, d: PublishedDisclosure, lang: Lang, atQuarter: boolean): Promise<Stored | null> {
  const db = deps.database.db;
  const variant = `${lang}${atQuarter ? '.current' : ''}`;
  let row = await findPublishedPage(db, d.versionId, variant, PAGE_TEMPLATE);
  if (!row) {
    const quarterUrl = `/disclosures/${d.institutionCode}/${d.quarter}`;
    const versionUrl = `${quarterUrl}/v/${d.version}`;
    const other = lang === 'zh' ? 'en' : 'zh';
    const ctx = atQuarter
      ? anonymousContext(lang, quarterUrl, `${quarterUrl}?lang=${other}`)
      : anonymousContext(lang, lang === 'zh' ? versionUrl : `${versionUrl}?lang=en`, `${versionUrl}?lang=${other}`);
    const name = lang === 'zh' ? d.nameZh : d.nameEn;
    const body = Buffer.from(layout(ctx, `${name} ${d.quarter}`, disclosureBody(ctx, d, atQuarter ? quarterUrl : versionUrl)).text, 'utf8');
    const [gz, br] = await Promise.all([gzipped(body, { level: 9 }), brotlied(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } })]);
    const kept = await settled(
      perform(db, { now: deps.now(), actor: null }, (uc) =>
        keepPublishedPage(uc, {
          disclosureVersionId: d.versionId,
          variant,
          template: PAGE_TEMPLATE,
          etag: strongTag(body),
          body,
          gzip: gz,
          brotli: br,
        }),
      ),
    );
    if (!kept.ok) return null;
    row = kept.value;
  }
  return {
    etag: row.etag,
    identity: row.body,
    gzip: row.gzip,
    brotli: row.brotli,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
  };
}

/** The signed canonical content of version `d` (its JSON download) or its detached signature. */
async function signedFile(deps: AppDeps, d: PublishedDisclosure, kind: '.json' | '.json.sig'): Promise<Stored | null> {
  const db = deps.database.db;
  const signed = await settled(perform(db, { now: deps.now(), actor: null }, (uc) => signatureOfPublished(uc, { versionId: d.versionId })));
  if (!signed.ok) return null;
  const name = `cerf-${d.institutionCode}-${d.quarter}-v${d.version}.json`;
  const headers = {
    'X-Content-Type-Options': 'nosniff',
    'Cerf-Signing-Key': signed.value.kid,
    'Cerf-Content-Sha256': signed.value.signedSha256,
    'Cerf-Version': String(d.version),
    // the audit chain's head when the version was signed, in a statement signed with the same key (base64 JSON)
    ...(signed.value.auditAnchor ? { 'Cerf-Audit-Anchor': Buffer.from(JSON.stringify(signed.value.auditAnchor)).toString('base64') } : {}),
  };
  if (kind === '.json') {
    const bytes = signedBytesOf(d.content);
    return {
      etag: `"${signed.value.signedSha256}"`,
      identity: bytes,
      gzip: await gzipped(bytes, { level: 9 }),
      brotli: null,
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Disposition': `attachment; filename="${name}"` },
    };
  }
  const sig = Buffer.from(signed.value.signature, 'ascii');
  return {
    etag: `"${signed.value.signedSha256}.sig"`,
    identity: sig,
    gzip: null,
    brotli: null,
    headers: {
      ...headers,
      'Content-Type': 'text/plain; charset=us-ascii',
      'Content-Disposition': `attachment; filename="${name}.sig"`,
    },
  };
}

export type PublishedFastPath = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The fast path, and the pass that keeps it ahead of its readers (`keepAhead`). */
export type PublishedPages = PublishedFastPath & {
  /**
   * One pass, run by the service every PUBLISHED_KEEP_AHEAD_MS: every quarter's current version number
   * read again in one query (a reader never waits on that lookup, and a restatement still shows within
   * PUBLISHED_CACHE_TTL_MS), then the pages of up to `render` newly published versions rendered, kept and
   * held in memory (Chinese and English at the quarter's address, and the JSON download), so their first
   * reader is not the one who waits for the rendering and the compression.
   */
  keepAhead(render?: number): Promise<{ quarters: number; rendered: number }>;
};

/** how often the service runs `keepAhead`: half the cache's life, so a quarter read often never waits on its lookup */
export const PUBLISHED_KEEP_AHEAD_MS = PUBLISHED_CACHE_TTL_MS / 2;

export function publishedFastPath(deps: AppDeps): PublishedPages {
  const db = deps.database.db;
  /** `CODE/QUARTER` → the current published version number (or null), for PUBLISHED_CACHE_TTL_MS */
  const current = new Bounded<{ at: number; version: Promise<number | null>; value?: number | null }>(200_000);
  /** `CODE/QUARTER/N` → the published version */
  const versions = new Bounded<Promise<PublishedDisclosure | null>>(4_000);
  /** `CODE/QUARTER/N/kind` → a stored representation */
  const stored = new Bounded<Promise<Stored | null>>(4_000);

  const versionOf = (code: string, quarter: string, n: number) => {
    const key = `${code}/${quarter}/${n}`;
    let hit = versions.get(key);
    if (!hit) {
      hit = findPublished(db, code, quarter, n);
      hit.then(
        (d) => d ?? versions.delete(key),
        () => versions.delete(key),
      );
      versions.set(key, hit);
    }
    return hit;
  };

  const currentVersion = (code: string, quarter: string): Promise<number | null> => {
    const key = `${code}/${quarter}`;
    const now = Date.now();
    const hit = current.get(key);
    if (hit && now - hit.at < PUBLISHED_CACHE_TTL_MS) return hit.version;
    const version = findPublished(db, code, quarter).then((d) => {
      if (d) versions.set(`${code}/${quarter}/${d.version}`, Promise.resolve(d));
      return d?.version ?? null;
    });
    const entry: { at: number; version: Promise<number | null>; value?: number | null } = { at: now, version };
    version.then(
      (v) => (entry.value = v),
      () => current.delete(key),
    );
    current.set(key, entry);
    return version;
  };

  /** the same entries once made, for answering without a turn of the event loop */
  const ready = new Bounded<Stored>(4_000);
  const memo = (key: string, make: () => Promise<Stored | null>) => {
    let hit = stored.get(key);
    if (!hit) {
      hit = make();
      hit.then(
        (s) => (s ? ready.set(key, s) : stored.delete(key)),
        () => stored.delete(key),
      );
      stored.set(key, hit);
    }
    return hit;
  };

  /** The page of version `d` in `lang`, at its own address or at the quarter's; rendered once and kept. */
  const page = (d: PublishedDisclosure, lang: Lang, atQuarter: boolean) =>
    memo(`${d.institutionCode}/${d.quarter}/${d.version}/${lang}${atQuarter ? '.current' : ''}`, () =>
      storedPage(deps, d, lang, atQuarter),
    );

  /** The signed canonical content of version `d` (its JSON download) or its detached signature. */
  const file = (d: PublishedDisclosure, kind: '.json' | '.json.sig') =>
    memo(`${d.institutionCode}/${d.quarter}/${d.version}/${kind}`, () => signedFile(deps, d, kind));

  const serve = async (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void, m: RegExpExecArray, query: string) => {
    const code = m[1].toUpperCase();
    const quarter = m[2];
    const addressed = m[3] ? Number(m[3]) : null;
    const kind = (m[4] ?? '') as '' | '.json' | '.json.sig';
    let lang: Lang = 'zh';
    if (kind === '') {
      if (addressed === null) {
        // the quarter's page with a query (e.g. ?lang=en, which sets the cookie) or a signed-in reader: the ordinary page
        if (query || cookieOf(req, SESSION_COOKIE)) return next();
        lang = cookieOf(req, LANG_COOKIE) === 'en' ? 'en' : 'zh';
      } else {
        lang = /(?:^|&)lang=en(?:&|$)/.test(query) ? 'en' : 'zh';
      }
    }
    const cacheControl = addressed === null ? REVALIDATE : IMMUTABLE;
    const vary = kind === '' && addressed === null ? 'Accept-Encoding, Cookie' : 'Accept-Encoding';
    const keyOf = (n: number) => `${code}/${quarter}/${n}/${kind === '' ? `${lang}${addressed === null ? '.current' : ''}` : kind}`;
    // the hot path: the current version known and the entry made
    const known = addressed ?? current.get(`${code}/${quarter}`);
    const fresh = typeof known === 'number' ? known : known && Date.now() - known.at < PUBLISHED_CACHE_TTL_MS ? known.value : undefined;
    const hot = typeof fresh === 'number' ? ready.get(keyOf(fresh)) : undefined;
    if (hot) return sendStored(req, res, hot, cacheControl, vary);
    const n = addressed ?? (await currentVersion(code, quarter));
    if (n === null) return next();
    const d = await versionOf(code, quarter, n);
    if (!d) return next();
    const entry = kind === '' ? await page(d, lang, addressed === null) : await file(d, kind);
    if (!entry) return next();
    sendStored(req, res, entry, cacheControl, vary);
  };

  /** versions whose pages could not be kept: not tried again by `keepAhead` (a reader still may) */
  const failed = new Set<string>();
  const keepAhead = async (render = 20) => {
    const at = Date.now();
    const quarters = await currentPublishedVersions(db, 'zh.current', PAGE_TEMPLATE);
    for (const q of quarters) {
      const key = `${q.code}/${q.quarter}`;
      // a reader's lookup that started after this query knows better
      if ((current.get(key)?.at ?? -Infinity) > at) continue;
      current.set(key, { at, version: Promise.resolve(q.version), value: q.version });
    }
    let rendered = 0;
    for (const q of quarters) {
      // within half a pass's interval: the next pass reads the version numbers again in time
      if (rendered >= render || Date.now() - at > PUBLISHED_KEEP_AHEAD_MS / 2) break;
      if (q.kept || failed.has(q.versionId)) continue;
      const d = await versionOf(q.code, q.quarter, q.version);
      const made = d ? await Promise.all([page(d, 'zh', true), page(d, 'en', true), file(d, '.json')]) : [null];
      if (made.some((m) => !m)) {
        if (failed.size >= 1_000) failed.clear();
        failed.add(q.versionId);
      }
      rendered += 1;
    }
    return { quarters: quarters.length, rendered };
  };

  const handler: PublishedFastPath = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const url = req.url ?? '';
    if (!url.startsWith('/disclosures/')) return next();
    const q = url.indexOf('?');
    const m = PATH.exec(q < 0 ? url : url.slice(0, q));
    if (!m) return next();
    serve(req, res, next, m, q < 0 ? '' : url.slice(q + 1)).catch(next);
  };
  return Object.assign(handler, { keepAhead });
}
