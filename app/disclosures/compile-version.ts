/**
 * Compiling one bank's disclosure version: the content is computed once from the loan-level sums (or
 * the sums the quarter's fan-out carried), stored with the SHA-256 of its canonical JSON, never edited,
 * and the bank is notified. Idempotent: a version that exists is left as it is (the job may run again).
 */
import {
  bankHasSupport,
  findVersion,
  findVersionById,
  insertVersion,
  projectFractions,
  quarterSums,
  quarterSumsAndSets,
  EMPTY_LOAN_SET,
  type BankSums,
  type FrozenLoanSet,
  type DisclosureVersionRow,
} from '../../db/repositories/disclosures.js';
import { countedProjects, freezeLoanSet, loanSetDifference } from '../../db/repositories/disclosure-loans.js';
import { findInstitutionById } from '../../db/repositories/institutions.js';
import { finishVersion, statementFormatOn } from '../../db/repositories/statements.js';
import { lockKeyShared, writeOutbox } from '../../db/repositories/outbox.js';
import type { Tx } from '../../db/client.js';
import type { VERSION_REASONS } from '../../db/schema/disclosures.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import {
  compileDisclosure,
  quarterPeriod,
  withNamedProjects,
  type DisclosureContent,
  type Horizon,
  type ProjectFraction,
} from '../../domain/disclosures/compile.js';
import { figureDifference } from '../../domain/disclosures/difference.js';
import { DEFAULT_STATEMENT_FORMAT, type StatementFormat } from '../../domain/disclosures/format.js';
import { jobIds } from '../../domain/job-ids.js';
import { policyForLoanDisbursedOn } from '../../domain/policy/index.js';
import type { z } from 'zod';
import type { CompileJob } from '../../schemas/disclosures.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';

export type VersionReason = (typeof VERSION_REASONS)[number];

/** Computes the content of a version from the loan-level data (not stored). */
export async function computeContent(
  tx: Tx,
  input: {
    institution: { id: string; code: string; nameZh: string; nameEn: string };
    quarter: string;
    version: number;
    previousVersion: number | null;
    restatesVersion: number | null;
    precomputed?: BankSums;
    /** the bank's format and the date it took effect; absent: the default format without exact figures */
    format?: { format: StatementFormat; effectiveFrom: string | null };
    changeReason?: string | null;
  },
): Promise<DisclosureContent> {
  const { end } = quarterPeriod(input.quarter);
  // the policy that governs the quarter's loans: the one in force at its end or, for the first window
  // (2021Q3, before the launch on 2021-11-08), the launch policy
  const policy = policyForLoanDisbursedOn(end);
  if (!policy) throw new Error(`no policy governs loans disbursed on ${end}`);
  const sums = input.precomputed ??
    (await quarterSums(tx, input.quarter, input.institution.id)).get(input.institution.id) ?? { subAreas: [], topProjects: [] };
  const base = {
    institution: { code: input.institution.code, nameZh: input.institution.nameZh, nameEn: input.institution.nameEn },
    quarter: input.quarter,
    version: input.version,
    previousVersion: input.previousVersion,
    restatesVersion: input.restatesVersion,
    rounding: policy.rounding,
    subAreas: sums.subAreas,
    topProjects: sums.topProjects,
    format: input.format?.format,
    formatEffectiveFrom: input.format?.effectiveFrom,
    changeReason: input.changeReason,
  };
  const first = compileDisclosure(base);
  if (first.ok) return first.value;
  const exact: Partial<Record<Horizon, ProjectFraction[]>> = {};
  for (const h of first.horizons) exact[h] = await projectFractions(tx, input.institution.id, input.quarter, h);
  const second = compileDisclosure({ ...base, exact });
  if (!second.ok) throw new Error('exact fractions did not resolve the reduction sums');
  return second.value;
}

/** The bank's statement format in force on `on` (the default format without exact figures if it has none). */
export async function formatOn(
  tx: Tx,
  institutionId: string,
  on: string,
): Promise<{ format: StatementFormat; effectiveFrom: string | null }> {
  const setting = await statementFormatOn(tx, institutionId, on);
  return setting
    ? {
        format: {
          amountDecimals: setting.amountDecimals,
          rateDecimals: setting.rateDecimals,
          reductionDecimals: setting.reductionDecimals,
          wholeAmountsWithoutDecimals: setting.wholeAmountsWithoutDecimals,
          trimTrailingZeros: setting.trimTrailingZeros,
          thousandsSeparators: setting.thousandsSeparators,
          variant: setting.variant,
        },
        effectiveFrom: setting.effectiveFrom,
      }
    : { format: DEFAULT_STATEMENT_FORMAT, effectiveFrom: null };
}

/**
 * The bank's sums and frozen loan set as given (the fan-out's or a correction's single read), else read
 * now: both from one read of its covered loans, or only the set beside sums the job carried.
 */
async function sumsAndSet(
  tx: Tx,
  institutionId: string,
  quarter: string,
  given: { sums?: BankSums; loanSet?: FrozenLoanSet },
): Promise<{ sums: BankSums; loanSet: FrozenLoanSet }> {
  if (given.sums && given.loanSet) return { sums: given.sums, loanSet: given.loanSet };
  if (given.sums) return { sums: given.sums, loanSet: await freezeLoanSet(tx, { institutionId, through: quarterPeriod(quarter).end }) };
  const read = await quarterSumsAndSets(tx, quarter, institutionId);
  return {
    sums: read.sums.get(institutionId) ?? { subAreas: [], topProjects: [] },
    loanSet: given.loanSet ?? read.sets.get(institutionId) ?? EMPTY_LOAN_SET,
  };
}

/**
 * Compiles and stores version `version` unless it already exists, and writes the bank's notification
 * when this call created it. `precomputed` is the bank's sums as the fan-out computed them (the compile
 * job's payload, parsed; `sums` the same, read by a correction); `reason` and `addedLoanIds` say why it was compiled as a correction (corrections.ts).
 */
export async function compileVersion(
  ctx: UseCaseContext,
  input: z.infer<typeof CompileJob> & { reason?: VersionReason; addedLoanIds?: string[]; sums?: BankSums; loanSet?: FrozenLoanSet },
): Promise<{ row: DisclosureVersionRow; created: boolean; bankCode: string }> {
  const changeReason = input.changeReason ?? input.reason ?? null;
  const bank = await findInstitutionById(ctx.tx, input.institutionId);
  if (!bank) refuse('not_found', `institution ${input.institutionId} does not exist`);
  const existing = await findVersion(ctx.tx, bank.id, input.quarter, input.version);
  if (existing) return { row: existing, created: false, bankCode: bank.code };
  const previous = input.previousVersionId ? await findVersionById(ctx.tx, input.previousVersionId) : null;
  const restates = input.restatesVersionId ? await findVersionById(ctx.tx, input.restatesVersionId) : null;
  const { end } = quarterPeriod(input.quarter);
  const format = await formatOn(ctx.tx, bank.id, end);
  const counted = await sumsAndSet(ctx.tx, bank.id, input.quarter, { sums: input.sums ?? input.precomputed, loanSet: input.loanSet });
  const computed = await computeContent(ctx.tx, {
    institution: bank,
    quarter: input.quarter,
    version: input.version,
    previousVersion: previous?.version ?? null,
    restatesVersion: restates?.version ?? null,
    precomputed: counted.sums,
    format,
    changeReason,
  });
  const inserted = await insertVersion(ctx.tx, {
    institutionId: bank.id,
    quarter: input.quarter,
    version: input.version,
    status: 'compiled',
    content: computed,
    contentSha256: sha256OfCanonical(computed),
    countedLoans: computed.basis.loans,
    previousVersionId: input.previousVersionId,
    restatesVersionId: input.restatesVersionId,
    compiledAt: ctx.now,
    reason: input.reason ?? null,
    addedLoanIds: input.addedLoanIds ?? null,
    changeReason,
    loanSetKey: counted.loanSet.key,
  });
  if (!inserted) return { row: (await findVersion(ctx.tx, bank.id, input.quarter, input.version))!, created: false, bankCode: bank.code };
  // the counted loans, frozen with the version; the content hash covers their list's hash
  const loanSet = { loans: counted.loanSet.loans, sha256: counted.loanSet.sha256 };
  // the projects the previous version named stay named while they are still counted
  const previousNamed = (previous?.content as DisclosureContent | undefined)?.namedProjects ?? [];
  const stillCounted = new Set(
    (
      await countedProjects(
        ctx.tx,
        inserted.id,
        previousNamed.map((p) => p.ref),
      )
    ).map((p) => p.ref),
  );
  const content = withNamedProjects(
    { ...computed, loanSet },
    previousNamed.filter((p) => stillCounted.has(p.ref)),
  );
  const difference = previous
    ? {
        from: previous.version,
        reason: changeReason,
        figures: figureDifference(previous.content as DisclosureContent, content),
        loans: await loanSetDifference(ctx.tx, previous.id, inserted.id),
      }
    : null;
  const row = await finishVersion(ctx.tx, inserted.id, {
    content,
    contentSha256: sha256OfCanonical(content),
    countedLoans: loanSet.loans,
    difference,
  });
  await writeOutbox(ctx.tx, [outboxJobs.notify('disclosure.compiled', row, bank)]);
  return { row, created: true, bankCode: bank.code };
}

/**
 * A version the quarter's fan-out carried the sums of (its compile job). The sums were read when the
 * fan-out ran; a record changed since then is corrected by its event, which takes the quarter's key and
 * compiles the bank's version itself when the bank has loans to count, and compiles none when it has
 * none left. So, under the same key: when the bank has no loans left to count, no version (the job's
 * sums are stale); otherwise the version as carried (or the one the correction compiled: left as it is).
 */
export async function compileFannedOutVersion(
  ctx: UseCaseContext,
  input: z.infer<typeof CompileJob>,
): Promise<{ row: DisclosureVersionRow | null; created: boolean; bankCode: string | null }> {
  // shared: the quarter's other banks' jobs run beside this one; a correction (which takes it alone) does not
  await lockKeyShared(ctx.tx, jobIds.compileQuarter(input.quarter));
  const existing = await findVersion(ctx.tx, input.institutionId, input.quarter, input.version);
  if (!existing && !input.previousVersionId && !(await bankHasSupport(ctx.tx, input.institutionId, quarterPeriod(input.quarter).end)))
    return { row: null, created: false, bankCode: null };
  return compileVersion(ctx, input);
}
