/**
 * The consequential operator acts that take four eyes, each named once: the use case that performs it
 * (the same one the route called before four eyes), what it concerns, a one-line summary, and what the
 * confirmation records of its outcome (never a secret). The input is stored as JSON at the proposal, so
 * amounts travel as strings.
 */
import { acceptFlaggedLoan } from '../loans/change-loan.js';
import { addUser } from '../institutions/add-user.js';
import { setMigrationMode } from '../institutions/set-migration-mode.js';
import { updateInstitution, type InstitutionChange } from '../institutions/update-institution.js';
import { reverseEntry } from '../ledger/journal.js';
import { publishDisclosure } from '../disclosures/workflow.js';
import { openOperation } from '../refinancing/operations.js';
import { confirmPolicyChange } from '../policy/confirm-policy-change.js';
import { declinePolicyChange } from '../policy/decline-policy-change.js';
import { decideProjectFigures } from '../projects/decide-project.js';
import { linkProjects } from '../projects/link-projects.js';
import { splitProject } from '../projects/split-project.js';
import type { ActorContext } from '../perform.js';

type Spec<I, V> = {
  perform(ctx: ActorContext, input: I, decision: { comment?: string }): Promise<V>;
  subject(input: I): { resource: string; id: string };
  summary(input: I): string;
  /** what the confirmation stores of the act's outcome */
  outcome(value: V): Record<string, unknown>;
  /** what the confirmation answers once beside it (e.g. a new user's API key), never stored */
  shownOnce?(value: V): Record<string, unknown>;
  /** a decline or withdrawal also closes the kind's own record (a policy change) */
  onDecline?(ctx: ActorContext, input: I, reason: string): Promise<unknown>;
};

const spec = <I, V>(s: Spec<I, V>) => s;

type Dated = { on?: string; reason?: string };

export const APPROVAL_KINDS = {
  add_operator: spec({
    perform: (ctx, input: { name: string; passwordHash?: string }) =>
      addUser(ctx, { institutionCode: 'PBOC', name: input.name, passwordHash: input.passwordHash }),
    subject: (input) => ({ resource: 'user', id: input.name }),
    summary: (input) => `create operator user "${input.name}"`,
    outcome: (v) => ({ userId: v.id, name: v.name, role: v.role }),
    shownOnce: (v) => ({ apiKey: v.apiKey }),
  }),
  open_operation: spec({
    perform: (ctx, input: { quarter: string; volumeFen: string } & Dated) =>
      openOperation(ctx, { quarter: input.quarter, volumeFen: BigInt(input.volumeFen), on: input.on, reason: input.reason }),
    subject: (input) => ({ resource: 'operation', id: input.quarter }),
    summary: (input) => `open the ${input.quarter} operation with a volume of ${input.volumeFen} fen`,
    outcome: (v) => ({ operationId: v.id, quarter: v.quarter }),
  }),
  accept_flagged_loan: spec({
    perform: (ctx, input: { loanId: string; reason: string; on?: string }) => acceptFlaggedLoan(ctx, input),
    subject: (input) => ({ resource: 'loan', id: input.loanId }),
    summary: (input) => `accept the rate-flagged loan ${input.loanId}`,
    outcome: (v) => ({ loanId: v.id }),
  }),
  reverse_entry: spec({
    perform: (ctx, input: { entryId: string; reason: string; on?: string }) => reverseEntry(ctx, input),
    subject: (input) => ({ resource: 'journal_entry', id: input.entryId }),
    summary: (input) => `reverse journal entry ${input.entryId}`,
    outcome: (v) => ({ reversalId: v.id, sequence: String(v.sequence) }),
  }),
  publish_disclosure: spec({
    perform: (ctx, input: { institutionCode: string; quarter: string }) => publishDisclosure(ctx, input),
    subject: (input) => ({ resource: 'disclosure', id: `${input.institutionCode}/${input.quarter}` }),
    summary: (input) => `publish the ${input.quarter} disclosure of ${input.institutionCode}`,
    outcome: (v) => ({ versionId: v.id, version: v.version }),
  }),
  update_institution_eligibility: spec({
    perform: (ctx, input: { code: string; change: InstitutionChange }) => updateInstitution(ctx, input),
    subject: (input) => ({ resource: 'institution', id: input.code }),
    summary: (input) =>
      `change the eligibility of ${input.code} (${Object.entries(input.change)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    outcome: (v) => ({
      institutionId: v.id,
      eligibleFrom: v.eligibleFrom,
      eligibleUntil: v.eligibleUntil,
      category: v.category,
      categoryException: v.categoryException,
    }),
  }),
  set_migration_mode: spec({
    perform: (ctx, input: { code: string; enabled: boolean; reason: string }) => setMigrationMode(ctx, input),
    subject: (input) => ({ resource: 'institution', id: input.code }),
    summary: (input) => `${input.enabled ? 'start' : 'end'} the migration mode of ${input.code}`,
    outcome: (v) => ({ institutionId: v.id, migrationMode: v.migrationModeSince !== null }),
  }),
  link_projects: spec({
    perform: (ctx, input: { id: string; otherId: string; reason: string }) => linkProjects(ctx, input),
    subject: (input) => ({ resource: 'project', id: input.id }),
    summary: (input) => `link project ${input.otherId} into project ${input.id} (one project)`,
    outcome: (v) => ({ projectId: v.id, linkedId: v.linkedId }),
  }),
  split_project: spec({
    perform: (ctx, input: { id: string; creditCode: string; name: string; province: string; reason: string }) => splitProject(ctx, input),
    subject: (input) => ({ resource: 'project', id: input.id }),
    summary: (input) => `split the spelling ${input.creditCode} / ${input.name} / ${input.province} off project ${input.id}`,
    outcome: (v) => ({ projectId: v.id, splitId: v.splitId, loans: v.loans }),
  }),
  decide_project_figures: spec({
    perform: (ctx, input: { id: string; totalInvestmentFen: string; annualReductionCentitonnes: string; reason: string }) =>
      decideProjectFigures(ctx, input),
    subject: (input) => ({ resource: 'project', id: input.id }),
    summary: (input) =>
      `decide the figures of project ${input.id}: total investment ${input.totalInvestmentFen} fen, annual reduction ${input.annualReductionCentitonnes} centitonnes`,
    outcome: (v) => ({
      projectId: v.id,
      totalInvestmentFen: v.totalInvestmentFen.toString(),
      annualReductionCentitonnes: v.annualReductionCentitonnes.toString(),
    }),
  }),
  policy_change: spec({
    perform: (ctx, input: { changeId: string; kind: string; effectiveOn: string }, decision) =>
      confirmPolicyChange(ctx, { id: input.changeId, comment: decision.comment }),
    subject: (input) => ({ resource: 'policy_change', id: input.changeId }),
    summary: (input) => `policy data: ${input.kind.replace('_', ' ')} dated ${input.effectiveOn}`,
    outcome: (v) => ({ changeId: v.id, status: v.status }),
    onDecline: (ctx, input, reason) => declinePolicyChange(ctx, { id: input.changeId, reason }),
  }),
};

export type ApprovalKind = keyof typeof APPROVAL_KINDS;
export const APPROVAL_KIND_NAMES = Object.keys(APPROVAL_KINDS) as ApprovalKind[];
export type ApprovalInput<K extends ApprovalKind> = Parameters<(typeof APPROVAL_KINDS)[K]['perform']>[1];

/** The kind's spec, typed loosely for the generic layer. */
export const kindSpec = (kind: string): Spec<unknown, unknown> | null =>
  (APPROVAL_KINDS as Record<string, Spec<unknown, unknown>>)[kind] ?? null;
