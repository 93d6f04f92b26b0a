/**
 * Signed-in pages as people read them: amounts in 万元/亿元 with the exact yuan on hover, a loan named by
 * the bank's own reference, four-eyes acts naming the bank, the loan and the amount, lists in pages, and
 * the public disclosure's check box whose one-line command really checks the signature.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { apply, approve, bond, createLoan, disburse, openOperation } from '../factories/refinancing.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { barChart, lineChart, textWidth } from '../../web/pages/charts.js';
import type { PageContext } from '../../web/pages/context.js';
import { en, zh } from '../../web/pages/i18n.js';
import { reconciliationSummary } from '../../web/pages/operator-reconciliation.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
let bankPages: string[];
let operatorPages: string[];

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  bank = await createInstitution(t, { code: 'READBANK', nameZh: '可读银行', nameEn: 'Readable Bank' });
  bankPages = await signInToPages(t, bank.apiKey);
  operatorPages = await signInToPages(t, t.operatorKey);
});
afterAll(async () => t.close());

const page = async (path: string, jar: string[]) => (await browsePage(t, path, jar)).res;

describe('figures on signed-in pages', () => {
  it("when a bank lists its loans, then each amount reads in 亿元 or 万元 with separators, the exact yuan on hover, and the loan's own page holds the other columns", async () => {
    const big = await createLoan(t, bank.apiKey, { principal: '420000000.00', borrower: { name: '大额光伏有限公司' } });
    const small = await createLoan(t, bank.apiKey, { principal: '1234567.89' });
    const list = await page('/bank?lang=zh', bankPages);
    // 420,000,000.00 元 = 42,000 万元 = 4.20 亿元; 1,234,567.89 元 = 123.456789 万元 → 123.46 万元
    expect(list.text).toContain('<data value="420000000.00" title="420000000.00 元">4.20 亿元</data>');
    expect(list.text).toContain('<data value="1234567.89" title="1234567.89 元">123.46 万元</data>');
    expect(list.text).not.toMatch(/>420000000\.00</);
    // the list keeps the columns a bank reads every day; the credit code is on the loan's own page
    expect(list.text).not.toContain('统一社会信用代码</th>');
    const en = await page('/bank?lang=en', bankPages);
    // 42,000 万元 = 420 million; 123.456789 万元 = 1.23456789 million
    expect(en.text).toContain('>CNY 420.00 million</data>');
    expect(en.text).toContain('>CNY 1.23 million</data>');
    const detail = await page(`/bank/loans/${big.id}?lang=zh`, bankPages);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain(`贷款 ${big.loanRef}`);
    expect(detail.text).toContain('统一社会信用代码');
    expect(detail.text).toContain('大额光伏有限公司');
    expect(detail.text).toContain('合格');
    expect((await page(`/bank/loans/${small.id}`, operatorPages)).status).not.toBe(200);
  });

  it('when a bank has more loans than a page shows, then it reads every one of them through the pages', async () => {
    const other = await createInstitution(t, { code: 'MANYBANK' });
    const jar = await signInToPages(t, other.apiKey);
    const loans = Array.from({ length: 203 }, () => loanRequest());
    const batch = await request(t.app).post('/api/v1/loans/batch').set(bearer(other.apiKey)).send({ loans });
    expect(batch.status).toBeLessThan(300);
    const rows = (html: string) => html.match(/<tr><th scope="row">/g)?.length ?? 0;
    const first = await page('/bank?lang=en', jar);
    expect(rows(first.text)).toBe(200);
    expect(first.text).toContain('Page 1: rows 1–200');
    expect(first.text).toContain('href="/bank?lang=en&amp;page=2" rel="next"');
    const second = await page('/bank?lang=en&page=2', jar);
    // 203 loans: 200 on the first page, 3 on the second, and no third page
    expect(rows(second.text)).toBe(3);
    expect(second.text).toContain('Page 2: rows 201–203');
    expect(second.text).not.toContain('rel="next"');
    const refs = new Set(
      [
        ...first.text.matchAll(/<a href="\/bank\/loans\/[^"]+">([^<]+)<\/a>/g),
        ...second.text.matchAll(/<a href="\/bank\/loans\/[^"]+">([^<]+)<\/a>/g),
      ].map((m) => m[1]),
    );
    expect(refs).toEqual(new Set(loans.map((l) => l.loanRef)));
  });

  it('when the operator proposes accepting a rate-flagged loan, then the checker reads the bank, the loan by its own reference and its amount, linked, in Chinese', async () => {
    const body = loanRequest({ annualRatePercent: '6.20', principal: '500000000.00', disbursedOn: '2023-09-01', maturesOn: '2026-09-01' });
    const created = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).send(body);
    expect(created.body.eligible).toBe(false);
    const proposed = await request(t.app)
      .post(`/api/v1/loans/${created.body.id}/accept`)
      .set(bearer(t.operatorKey))
      .send({ reason: 'concessional rate of a provincial programme' });
    expect(proposed.status).toBe(202);
    const approvals = await page('/operator/approvals?lang=zh', operatorPages);
    const row = new RegExp(`<tr id="approval-${proposed.body.id}">[\\s\\S]*?</tr>`).exec(approvals.text)![0];
    // 500,000,000.00 元 = 5.00 亿元
    expect(row).toContain(
      `<a href="/operator/loans#loan-${created.body.id}">认可可读银行（READBANK）利率超出区间的贷款 ${body.loanRef}（本金 <data value="500000000.00" title="500000000.00 元">5.00 亿元</data>）</a>`,
    );
    expect(row).not.toContain('rate-flagged');
    // proposed and expiring at Beijing time, labelled (04:00 UTC = 12:00 in Beijing)
    expect(row).toContain('2026-03-01 12:00 北京时间');
  });
});

describe('tables on a phone', () => {
  it('when a signed-in page has a table, then it is marked to stack and every cell carries its column heading', async () => {
    const list = await page('/bank?lang=en', bankPages);
    const table = /<table[^>]*>[\s\S]*?<\/table>/.exec(list.text)![0];
    expect(table).toMatch(/^<table class="stack">/);
    const cells = [...table.matchAll(/<td([^>]*)>/g)].map((m) => /data-label="([^"]+)"/.exec(m[1])?.[1]);
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells)).toEqual(new Set(['Project', 'Borrower', 'Principal', 'Rate (%)', 'Matures', 'Eligibility', 'Support']));
  });
});

describe('a published disclosure anyone can check', () => {
  it('when the public opens a disclosure, then its check box gives the full SHA-256, the signed JSON, its signature, the key list, and a one-line command that verifies it', async () => {
    await publishDisclosure(t.database.db, { institutionCode: 'READBANK', quarter: '2025Q4', horizons: CITIC_2022Q3 });
    const res = await request(t.app).get('/disclosures/READBANK/2025Q4?lang=en');
    expect(res.status).toBe(200);
    const box = /<section aria-labelledby="h-check"[\s\S]*?<\/section>/.exec(res.text)![0];
    const sha = /<code class="sha" id="content-sha256">([0-9a-f]+)<\/code>/.exec(box)![1];
    expect(sha).toHaveLength(64);
    for (const href of [
      '/disclosures/READBANK/2025Q4/v/1.json',
      '/disclosures/READBANK/2025Q4/v/1.json.sig',
      '/.well-known/cerf-signing-keys.json',
    ])
      expect(box).toContain(`href="${href}"`);
    // the command as printed (its site address filled in by the page's script), run against this service
    const command = /<pre class="command"><code>([\s\S]*?)<\/code><\/pre>/.exec(box)![1];
    const server = t.app.listen(0);
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const line = command
        .replace(/<span data-origin>[^<]*<\/span>/, origin)
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
        .replace(/&gt;/g, '>')
        .replace(/&lt;/g, '<');
      const { stdout } = await promisify(execFile)('bash', ['-c', line]);
      expect(stdout).toMatch(new RegExp(`^${sha} signature valid, key ed25519-`));
    } finally {
      server.close();
    }
  });

  it('when the disclosure index lists several quarters, then no total adds them up, and one quarter has its total', async () => {
    await publishDisclosure(t.database.db, { institutionCode: 'READBANK', quarter: '2025Q3', horizons: CITIC_2022Q3 });
    const all = await request(t.app).get('/disclosures?lang=en&institution=READBANK');
    expect(all.text).not.toContain('<tfoot>');
    expect(all.text).toContain('a sum across quarters means nothing');
  });
});

describe('charts', () => {
  const labels = (svg: string, cls: string) =>
    [...svg.matchAll(new RegExp(`<text class="${cls}" x="([\\d.]+)"[^>]*>([^<]+)</text>`, 'g'))].map((m) => ({
      x: Number(m[1]),
      text: m[2],
    }));

  it('when twenty quarters are drawn, then no two quarter labels overlap, the last quarter is labelled, and ticks fit left of the axis', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({
      label: `${2022 + Math.floor(i / 4)}Q${(i % 4) + 1}`,
      value: String(180000 * (i + 1)),
    }));
    const fmt = { value: (v: string) => Number(v).toLocaleString('en'), tick: (v: number) => v.toLocaleString('en'), empty: '—' };
    const svg = barChart('amounts', points, fmt).text;
    const shown = labels(svg, 'label');
    expect(shown.at(-1)!.text).toBe('2026Q4');
    for (let i = 1; i < shown.length; i++) expect(shown[i].x - shown[i - 1].x).toBeGreaterThanOrEqual(textWidth('2026Q4'));
    // the widest tick (3,600,000) ends 4 units left of the axis and starts inside the drawing
    const axisX = Number(/<line class="axis" x1="([\d.]+)"/.exec(svg)![1]);
    expect(axisX - 4 - textWidth('3,600,000')).toBeGreaterThanOrEqual(0);
  });

  it('when a rate is plotted from its exact value, then the chart prints the published (rounded) figure', () => {
    const svg = lineChart('rate', [{ label: '2026Q3', value: '3.1167', printed: '3.12' }], {
      value: (v) => `${v}%`,
      tick: (v) => `${v}%`,
      empty: '—',
    }).text;
    expect(svg).toContain('>3.12%</text>');
    expect(svg).not.toContain('3.1167%');
  });
});

describe('the reconciliation leads to the difference', () => {
  const quarters = (differing: string[]) =>
    ['2023Q1', '2023Q2', '2023Q3', '2023Q4', '2024Q1'].map((quarter) => ({
      quarter,
      agrees: !differing.includes(quarter),
    })) as unknown as Parameters<typeof reconciliationSummary>[2];
  const context = (lang: 'zh' | 'en') => ({ lang, t: lang === 'zh' ? zh : en }) as unknown as PageContext;
  const text = (h: { text: string }) => h.text.replace(/<[^>]+>/g, '');

  it('when one quarter of five differs, then the summary counts four that agree and links the one that differs, filtered to the differences', () => {
    const summary = reconciliationSummary(context('en'), 'HIST', quarters(['2023Q4']));
    expect(text(summary)).toBe('Quarters that agree: 4; that differ: 1: 2023Q4');
    expect(summary.text).toContain('<a href="?bank=HIST&amp;show=differences#rec-2023Q4">2023Q4</a>');
    expect(text(reconciliationSummary(context('zh'), 'HIST', quarters(['2023Q2', '2024Q1'])))).toBe(
      '3 个季度一致，2 个季度有差异：2023Q2、2024Q1',
    );
    expect(text(reconciliationSummary(context('zh'), 'HIST', quarters([])))).toBe('5 个季度全部一致。');
  });
});

describe("the operator's home on today's date", () => {
  it('when a tranche is past its maturity with principal outstanding, then the home counts it overdue, lists it first and says by how many days', async () => {
    const checker = await createUser(t, 'PBOC', 'home-checker');
    await openOperation(t, '2026Q1', '100000000.00');
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2026-01-10', maturesOn: '2029-01-10' });
    const application = await apply(t, bank.apiKey, {
      operation: '2026Q1',
      loanRefs: [loan.loanRef],
      collateral: [bond('CGB-HOME', '700000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const tranche = await disburse(t, checker.apiKey, application.id);
    // the tranche of 600,000.00 元 (60 % of 1,000,000.00) = 60.00 万元 starts today (2026-03-01) and matures a year later
    expect(tranche).toMatchObject({ startOn: '2026-03-01', maturesOn: '2027-03-01' });
    // ten days after its maturity (Beijing date 2027-03-11), nothing repaid
    t.setNow('2027-03-11T04:00:00Z');
    // a year later the operator signs in again (sessions do not last a year)
    const home = await page('/operator?lang=en', await signInToPages(t, t.operatorKey));
    expect(home.text).toContain('As of today: 1 overdue, 0 due today, 0 due within 90 days.');
    const overdue = /<section aria-labelledby="h-overdue">[\s\S]*?<\/section>/.exec(home.text)![0];
    expect(overdue).toContain('READBANK');
    expect(overdue).toContain('<strong class="late">overdue</strong><br><small>10 days overdue</small>');
    expect(overdue).toContain('>CNY 600,000.00</data>');
    expect(home.text.indexOf('h-overdue')).toBeLessThan(home.text.indexOf('h-maturing'));
    expect(/<section aria-labelledby="h-maturing">[\s\S]*?<\/section>/.exec(home.text)![0]).not.toContain('READBANK');
  });
});
