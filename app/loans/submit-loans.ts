/**
 * A bank submits loans, one or a batch (docs/api.md, "Loans"). A batch is checked row by row in memory
 * against the institution's stored loans and projects (read once, under a per-institution lock), then
 * every accepted row is written with a handful of set-based statements (COPY on PostgreSQL, unnest on
 * PGlite). A row with errors writes nothing; the other rows go on. Today is `ctx.now` in Asia/Shanghai.
 *
 * Every loan's project resolves to its entry in the national register (docs/projects.md): the entries the
 * batch names are locked (in id order) and what every bank lent to them is read in one statement, so the
 * loans of all banks to one project never exceed its total investment, even when two banks submit at once.
 * A project new to the register is claimed after the rows are checked; when another transaction claimed it
 * meanwhile, the batch is checked again against that entry (nothing is written before).
 */
import { randomUUID } from 'node:crypto';
import { shanghaiDate } from '../../domain/dates.js';
import { loanContentSha256, type LoanFacts, type ProjectFacts } from '../../domain/loans/facts.js';
import { assessLoan, checkProjectFunding, projectDifferences, type InstitutionWindow } from '../../domain/loans/rules.js';
import {
  checkRegisterFunding,
  registeredInvestment,
  registerKeyOf,
  registerKeyText,
  type RegisterKey,
} from '../../domain/projects/register.js';
import type { Violation } from '../../domain/result.js';
import { findInstitutionById } from '../../db/repositories/institutions.js';
import {
  findLoansByRefs,
  findProjectsByRefs,
  insertLoans,
  insertProjects,
  lockInstitutionLoans,
  projectFactsOf,
  setProjectsFunded,
  type NewLoan,
} from '../../db/repositories/loans.js';
import {
  decidedFigures,
  lockRegisterEntries,
  registerFunding,
  resolveRegisterKeys,
  selectKeys,
} from '../../db/repositories/project-register.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

/**
 * A submitted row, already shape-checked: `facts` is null when its shape failed (`violations` say how).
 * `sha256`: the content hash of `facts` when the caller computed it already (an upload's rows are hashed
 * on a worker thread, app/uploads/check-rows.ts).
 */
export type SubmittedRow = { index: number; facts: LoanFacts | null; violations: Violation[]; sha256?: string };
export type RowResult =
  | { index: number; loanRef?: string; status: 'created' | 'unchanged'; id: string; eligible: boolean }
  | { index: number; loanRef?: string; status: 'error'; errors: Violation[] };

const isEligible = (eligibility: string) => eligibility === 'eligible' || eligibility === 'accepted';

/** The acting bank's eligibility window, as stored. */
async function institutionWindow(ctx: ActorContext): Promise<InstitutionWindow> {
  const row = (await findInstitutionById(ctx.tx, ctx.actor.institutionId))!;
  return { eligibleFrom: row.eligibleFrom, eligibleUntil: row.eligibleUntil };
}

/** What the register knows of the entries a batch names, and what the batch adds to them as it goes. */
type EntryState = { fundedFen: bigint; minDeclaredFen: bigint | null; decidedFen: bigint | null };

/**
 * The entries the keys name now, locked, with their funding. An entry locked after a link merged it into
 * another names no loans any more: its keys are read again until every entry found is live.
 */
async function lockedEntries(ctx: ActorContext, keys: readonly RegisterKey[]) {
  for (let attempt = 0; ; attempt++) {
    const ids = await selectKeys(ctx.tx, keys);
    const locked = await lockRegisterEntries(ctx.tx, [...ids.values()]);
    if (locked.every((e) => e.mergedInto === null) || attempt >= 3) {
      const funding = await registerFunding(ctx.tx, [...ids.values()]);
      const state = new Map<string, EntryState>();
      for (const e of locked) {
        const f = funding.get(e.id);
        state.set(e.id, {
          fundedFen: f?.fundedFen ?? 0n,
          minDeclaredFen: f?.minDeclaredFen ?? null,
          decidedFen: decidedFigures(e)?.totalInvestmentFen ?? null,
        });
      }
      return { ids, state };
    }
  }
}

/**
 * Submits rows for the acting bank; each row comes back created, unchanged or an error. `crossBankFunding:
 * false` (a historical import: records already published elsewhere) resolves the register entries without
 * refusing a loan that over-funds one across banks (the operators' list shows it).
 */
export async function submitLoans(
  ctx: ActorContext,
  rows: SubmittedRow[],
  options: { crossBankFunding?: boolean } = {},
): Promise<RowResult[]> {
  const { tx } = ctx;
  const institutionId = ctx.actor.institutionId;
  const institution = await institutionWindow(ctx);
  const today = shanghaiDate(ctx.now);
  await lockInstitutionLoans(tx, institutionId);
  const refs = [...new Set(rows.flatMap((r) => (r.facts ? [r.facts.loanRef] : [])))];
  const projectRefs = [...new Set(rows.flatMap((r) => (r.facts ? [r.facts.project.ref] : [])))];

  const existingLoans = new Map<string, { id: string; contentSha256: string; eligibility: string }>();
  for (const row of await findLoansByRefs(tx, institutionId, refs)) existingLoans.set(row.loanRef, row);
  const storedProjects = await findProjectsByRefs(tx, institutionId, projectRefs);
  // the register keys of the rows that may become loans (not a stored reference), with their text
  const keyOf = new Map<number, KeyOfRow>();
  for (const r of rows) {
    if (!r.facts || existingLoans.has(r.facts.loanRef)) continue;
    const key = registerKeyOf({
      creditCode: r.facts.borrowerCreditCode,
      projectName: r.facts.project.name,
      province: r.facts.project.province,
    });
    keyOf.set(r.index, { key, text: registerKeyText(key) });
  }
  const keys = [...new Map([...keyOf.values()].map((k) => [k.text, k.key])).values()];

  for (let attempt = 0; ; attempt++) {
    const register = await lockedEntries(ctx, keys);
    const plan = planBatch(rows, {
      institution,
      today,
      existingLoans,
      storedProjects,
      keyOf,
      register,
      crossBank: options.crossBankFunding !== false,
    });
    // claim the projects new to the register (only those of accepted rows)
    const newKeys = new Map<string, { key: RegisterKey; name: string; province: string }>();
    for (const l of plan.newLoans) {
      const { key, text } = keyOf.get(l.index)!;
      if (!register.ids.has(text) && !newKeys.has(text))
        newKeys.set(text, { key, name: l.facts.project.name, province: l.facts.project.province });
    }
    // none of them was found when the entries were locked: claimed without reading them again
    const claimed = await resolveRegisterKeys(
      tx,
      [...newKeys.values()].map((k) => ({ ...k.key, name: k.name, province: k.province })),
      randomUUID,
      { unseen: true },
    );
    // another transaction registered one of them first (it lost the claim to one in flight, or found one
    // committed since the entries were locked): check the batch again against that entry and its loans
    if (claimed.created < newKeys.size && attempt < 3) continue;
    const entryOf = (index: number) => {
      const text = keyOf.get(index)!.text;
      return register.ids.get(text) ?? claimed.ids.get(text)!;
    };
    const projectsTouched = [...plan.projectState.values()];
    await insertProjects(
      tx,
      institutionId,
      projectsTouched.filter((p) => p.isNew),
    );
    await setProjectsFunded(
      tx,
      projectsTouched.filter((p) => p.touched && !p.isNew),
    );
    await insertLoans(
      tx,
      institutionId,
      ctx.actor.userId,
      plan.newLoans.map(({ index, ...l }) => ({ ...l, registerId: entryOf(index) })),
    );
    return plan.results;
  }
}

/** A row's key in the register and its text (`registerKeyText`), computed once. */
type KeyOfRow = { key: RegisterKey; text: string };

type ProjectState = { id: string; facts: ProjectFacts; fundedFen: bigint; isNew: boolean; touched: boolean };

/** Checks every row in order against the stored loans and projects, the register and the rows before it. */
function planBatch(
  rows: SubmittedRow[],
  input: {
    institution: InstitutionWindow;
    today: string;
    existingLoans: Map<string, { id: string; contentSha256: string; eligibility: string }>;
    storedProjects: Awaited<ReturnType<typeof findProjectsByRefs>>;
    keyOf: Map<number, KeyOfRow>;
    register: { ids: Map<string, string>; state: Map<string, EntryState> };
    crossBank: boolean;
  },
) {
  const { institution, today, existingLoans } = input;
  const projectState = new Map<string, ProjectState>();
  for (const row of input.storedProjects) {
    projectState.set(row.ref, { id: row.id, facts: projectFactsOf(row), fundedFen: row.fundedFen, isNew: false, touched: false });
  }
  // entries new to the register, by key, as the batch fills them
  const fresh = new Map<string, EntryState>();
  const results: RowResult[] = [];
  const newLoans: (Omit<NewLoan, 'registerId'> & { index: number })[] = [];
  const seenInBatch = new Map<string, { id: string; sha: string; eligible: boolean }>();

  for (const row of rows) {
    const loanRef = row.facts?.loanRef;
    if (!row.facts) {
      results.push({ index: row.index, loanRef, status: 'error', errors: row.violations });
      continue;
    }
    const f = row.facts;
    const sha = row.sha256 ?? loanContentSha256(f);
    const stored = existingLoans.get(f.loanRef) ?? null;
    const earlier = seenInBatch.get(f.loanRef) ?? null;
    const known = stored ? { id: stored.id, sha: stored.contentSha256, eligible: isEligible(stored.eligibility) } : earlier;
    if (known) {
      if (known.sha === sha) results.push({ index: row.index, loanRef, status: 'unchanged', id: known.id, eligible: known.eligible });
      else
        results.push({
          index: row.index,
          loanRef,
          status: 'error',
          errors: [
            {
              path: 'loanRef',
              code: 'loan_ref_conflict',
              message: `loan ${f.loanRef} already exists with different content; change it with POST /api/v1/loans/${known.id}/amendments`,
            },
          ],
        });
      continue;
    }
    const { violations, assessment } = assessLoan(f, { today, institution });
    const errors = [...row.violations, ...violations];
    let project = projectState.get(f.project.ref);
    if (project) {
      const differences = projectDifferences(project.facts, f.project);
      for (const field of differences) {
        errors.push({
          path: `project.${field}`,
          code: 'project_mismatch',
          message: `project ${f.project.ref} is already recorded with a different ${field}; amend the project's loans to change it`,
        });
      }
    }
    const declaredFen = project?.facts.totalInvestmentFen ?? f.project.totalInvestmentFen;
    if (!errors.some((e) => e.code === 'project_overfunded')) {
      const funding = checkProjectFunding({
        fundedFen: project?.fundedFen ?? 0n,
        addFen: f.principalFen,
        totalInvestmentFen: declaredFen,
        projectRef: f.project.ref,
      });
      if (funding) errors.push(funding);
    }
    // across all banks: the project's entry in the register
    const keyText = input.keyOf.get(row.index)!.text;
    const entryId = input.register.ids.get(keyText);
    const entry = (entryId ? input.register.state.get(entryId) : fresh.get(keyText)) ?? {
      fundedFen: 0n,
      minDeclaredFen: null,
      decidedFen: null,
    };
    if (input.crossBank && !errors.length) {
      const declared = entry.minDeclaredFen === null ? [declaredFen] : [entry.minDeclaredFen, declaredFen];
      const investment = registeredInvestment(entry.decidedFen, declared)!;
      const across = checkRegisterFunding({
        fundedFen: entry.fundedFen,
        addFen: f.principalFen,
        totalInvestmentFen: investment,
        projectRef: f.project.ref,
      });
      if (across) errors.push(across);
    }
    if (errors.length || !assessment) {
      results.push({ index: row.index, loanRef, status: 'error', errors });
      continue;
    }
    entry.fundedFen += f.principalFen;
    entry.minDeclaredFen = entry.minDeclaredFen === null || declaredFen < entry.minDeclaredFen ? declaredFen : entry.minDeclaredFen;
    if (entryId) input.register.state.set(entryId, entry);
    else fresh.set(keyText, entry);
    if (!project) {
      project = { id: randomUUID(), facts: f.project, fundedFen: 0n, isNew: true, touched: true };
      projectState.set(f.project.ref, project);
    }
    project.fundedFen += f.principalFen;
    project.touched = true;
    const id = randomUUID();
    newLoans.push({ index: row.index, id, facts: f, sha, projectId: project.id, assessment });
    seenInBatch.set(f.loanRef, { id, sha, eligible: assessment.eligibility === 'eligible' });
    results.push({ index: row.index, loanRef, status: 'created', id, eligible: assessment.eligibility === 'eligible' });
  }
  return { results, newLoans, projectState };
}

/**
 * Submits one loan: `created` or `unchanged` with its id. Refuses `loan_ref_conflict` when the
 * reference exists with other content, `validation_failed` with every broken rule otherwise.
 */
export async function submitLoan(ctx: ActorContext, row: SubmittedRow): Promise<{ status: 'created' | 'unchanged'; id: string }> {
  const [result] = await submitLoans(ctx, [row]);
  if (result.status === 'error') {
    const refConflict = result.errors.find((e) => e.code === 'loan_ref_conflict');
    if (refConflict) refuse('loan_ref_conflict', refConflict.message);
    refuseViolations(result.errors);
  }
  return { status: result.status, id: result.id };
}
