/**
 * /problems and /problems/:code: what each rule code of the API's problem+json means. A problem's `type`
 * (`/problems/<code>`, relative to the service) resolves here: the code's HTTP status, its meaning in
 * Chinese and English, the field it points at, and the operations that may answer it.
 */
import { Router } from 'express';
import { describedRoutes, EDGE_PROBLEMS, standardErrors, type ProblemCode } from '../../api/openapi.js';
import { PROBLEMS } from '../../api/problems.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf, type PageContext } from './context.js';
import { pageNotFound } from './errors.js';
import { html } from './html.js';
import { sendPage } from './layout.js';

type Entry = { code: string; http: number; zh: string; en: string; path?: string };

const EDGE_ZH: Record<string, string> = { malformed_json: '请求体不是有效的 JSON', payload_too_large: '请求体过大' };

const ENTRIES: Entry[] = [
  ...Object.entries(PROBLEMS).map(([code, p]) => ({ code, ...p })),
  ...Object.entries(EDGE_PROBLEMS).map(([code, p]) => ({ code, http: p.http, en: p.en, zh: EDGE_ZH[code] ?? p.en })),
];

const words = (ctx: PageContext) =>
  ctx.lang === 'en'
    ? {
        heading: 'Problem codes of the API',
        intro: 'Every refusal of the API is application/problem+json with a `code` naming the rule; its `type` links here.',
        code: 'Code',
        status: 'HTTP status',
        meaning: 'Meaning',
        field: 'Field',
        operations: 'Operations that may answer it',
        all: 'All problem codes',
        none: '—',
      }
    : {
        heading: 'API 错误代码',
        intro: 'API 的每个拒绝都以 application/problem+json 返回，`code` 指明所违反的规则，`type` 链接到本页。',
        code: '代码',
        status: 'HTTP 状态',
        meaning: '含义',
        field: '字段',
        operations: '可能返回该代码的接口',
        all: '全部错误代码',
        none: '—',
      };

/** The operations of the API description that may answer `code`. */
const operationsAnswering = (code: string) =>
  describedRoutes().filter((r) => [...standardErrors(r), ...(r.errors ?? [])].includes(code as ProblemCode));

export function problemPages(_deps: AppDeps): Router {
  const router = Router();
  router.get('/problems', (_req, res) => {
    const ctx = pageOf(res);
    const w = words(ctx);
    const rows = ENTRIES.map(
      (e) =>
        html`<tr><th scope="row"><a href="/problems/${e.code}"><code>${e.code}</code></a></th><td class="num">${String(e.http)}</td><td>${ctx.lang === 'en' ? e.en : e.zh}</td></tr>`,
    );
    const body = html`<h1>${w.heading}</h1><p>${w.intro}</p>
<div class="table-scroll"><table><thead><tr><th scope="col">${w.code}</th><th scope="col">${w.status}</th><th scope="col">${w.meaning}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    sendPage(res, ctx, w.heading, body);
  });
  router.get('/problems/:code', (req, res) => {
    const entry = ENTRIES.find((e) => e.code === req.params.code);
    if (!entry) return pageNotFound(req, res);
    const ctx = pageOf(res);
    const w = words(ctx);
    const operations = operationsAnswering(entry.code).map(
      (r) => html`<li><code>${r.method.toUpperCase()} ${r.path}</code> ${r.summary}</li>`,
    );
    const body = html`<h1><code>${entry.code}</code></h1>
<dl>
<dt>${w.status}</dt><dd>${String(entry.http)}</dd>
<dt>${w.meaning}</dt><dd lang="zh">${entry.zh}</dd><dd lang="en">${entry.en}</dd>
<dt>${w.field}</dt><dd>${entry.path ? html`<code>${entry.path}</code>` : w.none}</dd>
</dl>
<h2>${w.operations}</h2>
${operations.length ? html`<ul>${operations}</ul>` : html`<p>${w.none}</p>`}
<p><a href="/problems">${w.all}</a> · <a href="/docs">API</a></p>`;
    sendPage(res, ctx, entry.code, body);
  });
  return router;
}
