/**
 * A four-eyes act as the checker reads it, in the page's language: the institution, the loan, project or
 * operation by its own reference, the amount in 万元/亿元 (exact on hover), and a link to where it is.
 * The stored one-line summary (English, with ids) is what the API keeps; the page names the subject.
 */
import type { ApprovalSubjects, InstitutionNames } from '../../db/read-models/approval-subjects.js';
import type { PageContext } from './context.js';
import { fenFigure, formatTonnes, shiftLeft } from './figures.js';
import { html, type Html } from './html.js';

export type ApprovalShown = { kind: string; summary: string; input: Record<string, unknown>; resourceId: string };

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** A phrase with `{name}` holes filled by text or markup (text is escaped). */
export function fillHtml(phrase: string, values: Record<string, Html | string>): Html {
  const parts = phrase.split(/\{(\w+)\}/);
  return html`${parts.map((part, i) => (i % 2 === 1 ? (values[part] ?? `{${part}}`) : part))}`;
}

/** The ids a list of approvals names (to read their subjects in one go). */
export function subjectIds(approvals: ApprovalShown[]) {
  const loanIds: string[] = [];
  const projectIds: string[] = [];
  const institutionCodes: string[] = [];
  for (const a of approvals) {
    if (a.kind === 'accept_flagged_loan') loanIds.push(str(a.input.loanId));
    if (['link_projects', 'split_project', 'decide_project_figures'].includes(a.kind)) projectIds.push(str(a.input.id));
    if (a.kind === 'link_projects') projectIds.push(str(a.input.otherId));
    if (a.kind === 'publish_disclosure') institutionCodes.push(str(a.input.institutionCode));
    if (a.kind === 'update_institution_eligibility' || a.kind === 'set_migration_mode') institutionCodes.push(str(a.input.code));
  }
  return { loanIds, projectIds, institutionCodes };
}

/** The act in words, and where its subject is. */
export function approvalSummary(ctx: PageContext, a: ApprovalShown, s: ApprovalSubjects): { text: Html; href: string | null } {
  const { t, lang } = ctx;
  const inst = (i: InstitutionNames | undefined, code: string) =>
    i ? (lang === 'zh' ? `${i.nameZh}（${i.code}）` : `${i.nameEn} (${i.code})`) : code;
  const project = (id: string) => {
    const p = s.projects.get(id);
    return p ? `${p.ref} ${p.name} · ${inst(p.institution, p.institution.code)}` : id;
  };
  const input = a.input;
  switch (a.kind) {
    case 'open_operation':
      return {
        text: fillHtml(t.apSumOpenOperation, { quarter: str(input.quarter), amount: fenFigure(lang, str(input.volumeFen)) }),
        href: `/operator/operations#op-${str(input.quarter)}`,
      };
    case 'accept_flagged_loan': {
      const loan = s.loans.get(str(input.loanId));
      if (!loan) break;
      return {
        text: fillHtml(t.apSumAcceptLoan, {
          bank: inst(loan.institution, loan.institution.code),
          loan: loan.loanRef,
          amount: fenFigure(lang, loan.principalFen),
        }),
        href: `/operator/loans#loan-${str(input.loanId)}`,
      };
    }
    case 'publish_disclosure': {
      const code = str(input.institutionCode);
      return {
        text: fillHtml(t.apSumPublish, { bank: inst(s.institutions.get(code), code), quarter: str(input.quarter) }),
        href: `/operator/disclosures?quarter=${str(input.quarter)}#d-${code}-${str(input.quarter)}`,
      };
    }
    case 'update_institution_eligibility':
    case 'set_migration_mode': {
      const code = str(input.code);
      const phrase = a.kind === 'set_migration_mode' ? (input.enabled ? t.apSumMigrationOn : t.apSumMigrationOff) : t.apSumEligibility;
      const change = Object.entries((input.change as Record<string, unknown> | undefined) ?? {})
        .map(([k, v]) => `${k} ${str(v)}`)
        .join(', ');
      return { text: fillHtml(phrase, { bank: inst(s.institutions.get(code), code), change }), href: '/operator/institutions' };
    }
    case 'link_projects':
      return {
        text: fillHtml(t.apSumLink, { other: project(str(input.otherId)), project: project(str(input.id)) }),
        href: `/operator/projects#project-${str(input.id)}`,
      };
    case 'split_project':
      return {
        text: fillHtml(t.apSumSplit, {
          spelling: `${str(input.creditCode)} / ${str(input.name)} / ${str(input.province)}`,
          project: project(str(input.id)),
        }),
        href: `/operator/projects#project-${str(input.id)}`,
      };
    case 'decide_project_figures':
      return {
        text: fillHtml(t.apSumFigures, {
          project: project(str(input.id)),
          amount: fenFigure(lang, str(input.totalInvestmentFen)),
          tonnes: formatTonnes(lang, shiftLeft(str(input.annualReductionCentitonnes), 2)),
        }),
        href: `/operator/projects#project-${str(input.id)}`,
      };
    case 'add_operator':
      return { text: fillHtml(t.apSumAddOperator, { name: str(input.name) }), href: '/operator/institutions' };
  }
  return { text: html`${a.summary}`, href: null };
}
