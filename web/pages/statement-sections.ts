/**
 * Sections of a published disclosure's page about its statement: the projects the bank named, the
 * restatement (its reason and the figures that changed from the restated version) and the share of
 * each reduction figure by assessment method. Each renders nothing when the version has none.
 */
import type { FigureChange } from '../../domain/disclosures/difference.js';
import type { MethodShares } from '../../domain/disclosures/figures.js';
import { AREA_NAMES } from '../../domain/policy/index.js';
import type { PageContext } from './context.js';
import { cells, headRow, html, numCells, type Html } from './html.js';
import { fill } from './i18n.js';

const HORIZONS = ['quarter', 'yearToDate', 'sinceInception'] as const;
type HorizonKey = (typeof HORIZONS)[number];
const horizonLabel = ({ t }: PageContext, key: string) =>
  key === 'quarter' ? t.horizonQuarter : key === 'yearToDate' ? t.horizonYtd : t.horizonSince;

/** The projects the statement names, as a list under the proposed projects. */
export function namedProjectsNote(ctx: PageContext, named: readonly { ref: string; name: string }[] | undefined): Html | '' {
  if (!named?.length) return '';
  return html`<p class="named-projects"><strong>${ctx.t.namedProjectsLabel}</strong>: ${named.map((p) => p.name).join(ctx.lang === 'zh' ? '；' : '; ')}</p>`;
}

export type Restatement = {
  restatesVersion: number | null;
  changeReason: string | null;
  difference: { figures?: FigureChange[]; loans?: { change: string }[] } | null;
};

/** A restatement: which version it restates, why, and the figures that changed. */
export function restatementSection(ctx: PageContext, r: Restatement): Html | '' {
  if (!r.restatesVersion) return '';
  const { t } = ctx;
  const reason =
    r.changeReason === 'support_after_compile'
      ? t.reasonSupportAfterCompile
      : r.changeReason === 'support_withdrawn'
        ? t.reasonSupportWithdrawn
        : (r.changeReason ?? '—');
  const figureName: Record<string, string> = {
    projects: t.projects,
    loanAmountWanYuan: t.loanAmount,
    weightedAverageRatePercent: t.weightedRate,
    annualReductionTonnes: t.annualReduction,
  };
  const scopeName = (scope: string) =>
    scope === 'total' ? t.recTotal : ((AREA_NAMES as Record<string, { zh: string; en: string }>)[scope]?.[ctx.lang] ?? scope);
  const figures = r.difference?.figures ?? [];
  const loans = r.difference?.loans ?? [];
  const count = (change: string) => loans.filter((l) => l.change === change).length;
  const rows = figures.map(
    (f) =>
      html`<tr><th scope="row">${scopeName(f.scope)}</th>${cells([horizonLabel(ctx, f.horizon), figureName[f.figure]])}${numCells([
        f.from ?? '—',
        f.to ?? '—',
      ])}</tr>`,
  );
  const loanLine = r.difference?.loans
    ? html`<p>${fill(t.changedLoans, { added: count('added'), removed: count('removed'), changed: count('changed') })}</p>`
    : '';
  const heads = headRow([t.recScope, t.quarter, t.recFigure, t.figureFrom, t.figureTo]);
  const table = figures.length
    ? html`<div class="table-wrap" tabindex="0"><table class="restatement-figures"><caption>${t.changedFiguresCaption}</caption>${heads}<tbody>${rows}</tbody></table></div>`
    : '';
  return html`<section aria-labelledby="h-restatement" class="restatement"><h2 id="h-restatement">${t.restatementHeading}</h2>
<p class="restatement-reason">${fill(t.restatementOf, { v: r.restatesVersion, reason })}</p>${loanLine}${table}</section>`;
}

/** Each horizon's reduction figure with the share of each assessment method. */
export function methodsSection(
  ctx: PageContext,
  horizons: Partial<Record<HorizonKey, { reductionMethods?: MethodShares | null }>>,
): Html | '' {
  const { t } = ctx;
  const rows = HORIZONS.flatMap((h) => {
    const m = horizons[h]?.reductionMethods;
    return m
      ? [
          html`<tr><th scope="row">${horizonLabel(ctx, h)}</th>${numCells([m.feasibility_study, m.environmental_impact_assessment, m.third_party_assessment])}</tr>`,
        ]
      : [];
  });
  if (!rows.length) return '';
  const heads = headRow([t.quarter, t.methodFeasibility, t.methodEia, t.methodThirdParty]);
  return html`<section aria-labelledby="h-methods"><h2 id="h-methods">${t.methodsHeading}</h2>
<div class="table-wrap" tabindex="0"><table><caption>${t.methodsCaption}</caption>${heads}<tbody>${rows}</tbody></table></div></section>`;
}
