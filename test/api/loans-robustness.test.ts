/** Whatever a client sends, the answer is a clear 4xx (or a success), never a 500, and nothing half-written. */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { apiKey: string };
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  bank = await createInstitution(t);
});
afterAll(async () => t.close());

/** A valid loan with one field replaced by an arbitrary JSON value. */
const mutatedLoan = fc
  .tuple(
    fc.constantFrom(
      'loanRef',
      'principal',
      'annualRatePercent',
      'disbursedOn',
      'maturesOn',
      'borrower',
      'project',
      'borrower.creditCode',
      'borrower.name',
      'project.name',
      'project.subArea',
      'project.totalInvestment',
      'project.evidence',
      'extra',
    ),
    fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.constantFrom('', '-1', '1e9', '99999999999999999999.99', '0.001', '2022-13-01', 'NaN', '\u0000', 'x'.repeat(5000)),
    ),
  )
  .map(([field, value]) => {
    const loan = loanRequest() as unknown as Record<string, Record<string, unknown>>;
    const [a, b] = field.split('.');
    if (b) loan[a] = { ...loan[a], [b]: value };
    else (loan as Record<string, unknown>)[a] = value;
    return loan;
  });

describe('robustness', () => {
  it('when loans carry arbitrary values in any field, then every answer is 2xx or 4xx with a problem code', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedLoan, async (loan) => {
        const res = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).send(loan);
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.body.code).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('when batch bodies are arbitrary JSON, then the answer is never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.record({ loans: fc.array(fc.oneof(fc.jsonValue(), mutatedLoan), { maxLength: 5 }) })),
        async (body) => {
          const res = await request(t.app)
            .post('/api/v1/loans/batch')
            .set(bearer(bank.apiKey))
            .set('content-type', 'application/json')
            .send(JSON.stringify(body));
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('when a name holds a NUL character, then the row is refused naming the field instead of failing in the database', async () => {
    const res = await request(t.app)
      .post('/api/v1/loans/batch')
      .set(bearer(bank.apiKey))
      .send({ loans: [loanRequest({ borrower: { name: 'A\u0000B' } }), loanRequest()] });
    expect(res.status).toBe(200);
    expect(res.body.results[0].errors).toContainEqual(
      expect.objectContaining({ path: 'loans.0.borrower.name', code: 'invalid_character' }),
    );
    expect(res.body.results[1].status).toBe('created');
  });

  it('when the body is not JSON at all or has the wrong media type, then the answer is 4xx', async () => {
    const text = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).set('content-type', 'text/plain').send('hello');
    expect(text.status).toBe(422);
    const broken = await request(t.app)
      .post('/api/v1/loans/batch')
      .set(bearer(bank.apiKey))
      .set('content-type', 'application/json')
      .send('{"loans": [');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('malformed_json');
  });
});
