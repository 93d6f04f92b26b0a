/** Rendered pages of published versions, kept with their compressed copies: plain rows. */
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { publishedPages } from '../schema/index.js';

export type PublishedPageRow = typeof publishedPages.$inferSelect;

export async function findPublishedPage(tx: Tx, versionId: string, variant: string, template: number): Promise<PublishedPageRow | null> {
  const [row] = await tx
    .select()
    .from(publishedPages)
    .where(
      and(eq(publishedPages.disclosureVersionId, versionId), eq(publishedPages.variant, variant), eq(publishedPages.template, template)),
    );
  return row ?? null;
}

/** Keeps a rendered page; the first one kept stays (returned). */
export async function insertPublishedPage(tx: Tx, row: PublishedPageRow): Promise<PublishedPageRow> {
  await tx.insert(publishedPages).values(row).onConflictDoNothing();
  return (await findPublishedPage(tx, row.disclosureVersionId, row.variant, row.template))!;
}
