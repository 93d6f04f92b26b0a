/**
 * Every CSV the service produces goes through the one guarded writer (platform/csv.ts): a borrower or
 * project named like a spreadsheet formula comes out of each export as text, never as a live formula.
 */
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
