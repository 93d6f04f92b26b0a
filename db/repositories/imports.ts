/**
 * Historical imports: the import rows, the records they booked (by the bank's own references), the
 * service's import agents (the users an import books as), and the reads the import and the published
 * statements need. Plain rows in and out; the stories live in app/imports/.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { generateApiKey, sha256Hex } from '../../platform/credentials.js';
import { bulkInsert } from '../bulk.js';
import type { Tx } from '../client.js';
import { disclosureVersions, importRecords, imports, institutions, operations, users } from '../schema/index.js';

export type ImportRow = typeof imports.$inferSelect;
export type ImportRecordRow = typeof importRecords.$inferSelect;

/**
 * Serialises the booking of imports for the rest of the transaction: one import books its records at a
 * time. An import is one long transaction that takes operation rows and the journal's head as it goes;
 * two of them booking side by side would wait on each other in a circle (and they would queue on the
 * journal's head anyway). Their loans (each bank's own, under its own lock) may be written side by side.
 */
export async function lockImports(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('imports'))`);
}

export async function findImportBySha(tx: Tx, documentSha256: string): Promise<ImportRow | null> {
  const [row] = await tx.select().from(imports).where(eq(imports.documentSha256, documentSha256)).limit(1);
  return row ?? null;
}

/** An import with its bank's code and the importer's name (one query). */
export async function findImportView(tx: Tx, id: string) {
  const [row] = await tx
    .select({ import: imports, institutionCode: institutions.code, importedByName: users.name })
    .from(imports)
    .innerJoin(institutions, eq(institutions.id, imports.institutionId))
    .innerJoin(users, eq(users.id, imports.importedBy))
    .where(eq(imports.id, id))
    .limit(1);
  return row ?? null;
}
export type ImportView = NonNullable<Awaited<ReturnType<typeof findImportView>>>;

export async function insertImport(tx: Tx, values: typeof imports.$inferInsert): Promise<ImportRow> {
  const [row] = await tx.insert(imports).values(values).returning();
  return row;
}

export async function completeImport(
  tx: Tx,
  id: string,
  values: Pick<typeof imports.$inferInsert, 'counts' | 'resultStatus' | 'result'>,
): Promise<void> {
  await tx
    .update(imports)
    .set({ ...values, status: 'completed', progress: null })
    .where(eq(imports.id, id));
}

/** An import's row, locked for the rest of the transaction (one part of it books at a time). */
export async function findImportForUpdate(tx: Tx, id: string): Promise<ImportRow | null> {
  const [row] = await tx.select().from(imports).where(eq(imports.id, id)).for('update');
  return row ?? null;
}

/** What the parts of an import still booking have booked so far. */
export async function saveImportProgress(tx: Tx, id: string, progress: unknown): Promise<void> {
  await tx.update(imports).set({ progress }).where(eq(imports.id, id));
}

/**
 * Refreshes the planner's statistics of the tables a large import fills, after its loans are committed
 * (autovacuum would, later): the parts and the corrections that follow are planned for the rows there
 * are, not for the rows there were. Outside a transaction.
 */
export async function analyzeImportedTables(tx: Tx): Promise<void> {
  await tx.execute(sql`analyze loans, projects, project_register, application_loans, applications`);
}

/** The bank's booked records among `refs`. */
export async function findImportRecords(tx: Tx, institutionId: string, refs: readonly string[]): Promise<ImportRecordRow[]> {
  if (!refs.length) return [];
  return tx
    .select()
    .from(importRecords)
    .where(and(eq(importRecords.institutionId, institutionId), sql`${importRecords.ref} = any(${sql.param([...refs])}::text[])`));
}

export async function insertImportRecords(tx: Tx, rows: (typeof importRecords.$inferInsert)[]): Promise<void> {
  await bulkInsert(
    tx,
    'import_records',
    [
      { name: 'institution_id', type: 'uuid' },
      { name: 'ref', type: 'text' },
      { name: 'kind', type: 'text' },
      { name: 'entity_id', type: 'uuid' },
      { name: 'effective_on', type: 'date' },
      { name: 'content_sha256', type: 'text' },
      { name: 'import_id', type: 'uuid' },
    ],
    rows.map((r) => [r.institutionId, r.ref, r.kind, r.entityId, r.effectiveOn, r.contentSha256, r.importId]),
  );
}

/** Operations of the given quarters, with their volumes. */
export async function operationsOf(tx: Tx, quarters: readonly string[]) {
  if (!quarters.length) return [];
  return tx
    .select({ id: operations.id, quarter: operations.quarter, volumeFen: operations.volumeFen })
    .from(operations)
    .where(inArray(operations.quarter, [...quarters]));
}

/**
 * The user an import books as, in an institution, found by its name or created: a service user whose
 * API key nobody knows (a random one, hashed) and which is revoked at once, so it can never sign in.
 */
export async function importAgent(
  tx: Tx,
  input: { institutionId: string; name: string; role: 'operator' | 'bank'; now: Date },
): Promise<{ id: string; name: string }> {
  const find = async () => {
    const [found] = await tx
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.institutionId, input.institutionId), eq(users.name, input.name), eq(users.role, input.role)))
      .limit(1);
    return found ?? null;
  };
  // the lock only to create it (once), so imports using the agent never wait on each other here
  const existing = await find();
  if (existing) return existing;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'import-agent:' + input.institutionId + ':' + input.name}))`);
  const found = await find();
  if (found) return found;
  const [row] = await tx
    .insert(users)
    .values({
      institutionId: input.institutionId,
      name: input.name,
      role: input.role,
      apiKeySha256: sha256Hex(generateApiKey()),
      revokedAt: input.now,
    })
    .returning({ id: users.id, name: users.name });
  return row;
}

/** The operator institution (the central bank). */
export async function operatorInstitution(tx: Tx) {
  const [row] = await tx.select().from(institutions).where(eq(institutions.kind, 'operator')).orderBy(asc(institutions.createdAt)).limit(1);
  return row ?? null;
}

const statementShaOf = sql<string | null>`${disclosureVersions.content}->'imported'->>'statementSha256'`;

/** The version of a bank's quarter imported from exactly this statement, if any. */
export async function versionOfStatement(tx: Tx, institutionId: string, quarter: string, statementSha256: string) {
  const [row] = await tx
    .select()
    .from(disclosureVersions)
    .where(
      and(
        eq(disclosureVersions.institutionId, institutionId),
        eq(disclosureVersions.quarter, quarter),
        sql`${statementShaOf} = ${statementSha256}`,
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The latest imported version of each quarter of a bank (newest quarter first), or of one quarter. */
export async function importedVersions(tx: Tx, institutionId: string, quarter?: string) {
  return tx
    .selectDistinctOn([disclosureVersions.quarter])
    .from(disclosureVersions)
    .where(
      and(
        eq(disclosureVersions.institutionId, institutionId),
        quarter ? eq(disclosureVersions.quarter, quarter) : undefined,
        sql`${statementShaOf} is not null`,
      ),
    )
    .orderBy(desc(disclosureVersions.quarter), desc(disclosureVersions.version));
}

/** Banks with at least one imported statement (for the operator's page). */
export async function banksWithImportedStatements(tx: Tx) {
  return tx
    .selectDistinct({ code: institutions.code, nameZh: institutions.nameZh, nameEn: institutions.nameEn })
    .from(disclosureVersions)
    .innerJoin(institutions, eq(institutions.id, disclosureVersions.institutionId))
    .where(sql`${statementShaOf} is not null`)
    .orderBy(asc(institutions.code));
}
