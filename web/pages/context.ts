/** What every page template receives: language, words, who is signed in, the CSRF token, the URL. */
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../../process/context.js';
import { setPageCookie } from '../session/cookies.js';
import { CSRF_FIELD } from '../session/csrf.js';
import { html, type Html } from './html.js';
import { DICTS, type Dict, type Lang } from './i18n.js';

export const LANG_COOKIE = 'cerf_lang';

export type PageContext = {
  lang: Lang;
  t: Dict;
  actor: Actor | null;
  csrfToken: string;
  /** path and query of this request */
  url: string;
  /** this same page in the other language */
  otherLangHref: string;
  /** a hidden CSRF input for forms */
  csrfField(): Html;
};

/** `?lang=zh|en` chooses and remembers the language (cookie); otherwise the cookie; otherwise Chinese. */
export async function pageContextMiddleware(req: Request, res: Response, next: NextFunction) {
  const cookies = (res.locals.cookies as Record<string, string> | undefined) ?? {};
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  let lang: Lang = cookies[LANG_COOKIE] === 'en' ? 'en' : 'zh';
  if (asked === 'zh' || asked === 'en') {
    lang = asked;
    if (cookies[LANG_COOKIE] !== asked) setPageCookie(req, res, LANG_COOKIE, asked, 365 * 24 * 3600);
  }
  const url = new URL(req.originalUrl, 'http://local');
  const other = new URL(url);
  other.searchParams.set('lang', lang === 'zh' ? 'en' : 'zh');
  const csrfToken = await (res.locals.csrfToken as () => Promise<string>)();
  const context: PageContext = {
    lang,
    t: DICTS[lang],
    actor: (res.locals.pageActor as Actor | null) ?? null,
    csrfToken,
    url: url.pathname + url.search,
    otherLangHref: other.pathname + other.search,
    csrfField: () => html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">`,
  };
  res.locals.page = context;
  next();
}

export const pageOf = (res: Response) => res.locals.page as PageContext;
