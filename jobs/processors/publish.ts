/** Publishes a verified version (automatic after a "verified" verdict); already published: done. */
import { publishVerified } from '../../app/disclosures/workflow.js';
import { PublishJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const publish: Processor = async (ctx, job) => {
  const payload = parsePayload(PublishJob, job.data, job.id);
  const published = await performJob(ctx, job, (uc) => publishVerified(uc, { versionId: payload.versionId }));
  return published.changed ? 'published' : 'already_published';
};
