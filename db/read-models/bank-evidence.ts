/**
 * The bank's evidence page: each of its projects with the document it declares (title and SHA-256) and,
 * when uploaded, the file's type, size and upload time — one joined query.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';

export type BankEvidenceRow = {
  projectRef: string;
  projectName: string;
  title: string;
  sha256: string;
  mediaType: string | null;
  sizeBytes: number | null;
  uploadedAt: Date | null;
};

type Row = {
  project_ref: string;
  project_name: string;
  title: string;
  sha256: string;
  media_type: string | null;
  size_bytes: number | null;
  uploaded_at: Date | string | null;
};

/** The bank's projects with their declared evidence, documents not uploaded first, then by project; at most `limit`. */
export async function bankEvidence(db: Tx, institutionId: string, limit: number): Promise<BankEvidenceRow[]> {
  const result = (await db.execute(sql`
    select p.ref as project_ref, p.name as project_name, p.evidence_title as title, p.evidence_sha256 as sha256,
      f.media_type, f.size_bytes, f.created_at as uploaded_at
    from projects p
    left join evidence_files f on f.content_sha256 = p.evidence_sha256
    where p.institution_id = ${institutionId}
    order by (f.id is not null), p.ref
    limit ${limit}`)) as unknown as { rows: Row[] };
  return result.rows.map((r) => ({
    projectRef: r.project_ref,
    projectName: r.project_name,
    title: r.title,
    sha256: r.sha256,
    mediaType: r.media_type,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    uploadedAt: r.uploaded_at === null ? null : new Date(r.uploaded_at),
  }));
}
