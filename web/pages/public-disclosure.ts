/** One published disclosure (/disclosures/:code/:quarter, .csv, .json): its page body and its downloads. */
import { PublishedCache } from './published-cache.js';
import { Router } from 'express';
import { isQuarter, quarterBounds } from '../../domain/dates.js';
import { renderStatement } from '../../domain/disclosures/statement.js';
import { AREA_NAMES, type Area } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf, type PageContext } from './context.js';
import { findPublished, type Figures, type PublishedDisclosure } from '../../db/read-models/published.js';
import type { Csv } from '../../platform/csv.js';
import { sendCsv, sendJsonDownload, splitFormat } from '../../api/downloads.js';
import { cells, headRow, html, type Html } from './html.js';
import { formatTonnes } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';
import { pageNotFound } from './errors.js';
import { methodsSection, namedProjectsNote, restatementSection } from './statement-sections.js';
import {
  HORIZON_KEYS,
  areaName,
  instName,
  horizonLabel,
  figureCells,
  figureHeads,
  importedBadge,
  figureNotes,
  horizonsTable,
  downloadLinks,
  EXACT_COLUMNS,
  FIGURE_COLUMNS,
  METHOD_COLUMNS,
  figureCsv,
} from './public-shared.js';

/** a restatement shows on the public pages at most this long after publication */
export const PUBLISHED_CACHE_TTL_MS = 5_000;

/** A figure with its unit ("11,110.00 吨", "3.12%", "CNY 2.93 billion") never breaks across lines. */
const FIGURE =
  /(?:CNY )?-?\d[\d,]*(?:\.\d+)?\s?(?:万元|亿元|元|吨|t(?![a-z])|%|billion|million|tonnes)|(?:CNY )?-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+\.\d+/g;
export function figuresKeptWhole(line: string): Html[] {
  const parts: Html[] = [];
  let at = 0;
  for (const m of line.matchAll(FIGURE)) {
    parts.push(html`${line.slice(at, m.index)}`, html`<span class="fig">${m[0]}</span>`);
    at = m.index + m[0].length;
  }
  parts.push(html`${line.slice(at)}`);
  return parts;
}

/** A disclosure's page body; `base` is where its downloads are (a version-addressed page links its own). */
export function disclosureBody(ctx: PageContext, d: PublishedDisclosure, base = `/disclosures/${d.institutionCode}/${d.quarter}`): Html {
  const { t } = ctx;
  const statement = d.content.statement ?? fallbackStatement(d);
  const lines = statement[ctx.lang].split('\n').filter(Boolean);
  const byArea = d.content.byArea ?? [];
  const top = d.content.topProjects ?? [];
  const v = d.verification;
  const verdictWord = (verdict: string | null) =>
    verdict === 'verified' ? t.verdictVerified : verdict === 'rejected' ? t.verdictRejected : t.statusUnderVerification;
  const restates = d.restatesVersion ? html` <span class="badge restatement">${fill(t.restates, { v: d.restatesVersion })}</span>` : '';
  const bankLink = html`<a href="/institutions/${d.institutionCode}">${instName(ctx, d)}</a>`;
  const statementLines = lines.map((line, i) =>
    i === 0 ? html`<p><strong>${figuresKeptWhole(line)}</strong></p>` : html`<p>${figuresKeptWhole(line)}</p>`,
  );
  const figures = horizonsTable(ctx, d.horizons, `${instName(ctx, d)} ${d.quarter}`);
  const groupHeads = HORIZON_KEYS.map((k) => html`<th scope="colgroup" colspan="4">${horizonLabel(ctx, k)}</th>`);
  const areaRows = byArea.map(
    (a) =>
      html`<tr><th scope="row">${areaName(ctx, a.area)}</th>${HORIZON_KEYS.map((k) => figureCells(ctx, a[k], horizonLabel(ctx, k)))}</tr>`,
  );
  const topItem = (p: (typeof top)[number]) =>
    html`<li>${p.name}${p.annualReductionTonnes ? html` — ${formatTonnes(ctx.lang, p.annualReductionTonnes)}` : ''}</li>`;
  const verifierName = ctx.lang === 'zh' ? v?.verifierNameZh : v?.verifierNameEn;
  const verdictNote = v?.summary ? html`<br>${v.summary}` : '';
  const historyRows = d.history.map((h) => {
    const label = html`${h.version}${h.current ? html` (${t.current})` : ''}${importedBadge(ctx, h.imported)}`;
    const restated = h.restatesVersion ? html`<span class="badge restatement">${fill(t.restates, { v: h.restatesVersion })}</span>` : '—';
    const sha = html`<code>${h.contentSha256.slice(0, 16)}…</code>`;
    return html`<tr><th scope="row">${label}</th>${cells([h.publishedOn ?? '—', restated, sha])}</tr>`;
  });
  return html`<h1>${instName(ctx, d)} · ${d.quarter}</h1>
<p>${t.version} ${d.version}${restates}${importedBadge(ctx, d.imported)} · ${t.publishedOn} ${d.publishedOn ?? '—'} · ${bankLink}</p>
${d.content.imported ? importedNote(ctx, d.content.imported) : ''}
${restatementSection(ctx, d)}
<section aria-labelledby="h-statement"><h2 id="h-statement">${t.statementHeading}</h2>
<div class="statement">${statementLines}</div></section>
<section aria-labelledby="h-figures"><h2 id="h-figures">${t.figuresAcrossQuarters}</h2>${figures}
${figureNotes(ctx, ['since', 'reduction', 'rate', 'units'])}</section>
${methodsSection(ctx, d.horizons)}
<section aria-labelledby="h-area"><h2 id="h-area">${t.byAreaHeading}</h2>
<div class="table-wrap" role="region" aria-labelledby="h-area" tabindex="0"><table class="stack by-area"><caption>${t.byAreaHeading}</caption>
<thead><tr><th scope="col" rowspan="2">${t.area}</th>${groupHeads}</tr>
<tr>${HORIZON_KEYS.map(() => figureHeads(ctx))}</tr></thead>
<tbody>${areaRows}</tbody></table></div></section>
<section aria-labelledby="h-top"><h2 id="h-top">${t.topProjectsHeading}</h2>
${top.length ? html`<ol>${top.map(topItem)}</ol>` : html`<p>${t.noTopProjects}</p>`}${namedProjectsNote(ctx, d.content.namedProjects)}</section>
<section aria-labelledby="h-verification"><h2 id="h-verification">${t.verificationHeading}</h2>
${
  v
    ? html`<dl class="cards"><div class="card"><dt>${t.verifier}</dt><dd>${verifierName}</dd></div>
<div class="card"><dt>${t.verifiedOn}</dt><dd>${v.completedOn ?? '—'}</dd></div>
<div class="card"><dt>${t.verdict}</dt><dd>${verdictWord(v.verdict)}</dd></div>
<div class="card"><dt>${t.findingsSummary}</dt><dd>${fill(t.checksCounts, { passed: v.checksPassed, failed: v.checksFailed })}${verdictNote}</dd></div></dl>
${figureNotes(ctx, ['checks'])}`
    : html`<p>${t.noVerification}</p>`
}</section>
<section aria-labelledby="h-history"><h2 id="h-history">${t.historyHeading}</h2>
<div class="table-wrap" role="region" aria-labelledby="h-history" tabindex="0"><table class="history"><caption>${t.historyHeading}</caption>${headRow([t.version, t.publishedOn, t.restatement, 'SHA-256'])}
<tbody>${historyRows}</tbody></table></div></section>
${downloadLinks(ctx, base)}
${checkSection(ctx, d)}`;
}

/** The key list every signature is checked against. */
export const KEY_LIST = '/.well-known/cerf-signing-keys.json';

/**
 * The one line that checks a signed download: fetches the JSON, its `.sig` and the key list next to it,
 * prints the SHA-256 and which key's signature holds (exit code 1 when none does).
 */
export const verifyCommand = (url: string) =>
  `node -e 'const c=require("crypto"),u=process.argv[1],g=async(p)=>Buffer.from(await (await fetch(new URL(p,u))).arrayBuffer());` +
  `(async()=>{const j=await g(u),s=Buffer.from((await g(u+".sig")).toString(),"base64"),{keys}=JSON.parse(await g("${KEY_LIST}"));` +
  `const k=keys.find((k)=>c.verify(null,j,k.publicKeyPem,s));console.log(c.createHash("sha256").update(j).digest("hex"),k?"signature valid, key "+k.kid:"signature NOT valid");` +
  `process.exitCode=k?0:1})()' ${url}`;

/** "Check this disclosure": the full SHA-256, the signed JSON, its signature, the key list and the command. */
function checkSection(ctx: PageContext, d: PublishedDisclosure): Html {
  const { t } = ctx;
  const json = `/disclosures/${d.institutionCode}/${d.quarter}/v/${d.version}.json`;
  const command = verifyCommand(`ORIGIN${json}`).split('ORIGIN');
  return html`<section aria-labelledby="h-check" class="check"><h2 id="h-check">${t.checkHeading}</h2>
<p>${t.checkIntro}</p>
<dl class="check-list"><dt>${t.checkSha}</dt><dd><code class="sha" id="content-sha256">${d.contentSha256}</code></dd>
<dt>${t.checkSignedJson}</dt><dd><a href="${json}" download>${json}</a></dd>
<dt>${t.checkSignature}</dt><dd><a href="${json}.sig" download>${json}.sig</a></dd>
<dt>${t.checkKeys}</dt><dd><a href="${KEY_LIST}">${KEY_LIST}</a></dd></dl>
<p>${t.checkCommand}</p>
<pre class="command"><code>${command[0]}<span data-origin>https://…</span>${command[1]}</code></pre>
<p class="hint">${t.checkCommandOut}</p></section>`;
}

/** An imported statement: published by the bank before it moved onto the system, with its source. */
export function importedNote(ctx: PageContext, imported: NonNullable<PublishedDisclosure['content']['imported']>): Html {
  const { t } = ctx;
  const { url, title, sha256 } = imported.source;
  const source = url ? html`<a href="${url}" rel="nofollow noopener">${title ?? url}</a>` : (title ?? '—');
  const hash = sha256 ? html`<br><code>SHA-256 ${sha256}</code>` : '';
  return html`<p class="note imported-note">${t.importedNote}</p>
<dl class="cards"><div class="card"><dt>${t.importedPublishedOn}</dt><dd>${imported.publishedOn}</dd></div>
<div class="card"><dt>${t.importedSource}</dt><dd>${source}${hash}</dd></div></dl>`;
}

export function fallbackStatement(d: PublishedDisclosure) {
  const { year, q } = quarterBounds(d.quarter);
  const blank = (f: Figures) => ({ ...f, weightedAverageRatePercent: f.weightedAverageRatePercent });
  return renderStatement({
    bank: { nameZh: d.nameZh, nameEn: d.nameEn },
    year,
    q,
    horizons: {
      quarter: blank(d.horizons.quarter),
      yearToDate: blank(d.horizons.yearToDate),
      sinceInception: blank(d.horizons.sinceInception),
    },
    areas: (d.content.byArea ?? []).map((a) => a.area).filter((a): a is Area => a in AREA_NAMES),
    namedProjects: (d.content.topProjects ?? []).map((p) => p.name),
    restatesVersion: d.restatesVersion,
  });
}

export function disclosureJson(d: PublishedDisclosure) {
  return {
    institution: { code: d.institutionCode, nameZh: d.nameZh, nameEn: d.nameEn },
    quarter: d.quarter,
    version: d.version,
    status: 'published',
    publishedOn: d.publishedOn,
    restatesVersion: d.restatesVersion,
    horizons: d.horizons,
    byArea: d.content.byArea ?? [],
    topProjects: d.content.topProjects ?? [],
    statement: d.content.statement ?? fallbackStatement(d),
    verification: d.verification,
    history: d.history,
    contentSha256: d.contentSha256,
    imported: d.content.imported ?? null,
    namedProjects: d.content.namedProjects ?? [],
    format: d.content.format ?? null,
    loanSet: d.content.loanSet ?? null,
    changeReason: d.changeReason,
    // the loan list is not public: the download counts the loans' changes
    difference: d.difference && {
      ...d.difference,
      loans: d.difference.loans && {
        added: d.difference.loans.filter((l) => l.change === 'added').length,
        removed: d.difference.loans.filter((l) => l.change === 'removed').length,
        changed: d.difference.loans.filter((l) => l.change === 'changed').length,
      },
    },
  };
}

/** One row per (scope, horizon): the totals and each area, with the four figures. */
export function disclosureCsv(d: PublishedDisclosure): Csv {
  const rows: Csv['rows'] = [];
  const base = [d.institutionCode, d.quarter, d.version];
  const beside = (f: Figures | undefined) => {
    const x = f as (Figures & { exact?: Record<string, string | null>; reductionMethods?: Record<string, string> | null }) | undefined;
    return [...EXACT_COLUMNS.map((c) => x?.exact?.[c] ?? null), ...METHOD_COLUMNS.map((m) => x?.reductionMethods?.[m] ?? null)];
  };
  for (const h of HORIZON_KEYS) rows.push([...base, 'total', h, ...figureCsv(d.horizons[h]), ...beside(d.horizons[h])]);
  for (const a of d.content.byArea ?? [])
    for (const h of HORIZON_KEYS) rows.push([...base, a.area, h, ...figureCsv(a[h]), ...beside(a[h])]);
  return {
    columns: [
      'institutionCode',
      'quarter',
      'version',
      'scope',
      'horizon',
      ...FIGURE_COLUMNS,
      ...EXACT_COLUMNS.map((c) => `exact.${c}`),
      ...METHOD_COLUMNS.map((m) => `reductionMethods.${m}`),
    ],
    rows,
  };
}

export function publicDisclosurePages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  const publishedCache = new PublishedCache<Awaited<ReturnType<typeof findPublished>>>(PUBLISHED_CACHE_TTL_MS);
  const renderedBodies = new Map<string, { d: unknown; body: ReturnType<typeof disclosureBody> }>();

  // ---- one disclosure
  router.get('/disclosures/:code/:quarter', async (req, res) => {
    const ctx = pageOf(res);
    const { name: quarter, format } = splitFormat(String(req.params.quarter));
    const code = String(req.params.code).toUpperCase();
    if (!isQuarter(quarter)) return pageNotFound(req, res);
    const d = await publishedCache.get(`${code}/${quarter}`, () => findPublished(db, code, quarter));
    if (!d) return pageNotFound(req, res);
    if (format === 'json') return sendJsonDownload(res, `cerf-${code}-${quarter}.json`, disclosureJson(d));
    if (format === 'csv') return sendCsv(res, `cerf-${code}-${quarter}.csv`, disclosureCsv(d));
    // the body depends only on the disclosure and the language: render it once per cached disclosure
    const bodyKey = `${ctx.lang}/${code}/${quarter}`;
    let rendered = renderedBodies.get(bodyKey);
    if (!rendered || rendered.d !== d) {
      rendered = { d, body: disclosureBody(ctx, d) };
      if (renderedBodies.size >= 10_000) renderedBodies.clear();
      renderedBodies.set(bodyKey, rendered);
    }
    sendPage(res, ctx, `${instName(ctx, d)} ${quarter}`, rendered.body);
  });

  return router;
}
