/**
 * A published version never changes, so its page is rendered once and kept (bytes, gzip and brotli
 * copies, strong entity tag). The first page kept for a version, variant and template stays.
 */
import { findVersionById } from '../../db/repositories/disclosures.js';
import { insertPublishedPage, type PublishedPageRow } from '../../db/repositories/published-pages.js';
import type { UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';

export async function keepPublishedPage(ctx: UseCaseContext, page: Omit<PublishedPageRow, 'renderedAt'>): Promise<PublishedPageRow> {
  const version = await findVersionById(ctx.tx, page.disclosureVersionId);
  if (!version || version.status !== 'published') refuse('not_found', `published version ${page.disclosureVersionId} not found`);
  return insertPublishedPage(ctx.tx, { ...page, renderedAt: ctx.now });
}
