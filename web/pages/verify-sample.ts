/** The assignment page's first two sections: the disclosure's figures and the frozen sample, loan by loan. */
import type { AssignmentView } from '../../db/read-models/verifier-queue.js';
import type { SampleRow } from '../../db/repositories/verification.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { evidencePageUrl } from '../../api/presenters/evidence.js';
import type { PageContext } from './context.js';
import { figure, formatDecimal, formatRate, formatTonnes, formatWanYuan, yuanFigure } from './figures.js';
import { cells, headRow, html, numCells, type Html } from './html.js';
import { namedProjectsNote } from './statement-sections.js';
import { statusWord, type Snapshot } from './verify-shared.js';

/** The disclosure's figures by horizon, its named projects and the version's status and hash. */
export function figuresSection(ctx: PageContext, version: AssignmentView['version']): Html {
  const { t } = ctx;
  const content = version.content as DisclosureContent;
  const horizons: [string, keyof DisclosureContent['horizons']][] = [
    [t.horizonQuarter, 'quarter'],
    [t.horizonYtd, 'yearToDate'],
    [t.horizonSince, 'sinceInception'],
  ];
  const figures = html`<section aria-labelledby="h-figures"><h2 id="h-figures">${t.vfFiguresHeading}</h2>
<table class="figures">${headRow([t.vfHorizon, t.projects, t.loanAmount, t.weightedRate, t.annualReduction])}
<tbody>${horizons.map(([word, key]) => {
    const h = content.horizons?.[key];
    return h
      ? html`<tr><th scope="row">${word}</th>${numCells([
          formatDecimal(ctx.lang, h.projects, 0),
          figure(formatWanYuan(ctx.lang, h.loanAmountWanYuan), h.loanAmountWanYuan, ctx.lang === 'zh' ? '万元' : '10k CNY'),
          formatRate(h.weightedAverageRatePercent),
          formatTonnes(ctx.lang, h.annualReductionTonnes),
        ])}</tr>`
      : '';
  })}</tbody></table>
${namedProjectsNote(ctx, content.namedProjects)}
<p>${t.vfVersionStatus}: ${statusWord(t, version.status)} · SHA-256 <code>${version.contentSha256}</code></p></section>`;
  return figures;
}

/**
 * The frozen sample: each loan as it was sampled, in the columns the verifier checks (reference, borrower,
 * amount, rate, project, evidence); the project's other figures in the row's detail. The evidence file is
 * linked once the bank uploaded it.
 */
export function sampleSection(ctx: PageContext, sample: SampleRow[], uploaded: Set<string>): Html {
  const { t, lang } = ctx;
  const detail = (l: Snapshot) => html`<details><summary>${t.vfMore}</summary><dl class="detail">
<div><dt>${t.vfDisbursedOn}</dt><dd>${l.disbursedOn}</dd></div>
<div><dt>${t.subArea}</dt><dd>${l.project.subArea}</dd></div>
<div><dt>${t.vfTotalInvestment}</dt><dd>${yuanFigure(lang, l.project.totalInvestment)}</dd></div>
<div><dt>${t.vfProjectReduction}</dt><dd>${formatTonnes(lang, l.project.annualReductionTonnes)}</dd></div>
<div><dt>${t.vfEvidenceTitle}</dt><dd>${l.project.evidence.title}</dd></div>
<div><dt>${t.vfEvidenceSha}</dt><dd><code class="sha">${l.project.evidence.sha256}</code></dd></div></dl></details>`;
  const evidence = (l: Snapshot) =>
    uploaded.has(l.project.evidence.sha256)
      ? html`<a href="${evidencePageUrl(l.project.evidence.sha256)}" title="SHA-256 ${l.project.evidence.sha256}">${t.evOpenFile}</a>`
      : html`<span class="hint">(${t.evNotUploaded})</span>`;
  const sampleTable = html`<section aria-labelledby="h-sample"><h2 id="h-sample">${t.sampleHeading}</h2>
<div class="table-wrap" role="region" aria-labelledby="h-sample" tabindex="0"><table class="sample">${headRow([
    '#',
    t.loanRef,
    t.vfBorrower,
    t.principal,
    t.rate,
    t.vfProject,
    t.vfAttributedReduction,
    t.vfEvidenceTitle,
    t.vfReason,
  ])}
<tbody>${sample.map((s) => {
    const l = s.snapshot as Snapshot;
    return html`<tr>${cells([s.ordinal, l.loanRef, l.borrowerName])}${numCells([yuanFigure(lang, l.principal), formatRate(l.annualRatePercent)])}${cells(
      [html`${l.project.name}${detail(l)}`],
    )}${numCells([formatTonnes(lang, l.attributedAnnualReductionTonnes)])}${cells([
      evidence(l),
      s.reason === 'material' ? t.vfReasonMaterial : t.vfReasonRandom,
    ])}</tr>`;
  })}</tbody></table></div></section>`;
  return sampleTable;
}
