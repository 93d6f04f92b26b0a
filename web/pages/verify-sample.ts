/** The assignment page's first two sections: the disclosure's figures and the frozen sample, loan by loan. */
import type { AssignmentView } from '../../db/read-models/verifier-queue.js';
import type { SampleRow } from '../../db/repositories/verification.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { evidencePageUrl } from '../../api/presenters/evidence.js';
import type { PageContext } from './context.js';
import { cellRow, cells, headRow, html, type Html } from './html.js';
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
      ? html`<tr><th scope="row">${word}</th>${cells([h.projects, h.loanAmountWanYuan, h.weightedAverageRatePercent ?? '—', h.annualReductionTonnes])}</tr>`
      : '';
  })}</tbody></table>
${namedProjectsNote(ctx, content.namedProjects)}
<p>${t.vfVersionStatus}: ${statusWord(t, version.status)} · SHA-256 <code>${version.contentSha256}</code></p></section>`;
  return figures;
}

/** The frozen sample: each loan as it was sampled, its evidence file linked once the bank uploaded it. */
export function sampleSection(ctx: PageContext, sample: SampleRow[], uploaded: Set<string>): Html {
  const { t } = ctx;
  const sampleTable = html`<section aria-labelledby="h-sample"><h2 id="h-sample">${t.sampleHeading}</h2>
<div class="table-scroll" role="region" aria-labelledby="h-sample" tabindex="0"><table class="sample">${headRow([
    '#',
    t.loanRef,
    t.vfBorrower,
    t.principal,
    t.rate,
    t.vfDisbursedOn,
    t.vfProject,
    t.subArea,
    t.vfTotalInvestment,
    t.vfProjectReduction,
    t.vfAttributedReduction,
    t.vfEvidenceTitle,
    t.vfEvidenceSha,
    t.vfReason,
  ])}
<tbody>${sample.map((s) => {
    const l = s.snapshot as Snapshot;
    return cellRow([
      s.ordinal,
      l.loanRef,
      l.borrowerName,
      l.principal,
      l.annualRatePercent,
      l.disbursedOn,
      l.project.name,
      l.project.subArea,
      l.project.totalInvestment,
      l.project.annualReductionTonnes,
      l.attributedAnnualReductionTonnes,
      l.project.evidence.title,
      html`<code class="sha">${l.project.evidence.sha256}</code> ${
        uploaded.has(l.project.evidence.sha256)
          ? html`<a href="${evidencePageUrl(l.project.evidence.sha256)}">${t.evOpenFile}</a>`
          : html`<span class="hint">(${t.evNotUploaded})</span>`
      }`,
      s.reason === 'material' ? t.vfReasonMaterial : t.vfReasonRandom,
    ]);
  })}</tbody></table></div></section>`;
  return sampleTable;
}
