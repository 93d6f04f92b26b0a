/**
 * Every CSV the service produces goes through the one guarded writer (platform/csv.ts): a borrower or
 * project named like a spreadsheet formula comes out of each export as text, never as a live formula.
 */
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutions } from '../../db/schema/index.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createLoan } from '../factories/refinancing.js';
import { signInToPages } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

/** Text a spreadsheet would run: each formula prefix the guard must neutralise. */
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', "-2+3+cmd|' /C calc'!A0", '@SUM(A1)', '\t=1+1', '\r=1+1'];

/** The cells of a CSV text that a spreadsheet would run as a formula. */
function liveFormulas(csv: string): string[] {
  const rows = parse(csv.replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][];
  return rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell));
}

let t: TestApp;
let bank: { code: string; apiKey: string };
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  bank = await createInstitution(t);
  for (const [i, text] of HOSTILE.entries()) {
    await createLoan(t, bank.apiKey, { borrower: { name: text }, project: { name: `${text} 项目${i}` } });
  }
});
afterAll(async () => t?.close());

/** The cells of `csv` that carry one of the hostile texts (after the guard's apostrophe). */
const hostileCells = (csv: string) =>
  (parse(csv.replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][])
    .flat()
    .filter((c) => HOSTILE.some((h) => c.endsWith(h.trim())));

describe('the formula guard on every CSV export', () => {
  it('when the bank exports its loans from its page, then no cell is a live formula and each hostile name is kept as text', async () => {
    const cookies = await signInToPages(t, bank.apiKey);
    const res = await request(t.app).get('/bank?export=csv').set('Cookie', cookies.join('; '));
    expect(res.status).toBe(200);
    expect(liveFormulas(res.text)).toEqual([]);
    const cells = (parse(res.text.replace(/^\ufeff/, ''), { relax_column_count: true }) as string[][]).flat();
    // the borrower's own column: the name as it was stored, behind the apostrophe that keeps it text
    for (const text of HOSTILE)
      expect(
        cells.filter((c) => c.endsWith(text.trim())).map((c) => c[0]),
        JSON.stringify(text),
      ).toContain("'");
  });

  it('when the audit trail is exported through the API and from the operator page, then no cell is a live formula', async () => {
    const api = await request(t.app).get(`/api/v1/audit/export?institution=${bank.code}`).set(bearer(t.operatorKey));
    expect(api.status).toBe(200);
    expect(api.text).toContain('HYPERLINK');
    expect(liveFormulas(api.text)).toEqual([]);
    const cookies = await signInToPages(t, t.operatorKey);
    const page = await request(t.app).get('/operator/audit/export.csv').set('Cookie', cookies.join('; '));
    expect(page.status).toBe(200);
    expect(liveFormulas(page.text)).toEqual([]);
  });

  it('when the audit export spans many of its pages, then every record comes once, newest first', async () => {
    for (let i = 0; i < 110; i++) await createLoan(t, bank.apiKey);
    const listed: number[] = [];
    for (let cursor: string | null = null; ;) {
      const res: request.Response = await request(t.app)
        .get(`/api/v1/audit?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
        .set(bearer(t.operatorKey));
      listed.push(...(res.body.items as { seq: number }[]).map((r) => r.seq));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(listed.length).toBeGreaterThan(200);
    const csv = await request(t.app).get('/api/v1/audit/export').set(bearer(t.operatorKey));
    const rows = parse(csv.text.replace(/^\ufeff/, ''), { columns: true }) as { seq: string }[];
    expect(rows.map((r) => Number(r.seq))).toEqual(listed);
  });
});

describe('the formula guard on the public downloads', () => {
  // one published bank per hostile text: its names (as a registry could hold them) and its area carry it
  const codes: string[] = [];
  beforeAll(async () => {
    for (const [i, text] of HOSTILE.entries()) {
      const inst = await createInstitution(t);
      await t.database.db
        .update(institutions)
        .set({ nameZh: text, nameEn: HOSTILE[(i + 1) % HOSTILE.length] })
        .where(eq(institutions.code, inst.code));
      await publishDisclosure(t.database.db, {
        institutionCode: inst.code,
        quarter: '2022Q3',
        horizons: CITIC_2022Q3,
        byArea: [{ area: text, ...CITIC_2022Q3 }],
      });
      codes.push(inst.code);
    }
  });

  it('when anyone downloads the disclosures, a bank, one disclosure, the totals or the statistics as CSV, then no cell is a live formula', async () => {
    const downloads = [
      '/disclosures.csv?quarter=2022Q3',
      '/totals.csv',
      '/statistics.csv',
      ...codes.flatMap((c) => [`/institutions/${c}.csv`, `/disclosures/${c}/2022Q3.csv`]),
    ];
    const seen = new Set<string>();
    for (const path of downloads) {
      const res = await request(t.app).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toContain('text/csv');
      expect(liveFormulas(res.text), path).toEqual([]);
      for (const cell of hostileCells(res.text)) {
        expect(cell[0], `${path}: ${JSON.stringify(cell)}`).toBe("'");
        seen.add(cell.slice(1).trim());
      }
    }
    // every hostile text came out of some download, as text
    for (const text of HOSTILE)
      expect(
        [...seen].some((c) => c.endsWith(text.trim())),
        JSON.stringify(text),
      ).toBe(true);
    // a bank's own download carries both its names and its area
    const own = await request(t.app).get(`/disclosures/${codes[0]}/2022Q3.csv`);
    expect(hostileCells(own.text).length).toBeGreaterThanOrEqual(1);
    const bank = await request(t.app).get(`/institutions/${codes[0]}.csv`);
    expect(hostileCells(bank.text).length).toBeGreaterThanOrEqual(2);
  });
});
