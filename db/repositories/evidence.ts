/**
 * Evidence files: which institution's projects declare a hash, whether a verifier's assignments reach a
 * project declaring it, the files' metadata, and their bytes when PostgreSQL keeps them. Plain rows;
 * who may read what is decided by app/disclosures/read-evidence.ts.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { evidenceFileContents, evidenceFiles, projects } from '../schema/index.js';

export type EvidenceFileRow = typeof evidenceFiles.$inferSelect;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(result: unknown): T[] => (result as Rows<T>).rows;

/** The title of the first of the institution's projects declaring `sha256` as its evidence, or null. */
export async function declaredEvidenceTitle(tx: Tx, institutionId: string, sha256: string): Promise<string | null> {
  const [row] = await tx
    .select({ title: projects.evidenceTitle })
    .from(projects)
    .where(and(eq(projects.institutionId, institutionId), eq(projects.evidenceSha256, sha256)))
    .orderBy(projects.ref)
    .limit(1);
  return row?.title ?? null;
}

/** The title any project gives the file (for the download's name), or null when none declares it. */
export async function anyEvidenceTitle(tx: Tx, sha256: string): Promise<string | null> {
  const [row] = await tx
    .select({ title: projects.evidenceTitle })
    .from(projects)
    .where(eq(projects.evidenceSha256, sha256))
    .orderBy(projects.ref)
    .limit(1);
  return row?.title ?? null;
}

/**
 * The title under which a verifier reaches `sha256`, or null: a project of a loan in the frozen loan set
 * of a version it is (or was) assigned to declares it, or a loan of its sample declared it when sampled.
 */
export async function evidenceTitleForVerifier(tx: Tx, verifierId: string, sha256: string): Promise<string | null> {
  const [row] = rowsOf<{ title: string }>(
    await tx.execute(sql`
    -- from the few projects declaring the hash to their loans, then a key lookup per assignment of the verifier
    select title from (
      select p.evidence_title as title
      from projects p
      join loans l on l.project_id = p.id
      join verification_assignments a on a.verifier_id = ${verifierId}
      where p.evidence_sha256 = ${sha256}
        and exists (select 1 from disclosure_loans dl where dl.version_id = a.disclosure_version_id and dl.loan_id = l.id)
      union all
      select s.snapshot #>> '{project,evidence,title}'
      from verification_assignments a
      join verification_samples s on s.assignment_id = a.id
      where a.verifier_id = ${verifierId} and s.snapshot #>> '{project,evidence,sha256}' = ${sha256}
    ) reach
    limit 1`),
  );
  return row?.title ?? null;
}

export async function findEvidenceFile(tx: Tx, sha256: string): Promise<EvidenceFileRow | null> {
  const [row] = await tx.select().from(evidenceFiles).where(eq(evidenceFiles.contentSha256, sha256)).limit(1);
  return row ?? null;
}

/** The files among `hashes` that were uploaded (one query). */
export async function uploadedEvidence(tx: Tx, hashes: readonly string[]): Promise<EvidenceFileRow[]> {
  if (!hashes.length) return [];
  return tx
    .select()
    .from(evidenceFiles)
    .where(inArray(evidenceFiles.contentSha256, [...new Set(hashes)]));
}

/** Records a file's metadata; null when the same hash is already recorded (content-addressed: nothing to do). */
export async function insertEvidenceFile(tx: Tx, values: typeof evidenceFiles.$inferInsert): Promise<EvidenceFileRow | null> {
  const [row] = await tx.insert(evidenceFiles).values(values).onConflictDoNothing({ target: evidenceFiles.contentSha256 }).returning();
  return row ?? null;
}

export async function insertEvidenceContent(tx: Tx, sha256: string, data: Uint8Array): Promise<void> {
  await tx.insert(evidenceFileContents).values({ contentSha256: sha256, data }).onConflictDoNothing();
}

export async function evidenceContent(tx: Tx, sha256: string): Promise<Uint8Array | null> {
  const [row] = await tx
    .select({ data: evidenceFileContents.data })
    .from(evidenceFileContents)
    .where(eq(evidenceFileContents.contentSha256, sha256))
    .limit(1);
  return row?.data ?? null;
}
