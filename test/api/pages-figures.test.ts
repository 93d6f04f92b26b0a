import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { publishDisclosure } from '../browser/support/seed-disclosures.js';

const f = (projects: number, loanAmountWanYuan: string, weightedAverageRatePercent: string | null, annualReductionTonnes: string) => ({
  projects,
  loanAmountWanYuan,
  weightedAverageRatePercent,
  annualReductionTonnes,
});
const same = (x: ReturnType<typeof f>) => ({ quarter: x, yearToDate: x, sinceInception: x });

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
  await createInstitution(t, { code: 'BIGB', nameZh: '大型银行', nameEn: 'Big Bank' });
  await createInstitution(t, { code: 'SMLB', nameZh: '小型银行', nameEn: 'Small Bank' });
  await createInstitution(t, { code: 'VRFY', kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier Co' });
  const db = t.database.db;
  // the big bank: 293,250.00 万元 in 2022Q3, in two areas; a named wind farm
  await publishDisclosure(db, {
    institutionCode: 'BIGB',
    quarter: '2022Q3',
    horizons: same(f(12, '293250.00', '4.10', '1234567.89')),
    byArea: [
      { area: 'clean_energy', ...same(f(8, '200000.00', '4.00', '1000000.00')) },
      { area: 'energy_saving_environmental_protection', ...same(f(4, '93250.00', '4.31', '234567.89')) },
    ],
    topProjects: [{ name: '青海风电场一期', annualReductionTonnes: '500000.00' }],
    verifierCode: 'VRFY',
  });
  // the small bank: 2022Q1 and 2022Q3 (nothing in 2022Q2), clean energy only
  await publishDisclosure(db, {
    institutionCode: 'SMLB',
    quarter: '2022Q1',
    horizons: same(f(1, '500.00', '3.90', '1000.00')),
    byArea: [{ area: 'clean_energy', ...same(f(1, '500.00', '3.90', '1000.00')) }],
  });
  await publishDisclosure(db, {
    institutionCode: 'SMLB',
    quarter: '2022Q3',
    horizons: same(f(2, '1500.00', '4.50', '3000.00')),
    byArea: [{ area: 'clean_energy', ...same(f(2, '1500.00', '4.50', '3000.00')) }],
  });
});
afterAll(async () => t.close());

const page = async (path: string) => {
  const res = await request(t.app).get(path);
  expect(res.status).toBe(200);
  return res.text;
};
/** The text of the first element matching `selector`-like markers, tags stripped. */
const textOf = (htmlText: string) => htmlText.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const selected = (htmlText: string, name: string) =>
  new RegExp(`name="${name}">[\\s\\S]*?<option value="([^"]*)" selected`).exec(htmlText)?.[1];
const bodyRows = (htmlText: string) => (/<tbody>([\s\S]*?)<\/tbody>/.exec(htmlText)?.[1].match(/<tr>/g) ?? []).length;

describe('readable figures', () => {
  it('when the index is read in Chinese, then large amounts are in 亿元, smaller in 万元, with separators; in English CNY billion and million', async () => {
    const zh = textOf(await page('/disclosures?lang=zh'));
    expect(zh).toContain('29.33 亿元');
    expect(zh).toContain('1,500.00 万元');
    expect(zh).toContain('1,234,567.89 吨');
    expect(zh).not.toContain('293250.00 ');
    const en = textOf(await page('/disclosures?lang=en'));
    expect(en).toContain('CNY 2.93 billion');
    expect(en).toContain('CNY 15.00 million');
    expect(en).toContain('1,234,567.89 t');
    // the exact published value stays with the figure
    expect(await page('/disclosures?lang=en')).toContain('<data value="293250.00"');
  });

  it('when the home page adds up two banks, then it says whose figures they are and explains them', async () => {
    const raw = await page('/?lang=zh');
    const home = textOf(raw);
    expect(home).toContain('2 家金融机构');
    expect(textOf(/<h1>[\s\S]*?<\/h1>/.exec(raw)![0])).not.toContain('全国');
    expect(textOf(/<h2 id="h-since">[\s\S]*?<\/h2>/.exec(raw)![0])).not.toContain('全国');
    // 2022Q3: 293,250.00 + 1,500.00 万元
    expect(home).toContain('29.48 亿元');
    expect(home).toContain('2021 年 7 月 1 日');
    expect(home).toContain('项目总投资');
    expect(home).toContain('LPR');
    const en = textOf(await page('/?lang=en'));
    expect(en).toContain('CNY 2.95 billion');
    expect(en).toContain('not the figures of every institution');
  });

  it('when a disclosure shows its verification, then the check counts say what they count', async () => {
    const text = textOf(await page('/disclosures/BIGB/2022Q3?lang=zh'));
    expect(text).toContain('500,000.00 吨');
    expect(text).toContain('核查项数');
    expect(text).toContain('通过 0 项 · 不通过 0 项');
  });
});

describe('filters that filter', () => {
  it('when an area is chosen, then only disclosures with that area are listed and the figures are the area’s, with a total', async () => {
    const text = await page('/disclosures?area=clean_energy&quarter=2022Q3&lang=zh');
    expect(selected(text, 'area')).toBe('clean_energy');
    expect(selected(text, 'quarter')).toBe('2022Q3');
    expect(bodyRows(text)).toBe(2);
    const plain = textOf(text);
    // the big bank's clean-energy figures (20.00 亿元), not its totals (29.33 亿元)
    expect(plain).toContain('20.00 亿元');
    expect(plain).not.toContain('29.33 亿元');
    // the total of the two rows: 200,000.00 + 1,500.00 万元 = 20.15 亿元; rate weighted by amount (4.00, 4.50) → 4.00
    expect(plain).toContain('合计（2 份披露）');
    expect(plain).toContain('20.15 亿元');
    expect(plain).toContain('1,003,000.00 吨');

    const saving = await page('/disclosures?area=energy_saving_environmental_protection&lang=zh');
    expect(bodyRows(saving)).toBe(1);
    expect(textOf(saving)).toContain('9.33 亿元');
    expect(textOf(saving)).toContain('大型银行');
  });

  it('when a quarter without disclosures is chosen, then nothing is listed and every select still shows what is applied', async () => {
    const text = await page('/disclosures?quarter=2030Q1&institution=SMLB&area=clean_energy&lang=zh');
    expect(textOf(text)).toContain('没有符合条件的信息披露');
    expect(selected(text, 'quarter')).toBe('2030Q1');
    expect(selected(text, 'institution')).toBe('SMLB');
    expect(selected(text, 'area')).toBe('clean_energy');
    expect(textOf(text)).toContain('已应用的筛选');
  });

  it('when the search names a project, then the disclosure that names it is found; an institution narrows to its quarters', async () => {
    const byProject = await page(`/disclosures?q=${encodeURIComponent('风电场')}&lang=zh`);
    expect(bodyRows(byProject)).toBe(1);
    expect(textOf(byProject)).toContain('大型银行');
    const small = await page('/disclosures?institution=SMLB&lang=zh');
    expect(bodyRows(small)).toBe(2);
    const rowsText = textOf(/<tbody>([\s\S]*?)<\/tbody>/.exec(small)![1]);
    expect(rowsText).not.toContain('大型银行');
    // its two quarters (2022Q1, 2022Q3) are not added up: a sum across quarters means nothing
    expect(textOf(small)).not.toContain('2,000.00 万元');
    expect(small).not.toContain('<tfoot>');
    expect(textOf(small)).toContain('跨季度相加没有意义');
  });
});

describe('charts', () => {
  it('when a bank has a quarter without loans, then the chart leaves a gap, ticks are round and bars carry values', async () => {
    const text = await page('/institutions/SMLB?lang=zh');
    const charts = text.split('<figure class="chart">').slice(1);
    expect(charts).toHaveLength(3);
    const [amount, , rate] = charts;
    // three quarters on the axis, 2022Q2 without a bar
    for (const q of ['2022Q1', '2022Q2', '2022Q3']) expect(amount).toContain(`>${q}</text>`);
    expect(amount.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(amount).toContain('>1,500.00</text>');
    // round ticks: 0, 500, 1,000, 1,500 … up to the nice top
    const ticks = [...amount.matchAll(/<text class="tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(ticks.slice(0, 4)).toEqual(['0', '500', '1,000', '1,500']);
    expect(ticks.every((v) => Number(v.replace(/,/g, '')) % 500 === 0)).toBe(true);
    expect(Number(ticks.at(-1)!.replace(/,/g, ''))).toBeGreaterThanOrEqual(1500);
    // the rate line is two pieces: it does not join 2022Q1 to 2022Q3 across the empty quarter
    expect(rate.match(/<path class="line"/g)).toHaveLength(2);
    expect(rate).toContain('>4.50%</text>');
  });
});
