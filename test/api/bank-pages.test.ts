import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExcelJS } from '../../platform/excel.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { eventually, startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { createLoan } from '../factories/refinancing.js';
import { signInToPages } from '../factories/sessions.js';
import { csvFile, loanCells } from '../factories/uploads.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { code: string; apiKey: string };
let other: { code: string; apiKey: string };
let session: { cookies: string[]; token: string };

/** Cookie jar + CSRF token scraped from a page, as a browser would hold them. */
async function browse(path: string, cookies: string[] = []) {
  const res = await request(t.app).get(path).set('Cookie', cookies.join('; '));
  const set = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  const jar = new Map(cookies.map((c) => [c.split('=')[0], c]));
  for (const c of set) jar.set(c.split('=')[0], c.split(';')[0]);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { res, cookies: [...jar.values()], token };
}

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: 'PAGEBANK' });
  other = await createInstitution(t, { code: 'OTHERBANK' });
  await publishDisclosure(t.database.db, { institutionCode: 'PAGEBANK', quarter: '2025Q4', horizons: CITIC_2022Q3, status: 'compiled' });
  const signin = await browse('/signin');
  const res = await request(t.app)
    .post('/signin/key')
    .set('Cookie', signin.cookies.join('; '))
    .type('form')
    .send({ apiKey: bank.apiKey, _csrf: signin.token });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/bank');
  const set = (res.headers['set-cookie'] as unknown as string[]) ?? [];
  const jar = new Map(signin.cookies.map((c) => [c.split('=')[0], c]));
  for (const c of set) jar.set(c.split('=')[0], c.split(';')[0]);
  const page = await browse('/bank', [...jar.values()]);
  session = { cookies: page.cookies, token: page.token };
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

const page = (path: string) => request(t.app).get(path).set('Cookie', session.cookies.join('; '));

describe("the bank's pages", () => {
  it('when a bank signs in, then it lands on its loans, found by reference, project, borrower or credit code, with their support status', async () => {
    const mine = await createLoan(t, bank.apiKey, { borrower: { name: '青山光伏有限公司' }, project: { name: '青山200MW光伏项目' } });
    await createLoan(t, bank.apiKey);
    await createLoan(t, other.apiKey, { borrower: { name: '青山光伏有限公司' } });
    const all = await page('/bank');
    expect(all.status).toBe(200);
    expect(all.text).toContain(mine.loanRef);
    for (const q of [mine.loanRef, '青山光伏', '200MW']) {
      const found = await page(`/bank?q=${encodeURIComponent(q)}`);
      expect(found.text).toContain(mine.loanRef);
      expect(found.text.match(/<tr><th scope="row">/g)).toHaveLength(1);
    }
    const none = await page('/bank?support=supported');
    expect(none.text).not.toContain(mine.loanRef);
    const flagged = await page('/bank?eligibility=flagged');
    expect(flagged.text).not.toContain(mine.loanRef);
    expect((await request(t.app).get('/bank')).status).toBe(303);
  });

  it('when the loans are exported, then the CSV and the XLSX hold the same rows', async () => {
    const csv = await page('/bank?export=csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    const xlsx = await page('/bank?export=xlsx')
      .buffer(true)
      .parse((res, done) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => done(null, Buffer.concat(parts)));
      });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(lines.length);
    // one value per column, amounts as numbers and dates as dates: a spreadsheet sums and sorts them
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['本行编号', '项目编号', '项目名称']);
    const column = (name: string) => header.indexOf(name) + 1;
    const row = sheet.getRow(2);
    const csvRow = lines[1].split(',');
    expect([row.getCell(1).value, row.getCell(2).value, row.getCell(3).value]).toEqual(csvRow.slice(0, 3));
    const principal = row.getCell(column('本金（元）')).value;
    expect(typeof principal).toBe('number');
    expect(row.getCell(column('本金（元）')).numFmt).toBe('#,##0.00');
    const disbursed = row.getCell(column('发放日')).value;
    expect(disbursed).toBeInstanceOf(Date);
    const principals = Array.from(
      { length: sheet.rowCount - 1 },
      (_, i) => sheet.getRow(i + 2).getCell(column('本金（元）')).value as number,
    );
    const csvPrincipals = lines.slice(1).map((l) => Number(l.split(',')[header.indexOf('本金（元）')]));
    expect(principals.reduce((a, b) => a + b, 0)).toBeCloseTo(
      csvPrincipals.reduce((a, b) => a + b, 0),
      2,
    );
    // the upload page links each kind's template
    const uploads = await page('/bank/uploads');
    for (const kind of ['loans', 'repayments', 'amendments'])
      for (const format of ['xlsx', 'csv']) expect(uploads.text).toContain(`href="/api/v1/uploads/templates/${kind}.${format}"`);
    for (const path of ['/bank/applications', '/bank/tranches', '/bank/margin-calls', '/bank/disclosures', '/bank/uploads']) {
      expect((await page(`${path}?export=csv`)).status).toBe(200);
      expect((await page(path)).status).toBe(200);
    }
  });

  it('when a file with a bad row is uploaded from the page, then its page shows the rule and the error report, and nothing is written', async () => {
    const rows = [loanRequest(), loanRequest({ disbursedOn: '2027-01-01', maturesOn: '2030-01-01' })].map(loanCells);
    const sent = await request(t.app)
      .post(`/bank/uploads?_csrf=${encodeURIComponent(session.token)}`)
      .set('Cookie', session.cookies.join('; '))
      .field('kind', 'loans')
      .attach('file', csvFile('loans', rows), 'book.csv');
    expect(sent.status).toBe(303);
    const location = sent.headers.location as string;
    expect(location).toMatch(/^\/bank\/uploads\/[0-9a-f-]{36}$/);
    const done = await eventually(async () => {
      const res = await page(location);
      return res.text.includes('disbursed_in_future') ? res : undefined;
    }, 'the upload page');
    expect(done.text).toContain('<progress');
    const report = await page(`${location}/errors.csv`);
    expect(report.text).toMatch(/\n3,disbursedOn,disbursed_in_future,/);
    expect((await page('/bank?q=' + encodeURIComponent(rows[0].loanRef))).text).not.toContain(`<th scope="row">${rows[0].loanRef}</th>`);
    const forged = await request(t.app)
      .post('/bank/uploads')
      .set('Cookie', session.cookies.join('; '))
      .field('kind', 'loans')
      .attach('file', csvFile('loans', rows), 'book.csv');
    expect(forged.status).toBe(403);
  });

  it('when a row breaks four rules, then the API batch names all four, and the upload page and its report show each in its own words in Chinese', async () => {
    // a minus sign, a rate that is no number, a maturity before the disbursement, a credit code whose check character is wrong
    const good = loanRequest();
    const code = good.borrower.creditCode;
    const wrongCheck = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    const faulty = loanRequest({
      principal: '-5',
      annualRatePercent: 'abc',
      disbursedOn: '2022-08-15',
      maturesOn: '2021-08-15',
      borrower: { creditCode: wrongCheck },
    });
    const batch = await request(t.app)
      .post('/api/v1/loans/batch')
      .set(bearer(bank.apiKey))
      .send({ loans: [faulty] });
    const faults = (batch.body.results[0].errors as { path: string; code: string; message: string }[]).map((e) => [e.path, e.code]);
    expect(faults).toEqual(
      expect.arrayContaining([
        ['loans.0.principal', 'invalid_money'],
        ['loans.0.annualRatePercent', 'invalid_rate'],
        ['loans.0.maturesOn', 'maturity_not_after_disbursement'],
        ['loans.0.borrower.creditCode', 'invalid_credit_code'],
      ]),
    );
    expect(faults).toHaveLength(4);
    const principal = batch.body.results[0].errors.find((e: { code: string }) => e.code === 'invalid_money');
    expect(principal.message).toMatch(/^must not be negative/);

    const sent = await request(t.app)
      .post(`/bank/uploads?_csrf=${encodeURIComponent(session.token)}`)
      .set('Cookie', session.cookies.join('; '))
      .field('kind', 'loans')
      .attach('file', csvFile('loans', [loanCells(faulty)]), 'four-faults.csv');
    const location = sent.headers.location as string;
    const done = await eventually(async () => {
      const res = await page(`${location}?lang=zh`);
      return res.text.includes('maturity_not_after_disbursement') ? res : undefined;
    }, 'the upload page');
    for (const words of ['不能为负数（不能带负号）', '须为以%（年利率）为单位', '到期日须晚于发放日', '不是有效的统一社会信用代码'])
      expect(done.text).toContain(words);
    expect(done.text).toContain('：four-faults.csv</h1>');
    const report = await page(`${location}/errors.csv?lang=zh`);
    const lines = report.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('行,列,规则,说明');
    expect(lines).toHaveLength(5);
    expect(report.text).toContain('2,maturesOn,maturity_not_after_disbursement,到期日须晚于发放日');
  });

  it('when the bank submits its compiled draft, then it goes to verification', async () => {
    const list = await page('/bank/disclosures');
    expect(list.text).toContain('action="/bank/disclosures/2025Q4/submit"');
    const res = await request(t.app)
      .post('/bank/disclosures/2025Q4/submit')
      .set('Cookie', session.cookies.join('; '))
      .type('form')
      .send({ _csrf: session.token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/bank/disclosures?done=1');
    const version = await request(t.app).get('/api/v1/disclosures/PAGEBANK/2025Q4').set(bearer(bank.apiKey));
    expect(version.body.status).toBe('submitted');
  });

  it('when an application form is incomplete, then the page says so and nothing is applied for', async () => {
    const res = await request(t.app)
      .post('/bank/applications')
      .set('Cookie', session.cookies.join('; '))
      .type('form')
      .send({ _csrf: session.token, operation: '2026Q1' });
    expect(res.headers.location).toBe('/bank/applications?error=invalid_input');
    const shown = await page(res.headers.location);
    expect(shown.text).toContain('role="alert"');
  });

  it('when a bank has more projects than a page lists, then its evidence page pages 200 at a time and every project is on one page', async () => {
    const many = await createInstitution(t, { code: 'EVIDENCEBANK' });
    const jar = await signInToPages(t, many.apiKey);
    const loans = Array.from({ length: 201 }, () => loanRequest());
    const batch = await request(t.app).post('/api/v1/loans/batch').set(bearer(many.apiKey)).send({ loans });
    expect(batch.body.summary).toMatchObject({ created: 201, error: 0 });
    const refs = (html: string) => [...html.matchAll(/<tr><th scope="row">(PRJ-[^<]+)<\/th>/g)].map((m) => m[1]);
    const first = await request(t.app).get('/bank/evidence?lang=en').set('Cookie', jar.join('; '));
    expect(refs(first.text)).toHaveLength(200);
    expect(first.text).toContain('Page 1: rows 1–200');
    expect(first.text).toContain('href="/bank/evidence?lang=en&amp;page=2" rel="next"');
    const second = await request(t.app).get('/bank/evidence?lang=en&page=2').set('Cookie', jar.join('; '));
    // 201 projects: one on the second page, and no third page
    expect(refs(second.text)).toHaveLength(1);
    expect(second.text).not.toContain('rel="next"');
    expect(new Set([...refs(first.text), ...refs(second.text)])).toEqual(new Set(loans.map((l) => l.project.ref)));
  });
});
