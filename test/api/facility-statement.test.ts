/**
 * The central bank's statement for a hand-built first operation on 2021-12-30, in the People's Bank's
 * words and units: three loans of 475亿元 each (1425亿元), supported at 60 % (855亿元), three enterprises,
 * each project financed whole by its loan, with annual reductions of 9,586,667 + 9,586,667 + 9,586,666 t
 * = 28,760,000 t = 2876万吨.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCreditCode } from '../../domain/loans/credit-code.js';
import { createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ now: '2021-12-30T02:00:00Z' });
  const checker = await createUser(t, 'PBOC', 'second operator');
  const res = await request(t.app)
    .post('/api/v1/institutions')
    .set(bearer(t.operatorKey))
    .send({
      code: 'FIRSTOP',
      nameZh: '首批银行',
      nameEn: 'First Bank',
      kind: 'bank',
      eligibleFrom: '2021-11-08',
      category: 'national',
      province: '北京市',
      unifiedSocialCreditCode: syntheticCreditCode('91110000', 77),
    });
  expect(res.status).toBe(201);
  const bank = res.body.apiKey as string;
  const reductions = ['9586667.00', '9586667.00', '9586666.00'];
  const refs: string[] = [];
  for (const [i, reduction] of reductions.entries()) {
    const loan = await createLoan(t, bank, {
      loanRef: `FO-${i}`,
      principal: '47500000000.00',
      annualRatePercent: '3.80',
      disbursedOn: '2021-12-15',
      maturesOn: '2024-12-15',
      borrower: { name: `企业${i}`, creditCode: syntheticCreditCode('91120000', 100 + i) },
      project: { ref: `FO-P${i}`, totalInvestment: '47500000000.00', annualReductionTonnes: reduction },
    });
    refs.push(loan.loanRef);
  }
  await openOperation(t, '2021Q4', '100000000000.00');
  const application = await apply(t, bank, { operation: '2021Q4', loanRefs: refs, collateral: [bond('CGB-FO', '90000000000.00')] });
  await approve(t, t.operatorKey, application.id);
  await disburse(t, checker.apiKey, application.id);
});
afterAll(async () => t.close());

describe("the central bank's statement", () => {
  it("when the first operation is stated, then it reads as the People's Bank printed it: 855亿元, 1425亿元, 3 enterprises, 2876万吨", async () => {
    const res = await get(t, t.operatorKey, '/api/v1/facility/statement?on=2021-12-30');
    expect(res.status).toBe(200);
    expect(res.body.firstOperation).toBe(true);
    expect(res.body.zh).toBe(
      '截至2021年12月30日，人民银行向金融机构发放首批碳减排支持工具资金855亿元，支持金融机构已发放符合要求的碳减排贷款1425亿元，' +
        '涉及碳减排领域企业3家，可带动年度碳减排量2876万吨二氧化碳当量；碳减排支持工具余额855亿元。',
    );
    expect(res.body.en).toContain('provided the first batch of 855亿元 (CNY 85.5 billion)');
    expect(res.body.en).toContain('supporting 1425亿元 (CNY 142.5 billion)');
    expect(res.body.en).toContain('to 3 enterprises, with an annual reduction of 2876万吨 (28.76 million tonnes)');
    expect(res.body.figures.total).toMatchObject({
      provided: '85500000000.00',
      loansPrincipal: '142500000000.00',
      enterprises: 3,
      annualReductionTonnes: '28760000.00',
    });
  });

  it('on the day before, then nothing was provided and it is not the first operation', async () => {
    const res = await get(t, t.operatorKey, '/api/v1/facility/statement?on=2021-12-29');
    expect(res.body.firstOperation).toBe(false);
    expect(res.body.zh).toContain('累计向金融机构提供碳减排支持工具资金0亿元');
  });
});
