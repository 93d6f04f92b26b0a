/**
 * When each bank first published each quarter it has a disclosure version of (any status), in one query:
 * the first publication date (an imported statement: the date the bank published it), or null.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';

export type FirstPublication = { institutionCode: string; quarter: string; firstPublishedOn: string | null };

export async function firstPublications(
  db: Db,
  filter: { institutionCode?: string; quarters?: string[] } = {},
): Promise<FirstPublication[]> {
  const conditions = [sql`true`];
  if (filter.institutionCode) conditions.push(sql`i.code = ${filter.institutionCode}`);
  if (filter.quarters) {
    if (!filter.quarters.length) return [];
    conditions.push(
      sql`dv.quarter in (${sql.join(
        filter.quarters.map((q) => sql`${q}`),
        sql`, `,
      )})`,
    );
  }
  const result = await db.execute(sql`select i.code as institution_code, dv.quarter,
      min(coalesce(dv.content->'imported'->>'publishedOn', dv.published_on::text)) filter (where dv.status = 'published') as first_published_on
    from disclosure_versions dv join institutions i on i.id = dv.institution_id
    where ${sql.join(conditions, sql` and `)}
    group by i.code, dv.quarter
    order by dv.quarter, i.code`);
  return (result as unknown as { rows: { institution_code: string; quarter: string; first_published_on: string | null }[] }).rows.map(
    (r) => ({
      institutionCode: r.institution_code,
      quarter: r.quarter,
      firstPublishedOn: r.first_published_on,
    }),
  );
}
