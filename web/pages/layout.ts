/** The page frame: skip link, header with navigation and language switch, main content, footer. */
import type { Response } from 'express';
import { BANK_WORDS } from './bank-words.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import { assetHref } from '../static-assets.js';
import { stackTables } from './table-stack.js';

/** The signed-in areas, whose tables stack into cards on a phone (the public pages stack their own). */
const SIGNED_IN_AREA = /^\/(bank|operator|verify)(\/|\?|$)/;

export function layout(ctx: PageContext, title: string, body: Html): Html {
  const { t, actor } = ctx;
  const nav = [
    html`<a href="/">${t.navHome}</a>`,
    html`<a href="/disclosures">${t.navDisclosures}</a>`,
    html`<a href="/docs">${t.navDocs}</a>`,
  ];
  if (actor?.role === 'verifier') nav.push(html`<a href="/verify">${t.navVerify}</a>`);
  if (actor?.role === 'operator') nav.push(html`<a href="/operator">${t.navOperator}</a>`);
  if (actor?.role === 'bank') nav.push(html`<a href="/bank">${BANK_WORDS[ctx.lang].navBank}</a>`);
  const account = actor
    ? html`<span class="who">${t.signedInAs}: ${actor.userName} (${actor.institutionCode})</span>
        <form method="post" action="/signout" class="inline">${ctx.csrfField()}<button type="submit">${t.signOut}</button></form>`
    : html`<a href="/signin">${t.signIn}</a>`;
  // the switch to the other language
  const href = ctx.otherLangHref;
  const other = ctx.lang === 'zh' ? 'en' : 'zh-CN';
  return html`<!doctype html>
<html lang="${ctx.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t.siteTitle}</title>
<link rel="stylesheet" href="${assetHref('site.css')}">
<script src="${assetHref('site.js')}" defer></script>
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="site">
  <div class="brand"><a href="/">${t.siteTitle}</a><span class="tagline">${t.siteTagline}</span></div>
  <nav aria-label="${t.siteTitle}">${nav}</nav>
  <div class="account">
    <a class="lang" href="${href}" hreflang="${other}" lang="${other}" aria-label="${t.switchLanguage} · ${t.switchLanguageLabel}">${t.switchLanguage}</a>
    ${account}
  </div>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site"><p>cerf-ledger · <a href="/openapi.json">OpenAPI</a></p></footer>
</body>
</html>`;
}

export function sendPage(res: Response, ctx: PageContext, title: string, body: Html, status = 200) {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(SIGNED_IN_AREA.test(ctx.url) ? stackTables(layout(ctx, title, body).text) : layout(ctx, title, body).text);
}

export function sendMessagePage(res: Response, ctx: PageContext, status: number, heading: string, text: string) {
  sendPage(res, ctx, heading, html`<h1>${heading}</h1><p>${text}</p>`, status);
}
