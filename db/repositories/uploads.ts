/**
 * Uploaded files (CSV / XLSX) and their job state: the upload row, the file's parts in order, the
 * uploading user as an actor. Plain rows in and out; the story lives in app/uploads/.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/actor.js';
import type { Tx } from '../client.js';
import { institutions, uploadParts, uploads, users } from '../schema/index.js';

export type UploadRow = typeof uploads.$inferSelect;
export type UploadSummary = Omit<UploadRow, 'errors'>;

/** Every column but the error list (which may be long). */
const SUMMARY = {
  id: uploads.id,
  institutionId: uploads.institutionId,
  uploadedBy: uploads.uploadedBy,
  kind: uploads.kind,
  format: uploads.format,
  fileName: uploads.fileName,
  sizeBytes: uploads.sizeBytes,
  fileSha256: uploads.fileSha256,
  writeGoodRows: uploads.writeGoodRows,
  rowsCommitted: uploads.rowsCommitted,
  status: uploads.status,
  progressPermille: uploads.progressPermille,
  rowsRead: uploads.rowsRead,
  counts: uploads.counts,
  errorCount: uploads.errorCount,
  failure: uploads.failure,
  createdAt: uploads.createdAt,
  startedAt: uploads.startedAt,
  finishedAt: uploads.finishedAt,
  resumedAt: uploads.resumedAt,
};

export async function insertUpload(
  tx: Tx,
  row: { id: string; institutionId: string; uploadedBy: string; fileName: string; createdAt: Date },
): Promise<void> {
  await tx.insert(uploads).values({ ...row, status: 'receiving' });
}

export async function insertUploadPart(tx: Tx, uploadId: string, seq: number, data: Uint8Array): Promise<void> {
  await tx.insert(uploadParts).values({ uploadId, seq, data });
}

/** Drops an upload that was never queued (its parts go with it). */
export async function deleteUpload(tx: Tx, id: string): Promise<void> {
  await tx.delete(uploads).where(eq(uploads.id, id));
}

export async function setUploadReceived(
  tx: Tx,
  id: string,
  fields: { kind: string; format: string; sizeBytes: number; fileSha256: string; writeGoodRows: boolean },
): Promise<void> {
  await tx
    .update(uploads)
    .set({ ...fields, status: 'queued' })
    .where(and(eq(uploads.id, id), eq(uploads.status, 'receiving')));
}

/** One upload without its errors; `institutionId` limits it to one bank's. */
export async function findUpload(db: Tx, id: string, scope: { institutionId?: string } = {}): Promise<UploadSummary | null> {
  const where = scope.institutionId ? and(eq(uploads.id, id), eq(uploads.institutionId, scope.institutionId)) : eq(uploads.id, id);
  const [row] = await db.select(SUMMARY).from(uploads).where(where);
  return row ?? null;
}

export async function lockUpload(tx: Tx, id: string): Promise<UploadSummary | null> {
  const [row] = await tx.select(SUMMARY).from(uploads).where(eq(uploads.id, id)).for('update');
  return row ?? null;
}

export async function uploadErrors(db: Tx, id: string): Promise<unknown[]> {
  const [row] = await db.select({ errors: uploads.errors }).from(uploads).where(eq(uploads.id, id));
  return (row?.errors as unknown[] | null) ?? [];
}

export async function listUploads(db: Tx, institutionId: string, limit: number): Promise<UploadSummary[]> {
  return db.select(SUMMARY).from(uploads).where(eq(uploads.institutionId, institutionId)).orderBy(desc(uploads.createdAt)).limit(limit);
}

export async function partCount(db: Tx, uploadId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(uploadParts)
    .where(eq(uploadParts.uploadId, uploadId));
  return row?.n ?? 0;
}

export async function readPart(db: Tx, uploadId: string, seq: number): Promise<Uint8Array | null> {
  const [row] = await db
    .select({ data: uploadParts.data })
    .from(uploadParts)
    .where(and(eq(uploadParts.uploadId, uploadId), eq(uploadParts.seq, seq)))
    .orderBy(asc(uploadParts.seq));
  return row?.data ?? null;
}

export async function updateUpload(db: Tx, id: string, fields: Partial<Omit<UploadRow, 'id'>>): Promise<void> {
  await db.update(uploads).set(fields).where(eq(uploads.id, id));
}

/** The user who uploaded, acting as the bank. */
export async function uploaderOf(db: Tx, upload: { uploadedBy: string; institutionId: string }): Promise<Actor | null> {
  const [row] = await db
    .select({
      userId: users.id,
      userName: users.name,
      role: users.role,
      institutionId: institutions.id,
      institutionCode: institutions.code,
    })
    .from(users)
    .innerJoin(institutions, eq(institutions.id, users.institutionId))
    .where(and(eq(users.id, upload.uploadedBy), eq(institutions.id, upload.institutionId)));
  return row ? { ...row, role: row.role as Actor['role'] } : null;
}
