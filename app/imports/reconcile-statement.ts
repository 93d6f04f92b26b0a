/**
 * Reconciliation of an imported published statement with the loan-level records: the records' exact
 * figures of the quarter as they stand (the raw sums the compilation adds, and each project's exact
 * reduction fraction) compared figure by figure with the published ones, at the precision the bank
 * published (domain/disclosures/imported-statement.ts). Nothing is written. An operator sees every
 * bank's, a bank its own.
 */
import { importedVersions } from '../../db/repositories/imports.js';
import { projectFractions, quarterSums } from '../../db/repositories/disclosures.js';
import type { DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import type { InstitutionRow } from '../../db/repositories/institutions.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { HORIZONS, type Horizon, type ProjectFraction } from '../../domain/disclosures/compile.js';
import { recordsFigures, reconcile, type ImportedContent, type ReconciliationRow } from '../../domain/disclosures/imported-statement.js';
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
  // the records' exact figures: the raw sums and, for the reduction, every project's exact fraction
  const sums = (await quarterSums(ctx.tx, version.quarter, bank.id)).get(bank.id) ?? { subAreas: [], topProjects: [] };
  const fractions = { quarter: [], yearToDate: [], sinceInception: [] } as Record<Horizon, ProjectFraction[]>;
  for (const h of HORIZONS) fractions[h] = await projectFractions(ctx.tx, bank.id, version.quarter, h);
  const records = recordsFigures(sums.subAreas, fractions);
  return {
    bank,
    quarter: version.quarter,
    version,
    imported: imported.imported,
    compiledOn: shanghaiDate(ctx.now),
    countedLoans: sums.subAreas.reduce((n, r) => n + r.sinceInception.loans, 0),
    rows: reconcile(imported, records),
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
