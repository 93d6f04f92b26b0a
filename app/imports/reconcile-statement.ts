/**
 * Reconciliation of an imported published statement with the loan-level records: the quarter is
 * compiled as it stands (app/disclosures/compile-version.ts computes the content without storing it)
 * and compared figure by figure with the imported figures. Nothing is written. An operator sees every
 * bank's, a bank its own.
 */
import { importedVersions } from '../../db/repositories/imports.js';
import type { DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import type { InstitutionRow } from '../../db/repositories/institutions.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { reconcile, type ImportedContent, type ReconciliationRow } from '../../domain/disclosures/imported-statement.js';
import { computeContent } from '../disclosures/compile-version.js';
import { bankOf } from '../disclosures/workflow.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

export type Reconciliation = {
  bank: InstitutionRow;
  quarter: string;
  version: DisclosureVersionRow;
  imported: ImportedContent['imported'];
  compiledOn: IsoDate;
  countedLoans: number;
  rows: ReconciliationRow[];
};

async function bankFor(ctx: ActorContext, code: string): Promise<InstitutionRow> {
  const bank = await bankOf(ctx.tx, code);
  if (ctx.actor.role !== 'operator' && ctx.actor.institutionId !== bank.id) refuse('not_found', `bank ${code} not found`);
  return bank;
}

async function reconcileVersion(ctx: ActorContext, bank: InstitutionRow, version: DisclosureVersionRow): Promise<Reconciliation> {
  const imported = version.content as ImportedContent;
  const compiled = await computeContent(ctx.tx, {
    institution: bank,
    quarter: version.quarter,
    version: version.version,
    previousVersion: null,
    restatesVersion: null,
  });
  return {
    bank,
    quarter: version.quarter,
    version,
    imported: imported.imported,
    compiledOn: shanghaiDate(ctx.now),
    countedLoans: compiled.basis.loans,
    rows: reconcile(imported, compiled),
  };
}

/** One quarter: the latest imported version against the figures compiled now. */
export async function reconcileQuarter(ctx: ActorContext, input: { institutionCode: string; quarter: string }): Promise<Reconciliation> {
  const bank = await bankFor(ctx, input.institutionCode);
  const [version] = await importedVersions(ctx.tx, bank.id, input.quarter);
  if (!version) refuse('not_found', `no published statement of ${bank.code} ${input.quarter} was imported`);
  return reconcileVersion(ctx, bank, version);
}

/** Every quarter of a bank with an imported statement, newest first (one compilation per quarter). */
export async function reconcileBank(ctx: ActorContext, input: { institutionCode: string }): Promise<Reconciliation[]> {
  const bank = await bankFor(ctx, input.institutionCode);
  const out: Reconciliation[] = [];
  for (const version of await importedVersions(ctx.tx, bank.id)) out.push(await reconcileVersion(ctx, bank, version));
  return out;
}
