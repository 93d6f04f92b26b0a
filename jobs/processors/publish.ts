/** Publishes a verified version (automatic after a "verified" verdict); already published: done. */
import { UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { findVersionById } from '../../db/repositories/disclosures.js';
import { publishVersion } from '../../db/repositories/disclosures-workflow.js';
import { markDone } from '../../db/repositories/outbox.js';
import { disclosureVersions } from '../../db/schema/index.js';
import { PublishJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const publish: Processor = async (ctx, job) => {
  const payload = parsePayload(PublishJob, job.data, job.id);
  return ctx.db.transaction(async (tx) => {
    await tx.select({ id: disclosureVersions.id }).from(disclosureVersions).where(eq(disclosureVersions.id, payload.versionId)).for('update');
    const version = await findVersionById(tx, payload.versionId);
    if (!version) throw new UnrecoverableError(`disclosure version ${payload.versionId} does not exist`);
    const published = await publishVersion(tx, version, ctx.now());
    if (!published.ok) throw new UnrecoverableError(published.message);
    await markDone(tx, job.id);
    return published.changed ? 'published' : 'already_published';
  });
};
