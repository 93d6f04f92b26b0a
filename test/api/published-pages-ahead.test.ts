import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedPagesOf } from '../../process/app.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
  await createInstitution(t, { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' });
});
afterAll(async () => t.close());

const kept = async (code: string, quarter: string) =>
  (
    (await t.database.db.execute(
      sql`select v.version, p.variant, p.etag from published_pages p join disclosure_versions v on v.id = p.disclosure_version_id
        join institutions i on i.id = v.institution_id where i.code = ${code} and v.quarter = ${quarter} order by v.version, p.variant`,
    )) as unknown as { rows: { version: number; variant: string; etag: string }[] }
  ).rows;

describe('published pages kept ahead of their readers', () => {
  it('when a version is published, then the pass keeps its pages before anyone reads them, and the reader gets those bytes', async () => {
    const v1 = (await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3 })) as {
      id: string;
    };
    expect(await kept('CITIC', '2022Q3')).toEqual([]);

    expect(await publishedPagesOf(t.app).keepAhead()).toEqual({ quarters: 1, rendered: 1 });
    const pages = await kept('CITIC', '2022Q3');
    expect(pages.map((p) => `${p.version} ${p.variant}`)).toEqual(['1 en.current', '1 zh.current']);

    const page = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(page.status).toBe(200);
    expect(page.headers.etag?.replace(/-(gzip|br)"$/, '"')).toBe(pages.find((p) => p.variant === 'zh.current')!.etag);
    expect(page.text).toContain('13773.43万元');

    // a restatement: the next pass reads the current version again, and the quarter's page shows it at once
    await publishDisclosure(t.database.db, {
      institutionCode: 'CITIC',
      quarter: '2022Q3',
      version: 2,
      restatesVersionId: v1.id,
      horizons: { ...CITIC_2022Q3, quarter: { ...CITIC_2022Q3.quarter, loanAmountWanYuan: '13800.00' } },
    });
    expect(await publishedPagesOf(t.app).keepAhead()).toEqual({ quarters: 1, rendered: 1 });
    const restated = await request(t.app).get('/disclosures/CITIC/2022Q3');
    expect(restated.text).toContain('13800.00');
    expect((await kept('CITIC', '2022Q3')).map((p) => `${p.version} ${p.variant}`)).toEqual([
      '1 en.current',
      '1 zh.current',
      '2 en.current',
      '2 zh.current',
    ]);

    // nothing new: nothing rendered again
    expect(await publishedPagesOf(t.app).keepAhead()).toEqual({ quarters: 1, rendered: 0 });
  });
});
