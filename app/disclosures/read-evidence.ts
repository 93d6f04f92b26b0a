/**
 * Reading an evidence file (GET /api/v1/evidence/:sha256, the pages' /evidence/:sha256): an operator
 * any uploaded file; a bank the files its own projects declare; a verifier the files declared by a
 * project of a loan in the frozen loan set (or the sample) of a version it is assigned to. For anyone
 * else the file does not exist (404, whether or not it was uploaded), so its existence is not told.
 */
import {
  anyEvidenceTitle,
  declaredEvidenceTitle,
  evidenceTitleForVerifier,
  findEvidenceFile,
  type EvidenceFileRow,
} from '../../db/repositories/evidence.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { postgresEvidenceStore, type EvidenceStore } from './evidence-store.js';

/** The title under which the actor may read `sha256`, or null when it may not. */
export async function evidenceTitleFor(ctx: ActorContext, sha256: string): Promise<string | null> {
  switch (ctx.actor.role) {
    case 'operator':
      return (await anyEvidenceTitle(ctx.tx, sha256)) ?? sha256;
    case 'bank':
      return declaredEvidenceTitle(ctx.tx, ctx.actor.institutionId, sha256);
    case 'verifier':
      return evidenceTitleForVerifier(ctx.tx, ctx.actor.institutionId, sha256);
  }
}

export async function readEvidence(
  ctx: ActorContext,
  input: { sha256: string; withBytes?: boolean; store?: EvidenceStore },
): Promise<{ file: EvidenceFileRow; title: string; bytes: Uint8Array | null }> {
  // a file is read from the store its row names (files kept in PostgreSQL stay there when S3 is configured)
  const configured = input.store ?? postgresEvidenceStore;
  const title = await evidenceTitleFor(ctx, input.sha256);
  const file = title === null ? null : await findEvidenceFile(ctx.tx, input.sha256);
  if (title === null || !file) refuse('not_found', `evidence file ${input.sha256} not found`);
  const store = file.storage === 'postgresql' ? postgresEvidenceStore : configured;
  if (store.kind !== file.storage) refuse('not_found', `evidence file ${input.sha256} is kept in ${file.storage}, which is not configured`);
  const bytes = input.withBytes === false ? null : await store.get(ctx.tx, input.sha256);
  if (input.withBytes !== false && !bytes) refuse('not_found', `evidence file ${input.sha256} not found in its store`);
  return { file, title, bytes };
}
