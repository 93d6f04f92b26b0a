/** A loan read through the API says whether the central bank supports it, and the list filters by it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { apiKey: string };
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  bank = await createInstitution(t, { code: 'SUPP' });
  checker = await createUser(t, 'PBOC', 'second operator');
});
afterAll(async () => t.close());

describe('a loan’s support status', () => {
  it('when a loan goes from no application to a submitted one, then to a booked tranche, then the loan says so at each step and ?supported= lists it accordingly', async () => {
    const supported = await createLoan(t, bank.apiKey, {
      loanRef: 'SUPP-1',
      principal: '1000000.00',
      disbursedOn: '2023-05-15',
      maturesOn: '2026-05-15',
    });
    const alone = await createLoan(t, bank.apiKey, {
      loanRef: 'SUPP-2',
      principal: '2000000.00',
      disbursedOn: '2023-05-16',
      maturesOn: '2026-05-16',
    });
    expect((await get(t, bank.apiKey, `/api/v1/loans/${supported.id}`)).body.support).toEqual({
      application: null,
      tranche: null,
      covered: false,
    });

    await openOperation(t, '2023Q2', '100000000.00');
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: ['SUPP-1'],
      collateral: [bond('CGB-S1', '700000.00')],
    });
    // submitted: listed, not yet covered
    expect((await get(t, bank.apiKey, `/api/v1/loans/${supported.id}`)).body.support).toEqual({
      application: { id: application.id, operation: '2023Q2', status: 'submitted' },
      tranche: null,
      covered: false,
    });

    await approve(t, t.operatorKey, application.id);
    const tranche = await disburse(t, checker.apiKey, application.id);
    // a one-year tranche from 2023-06-01: active today, matures 2024-06-01
    const read = await get(t, t.operatorKey, `/api/v1/loans/${supported.id}`);
    expect(read.body.support).toEqual({
      application: { id: application.id, operation: '2023Q2', status: 'disbursed' },
      tranche: { id: tranche.id, status: 'active', maturesOn: '2024-06-01' },
      covered: true,
    });

    const refs = async (query: string) =>
      ((await get(t, bank.apiKey, `/api/v1/loans?${query}`)).body.items as { loanRef: string }[]).map((l) => l.loanRef);
    expect(await refs('supported=true')).toEqual(['SUPP-1']);
    expect(await refs('supported=false')).toEqual(['SUPP-2']);
    expect(await refs('')).toEqual(['SUPP-1', 'SUPP-2']);
    expect(alone.id).toBeTruthy();

    const wrong = await get(t, bank.apiKey, '/api/v1/loans?supported=yes');
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ path: 'supported' });
  });
});
