import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bankA: { code: string; apiKey: string };
let bankB: { code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  bankA = await createInstitution(t, { code: 'BANKA' });
  bankB = await createInstitution(t, { code: 'BANKB' });
});
afterAll(async () => t.close());

const post = (key: string, path: string, body: unknown) =>
  request(t.app)
    .post(path)
    .set(bearer(key))
    .send(body as object);
const get = (key: string, path: string) => request(t.app).get(path).set(bearer(key));

async function allLoans(key: string, query = '') {
  const items: { id: string; loanRef: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: request.Response = await get(key, `/api/v1/loans?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('submitting one loan', () => {
  it('when the contract example is submitted, then it is created with its attributed reduction and LPR comparison', async () => {
    const body = loanRequest({ disbursedOn: '2022-08-15', maturesOn: '2032-08-15' });
    const res = await post(bankA.apiKey, '/api/v1/loans', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      loanRef: body.loanRef,
      institution: 'BANKA',
      principal: '300000000.00',
      outstandingPrincipal: '300000000.00',
      annualRatePercent: '3.80',
      attributedAnnualReductionTonnes: '78750.00', // 210,000 t × 300,000,000 / 800,000,000
      lprComparison: { tenor: '5y_plus', month: '2022-05', lprPercent: '4.45', deviationBp: '-65', withinBand: true },
      eligible: true,
      taxonomyVersion: '2021-11',
      policyVersion: '2021-11-launch',
      version: 1,
    });
    expect(res.body.project.area).toBe('clean_energy');
  });

  it('when the same loan is submitted again, even with other number formatting, then the answer is 200 unchanged; other content is 409', async () => {
    const body = loanRequest();
    const first = await post(bankA.apiKey, '/api/v1/loans', body);
    expect(first.status).toBe(201);
    const again = await post(bankA.apiKey, '/api/v1/loans', { ...body, principal: '300000000', annualRatePercent: '3.8' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const changed = await post(bankA.apiKey, '/api/v1/loans', { ...body, principal: '200000000.00' });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('loan_ref_conflict');
    expect(changed.body.detail).toContain(`/api/v1/loans/${first.body.id}/amendments`);
  });

  it('when the rate is far from the same-tenor LPR, then the loan is recorded but flagged, until an operator accepts it with a reason', async () => {
    const body = loanRequest({ annualRatePercent: '6.20', disbursedOn: '2023-09-01', maturesOn: '2026-09-01' });
    const res = await post(bankA.apiKey, '/api/v1/loans', body);
    expect(res.status).toBe(201);
    expect(res.body.eligible).toBe(false);
    expect(res.body.lprComparison).toMatchObject({ tenor: '1y', lprPercent: '3.45', deviationBp: '275', withinBand: false });
    expect(res.body.reasons[0].code).toBe('rate_outside_lpr_band');
    const byBank = await post(bankA.apiKey, `/api/v1/loans/${res.body.id}/accept`, { reason: 'ok' });
    expect(byBank.status).toBe(403);
    // four eyes: proposed by one operator, still flagged until a second one confirms
    const proposed = await post(t.operatorKey, `/api/v1/loans/${res.body.id}/accept`, {
      reason: 'Concessional rate agreed in the provincial green-loan programme',
    });
    expect(proposed.status).toBe(202);
    expect(proposed.body).toMatchObject({ kind: 'accept_flagged_loan', status: 'pending', resourceId: res.body.id });
    expect((await get(t.operatorKey, `/api/v1/loans/${res.body.id}`)).body.eligibility).toBe('flagged');
    expect((await post(t.operatorKey, `/api/v1/approvals/${proposed.body.id}/confirm`, {})).body.code).toBe('four_eyes_violation');
    expect((await post(t.operator2Key!, `/api/v1/approvals/${proposed.body.id}/confirm`, {})).status).toBe(200);
    const accepted = await get(t.operatorKey, `/api/v1/loans/${res.body.id}`);
    expect(accepted.body).toMatchObject({
      eligible: true,
      eligibility: 'accepted',
      acceptance: { reason: 'Concessional rate agreed in the provincial green-loan programme' },
    });
    const twice = await post(t.operatorKey, `/api/v1/loans/${res.body.id}/accept`, { reason: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('loan_not_flagged');
  });

  it('when a sub-area of the 2026 taxonomy is used, then it is accepted from 2026-01-15 and refused before', async () => {
    const ok = await post(
      bankA.apiKey,
      '/api/v1/loans',
      loanRequest({ project: { subArea: 'ES.RETROFIT' }, disbursedOn: '2026-01-15', maturesOn: '2029-01-15' }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.taxonomyVersion).toBe('2026-01');
    const early = await post(
      bankA.apiKey,
      '/api/v1/loans',
      loanRequest({ project: { subArea: 'ES.RETROFIT' }, disbursedOn: '2026-01-14', maturesOn: '2029-01-14' }),
    );
    expect(early.status).toBe(422);
    expect(early.body.errors).toEqual([expect.objectContaining({ path: 'project.subArea', code: 'unknown_sub_area' })]);
    expect(early.body.errors[0].message).toContain('2026-01-15');
  });
});

describe('batch submission', () => {
  // each case: a bad row, the field it names and the rule it breaks
  const badRows: [string, (base: ReturnType<typeof loanRequest>) => unknown, string, string][] = [
    [
      'credit code check character',
      (b) => ({
        ...b,
        borrower: { ...b.borrower, creditCode: b.borrower.creditCode.slice(0, 17) + (b.borrower.creditCode[17] === '0' ? '1' : '0') },
      }),
      'borrower.creditCode',
      'invalid_credit_code',
    ],
    ['sub-area unknown', (b) => ({ ...b, project: { ...b.project, subArea: 'CE.NUCLEAR' } }), 'project.subArea', 'unknown_sub_area'],
    ['maturity before disbursement', (b) => ({ ...b, maturesOn: '2022-01-01' }), 'maturesOn', 'maturity_not_after_disbursement'],
    [
      'disbursed in the future',
      (b) => ({ ...b, disbursedOn: '2026-06-01', maturesOn: '2030-06-01' }),
      'disbursedOn',
      'disbursed_in_future',
    ],
    ['principal zero', (b) => ({ ...b, principal: '0.00' }), 'principal', 'principal_not_positive'],
    ['principal above investment', (b) => ({ ...b, principal: '900000000.00' }), 'principal', 'project_overfunded'],
    ['money with three decimals', (b) => ({ ...b, principal: '100.005' }), 'principal', 'invalid_money'],
    ['date that does not exist', (b) => ({ ...b, disbursedOn: '2022-02-30' }), 'disbursedOn', 'invalid_date'],
    ['missing borrower', (b) => ({ ...b, borrower: undefined }), 'borrower', 'required'],
    [
      'evidence hash not hex',
      (b) => ({ ...b, project: { ...b.project, evidence: { title: 'x', sha256: 'zz' } } }),
      'project.evidence.sha256',
      'invalid_sha256',
    ],
    [
      'unknown reduction basis',
      (b) => ({ ...b, project: { ...b.project, reductionBasis: 'guess' } }),
      'project.reductionBasis',
      'invalid_value',
    ],
    [
      'institution not yet eligible',
      (b) => ({ ...b, disbursedOn: '2021-12-01', maturesOn: '2024-12-01' }),
      'disbursedOn',
      'institution_not_eligible',
    ],
  ];

  it.each(badRows)(
    'when one row has %s inside a good batch, then the good rows land and the bad row writes nothing',
    async (_name, breakRow, path, code) => {
      const bank = await createInstitution(t, { eligibleFrom: '2022-01-01' });
      const rows = [loanRequest(), loanRequest(), loanRequest()];
      const body = { loans: [rows[0], breakRow(rows[1]), rows[2]] };
      const res = await post(bank.apiKey, '/api/v1/loans/batch', body);
      expect(res.status).toBe(200);
      expect(res.body.summary).toEqual({ created: 2, unchanged: 0, error: 1 });
      expect(res.body.results[0].status).toBe('created');
      expect(res.body.results[2].status).toBe('created');
      expect(res.body.results[1].status).toBe('error');
      expect(res.body.results[1].errors).toContainEqual(expect.objectContaining({ path: `loans.1.${path}`, code }));
      const stored = await allLoans(bank.apiKey);
      expect(stored.map((l) => l.loanRef).sort()).toEqual([rows[0].loanRef, rows[2].loanRef].sort());
    },
  );

  it('when rows of one batch fund the same project past its investment, then the row that would overfund it is refused', async () => {
    const project = { ...loanRequest().project, ref: 'PRJ-SHARED', totalInvestment: '1000000.00' };
    const res = await post(bankA.apiKey, '/api/v1/loans/batch', {
      loans: [
        loanRequest({ project, principal: '600000.00' }),
        loanRequest({ project, principal: '300000.00' }),
        loanRequest({ project, principal: '200000.00' }),
      ],
    });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created', 'error']);
    expect(res.body.results[2].errors[0]).toMatchObject({ path: 'loans.2.principal', code: 'project_overfunded' });
    const later = await post(bankA.apiKey, '/api/v1/loans', loanRequest({ project, principal: '100000.01' }));
    expect(later.status).toBe(422);
    expect(later.body.errors[0].code).toBe('project_overfunded');
    const exact = await post(bankA.apiKey, '/api/v1/loans', loanRequest({ project, principal: '100000.00' }));
    expect(exact.status).toBe(201);
    expect(exact.body.project.fundedTotal).toBe('1000000.00');
  });

  it('when a row names a known project with different project data, then it is refused naming the field', async () => {
    const first = loanRequest({ project: { ref: 'PRJ-MISMATCH' } });
    await post(bankA.apiKey, '/api/v1/loans', first);
    const res = await post(bankA.apiKey, '/api/v1/loans/batch', {
      loans: [loanRequest({ project: { ...first.project, province: '河北省' } })],
    });
    expect(res.body.results[0].errors).toContainEqual(
      expect.objectContaining({ path: 'loans.0.project.province', code: 'project_mismatch' }),
    );
  });

  it('when a batch holds more than 10,000 rows, then it is refused whole with 422', async () => {
    const res = await post(bankA.apiKey, '/api/v1/loans/batch', { loans: new Array(10_001).fill({}) });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ path: 'loans', code: 'too_big' });
  });

  it('when the same batch is retried with its Idempotency-Key, then the first answer comes back and nothing is written twice; the key with another body is 409', async () => {
    const bank = await createInstitution(t);
    const body = { loans: [loanRequest(), loanRequest()] };
    const first = await post(bank.apiKey, '/api/v1/loans/batch', body).set('Idempotency-Key', 'batch-2026-03-01-a');
    const retry = await post(bank.apiKey, '/api/v1/loans/batch', body).set('Idempotency-Key', 'batch-2026-03-01-a');
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await allLoans(bank.apiKey)).toHaveLength(2);
    const other = await post(bank.apiKey, '/api/v1/loans/batch', { loans: [loanRequest()] }).set('Idempotency-Key', 'batch-2026-03-01-a');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    const plainRetry = await post(bank.apiKey, '/api/v1/loans/batch', body);
    expect(plainRetry.body.summary).toEqual({ created: 0, unchanged: 2, error: 0 });
  });
});

describe('two banks', () => {
  it('when bank B asks for, amends or repays bank A loans, then every route answers 404 and lists show only their own', async () => {
    const own = await post(bankA.apiKey, '/api/v1/loans', loanRequest());
    const id = own.body.id;
    expect((await get(bankB.apiKey, `/api/v1/loans/${id}`)).status).toBe(404);
    expect((await get(bankB.apiKey, `/api/v1/loans/${id}/versions`)).status).toBe(404);
    expect((await get(bankB.apiKey, `/api/v1/loans/${id}/repayments`)).status).toBe(404);
    const amend = await post(bankB.apiKey, `/api/v1/loans/${id}/amendments`, {
      reason: 'x',
      loan: loanRequest({ loanRef: own.body.loanRef }),
    });
    expect(amend.status).toBe(404);
    expect((await post(bankB.apiKey, `/api/v1/loans/${id}/repayments`, { repaidOn: '2026-01-01', amount: '1.00' })).status).toBe(404);
    const listB = await allLoans(bankB.apiKey);
    expect(listB.find((l) => l.id === id)).toBeUndefined();
    const listA = await allLoans(bankA.apiKey);
    expect(listA.find((l) => l.id === id)).toBeDefined();
    // the same loan reference is free for another bank
    const sameRef = await post(bankB.apiKey, '/api/v1/loans', loanRequest({ loanRef: own.body.loanRef }));
    expect(sameRef.status).toBe(201);
    expect((await get(t.operatorKey, `/api/v1/loans?institution=BANKB&limit=1000`)).body.items.map((l: { id: string }) => l.id)).toContain(
      sameRef.body.id,
    );
  });
});

describe('ids that are not loans', () => {
  it('when a loan id is malformed or almost a UUID, then every loan route answers 404, never 500', async () => {
    for (const id of ['a'.repeat(36), 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', '00000000-0000-0000-0000-000000000000']) {
      expect((await get(bankA.apiKey, `/api/v1/loans/${id}`)).status, id).toBe(404);
      expect((await get(bankA.apiKey, `/api/v1/loans/${id}/versions`)).status, id).toBe(404);
      expect((await post(bankA.apiKey, `/api/v1/loans/${id}/repayments`, { repaidOn: '2023-01-01', amount: '1.00' })).status, id).toBe(404);
      expect((await post(bankA.apiKey, `/api/v1/loans/${id}/amendments`, { reason: 'x', loan: loanRequest() })).status, id).toBe(404);
      expect((await post(t.operatorKey, `/api/v1/loans/${id}/accept`, { reason: 'x' })).status, id).toBe(404);
    }
  });
});

describe('amendments and repayments', () => {
  it('when a loan is amended, then a new version holds the change and every earlier version is kept with who and why', async () => {
    const body = loanRequest();
    const created = await post(bankA.apiKey, '/api/v1/loans', body);
    const amended = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/amendments`, {
      reason: 'Principal corrected per the signed contract',
      loan: { ...body, principal: '250000000.00' },
    });
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ version: 2, principal: '250000000.00', attributedAnnualReductionTonnes: '65625.00' });
    const versions = await get(bankA.apiKey, `/api/v1/loans/${created.body.id}/versions`);
    expect(
      versions.body.items.map((v: { version: number; content: { principal: string }; reason: string | null }) => [
        v.version,
        v.content.principal,
        v.reason,
      ]),
    ).toEqual([
      [1, '300000000.00', null],
      [2, '250000000.00', 'Principal corrected per the signed contract'],
    ]);
    const same = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/amendments`, {
      reason: 'again',
      loan: { ...body, principal: '250000000.00' },
    });
    expect(same.status).toBe(409);
    expect(same.body.code).toBe('content_unchanged');
    const broken = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/amendments`, {
      reason: 'typo',
      loan: { ...body, principal: '900000000.00' },
    });
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0]).toMatchObject({ path: 'loan.principal', code: 'project_overfunded' });
    expect((await get(bankA.apiKey, `/api/v1/loans/${created.body.id}`)).body.version).toBe(2);
  });

  it('when principal is repaid, then outstanding principal falls, and a repayment above it is refused', async () => {
    const created = await post(bankA.apiKey, '/api/v1/loans', loanRequest({ principal: '1000000.00' }));
    const paid = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/repayments`, { repaidOn: '2023-08-15', amount: '250000.50' });
    expect(paid.status).toBe(201);
    expect(paid.body.outstandingPrincipal).toBe('749999.50');
    const tooMuch = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/repayments`, {
      repaidOn: '2023-09-15',
      amount: '749999.51',
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('repayment_exceeds_outstanding');
    const early = await post(bankA.apiKey, `/api/v1/loans/${created.body.id}/repayments`, { repaidOn: '2022-01-01', amount: '1.00' });
    expect(early.body.code).toBe('repayment_before_disbursement');
    const list = await get(bankA.apiKey, `/api/v1/loans/${created.body.id}/repayments`);
    expect(list.body.items).toEqual([expect.objectContaining({ repaidOn: '2023-08-15', amount: '250000.50' })]);
  });
});

describe('listing', () => {
  it('when loans are listed by filter and page, then every page is in order with no loan twice or missing', async () => {
    const bank = await createInstitution(t);
    const rows = Array.from({ length: 20 }, (_, i) =>
      loanRequest({
        disbursedOn: `2023-0${(i % 9) + 1}-1${i % 10}`,
        maturesOn: '2030-01-01',
        project: { subArea: i % 2 ? 'CE.SOLAR' : 'CE.WIND' },
        annualRatePercent: i === 3 ? '9.00' : '3.80',
      }),
    );
    const res = await post(bank.apiKey, '/api/v1/loans/batch', { loans: rows });
    expect(res.body.summary.created).toBe(20);
    const all = await allLoans(bank.apiKey);
    expect(all).toHaveLength(20);
    expect(new Set(all.map((l) => l.id)).size).toBe(20);
    const dates = all.map((l) => (l as unknown as { disbursedOn: string }).disbursedOn);
    expect([...dates].sort()).toEqual(dates);
    expect(await allLoans(bank.apiKey, '&subArea=CE.SOLAR')).toHaveLength(10);
    expect(await allLoans(bank.apiKey, '&eligible=false')).toHaveLength(1);
    expect(await allLoans(bank.apiKey, '&disbursedFrom=2023-05-01&disbursedTo=2023-06-30')).toHaveLength(
      rows.filter((r) => r.disbursedOn >= '2023-05-01' && r.disbursedOn <= '2023-06-30').length,
    );
    const badLimit = await get(bank.apiKey, '/api/v1/loans?limit=1001');
    expect(badLimit.status).toBe(422);
    const badCursor = await get(bank.apiKey, '/api/v1/loans?cursor=nonsense');
    expect(badCursor.status).toBe(422);
    expect(badCursor.body.errors[0].code).toBe('invalid_cursor');
  });
});
