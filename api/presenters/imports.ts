/**
 * Views of historical imports and of the reconciliation of imported statements. Pure: rows and
 * computed figures in, the API's JSON (and the operator page's rows) out; no database.
 */
import type { z } from 'zod';
import type { Reconciliation } from '../../app/imports/reconcile-statement.js';
import type { ImportProgress, ImportResult } from '../../app/imports/import-history.js';
import type { ImportView as ImportRow } from '../../db/repositories/imports.js';
import type { ImportView, ReconciliationView } from '../../schemas/imports.js';

/** An import as stored: its first answer (while booking: what its parts booked so far), named by who imported it. */
export function presentImport(view: ImportRow): z.infer<typeof ImportView> {
  const progress = view.import.progress as ImportProgress | null;
  const stored: Pick<ImportResult, 'counts' | 'records'> =
    view.import.status === 'booking' && progress
      ? { counts: { loans: progress.loans, records: progress.records }, records: progress.outcomes.filter((o) => o !== null) }
      : (view.import.result as ImportResult);
  return {
    counts: stored.counts,
    records: stored.records,
    id: view.import.id,
    institution: view.institutionCode,
    documentSha256: view.import.documentSha256,
    status: view.import.status,
    importedBy: view.importedByName,
    importedAt: view.import.importedAt.toISOString(),
  };
}

export function presentReconciliation(r: Reconciliation): z.infer<typeof ReconciliationView> {
  const differences = r.rows.filter((row) => !row.agrees).length;
  return {
    institution: r.bank.code,
    quarter: r.quarter,
    imported: { version: r.version.version, publishedOn: r.version.publishedOn, source: r.imported.source },
    compiledOn: r.compiledOn,
    countedLoans: r.countedLoans,
    agrees: differences === 0,
    differences,
    rows: r.rows,
  };
}
