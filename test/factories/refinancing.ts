/** Building blocks for refinancing tests, all through the real API. */
import request from 'supertest';
import { loanRequest, type LoanRequest } from './loans.js';
import { bearer, type TestApp } from '../support/harness.js';
import { act } from './approvals.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export const post = (t: TestApp, key: string, path: string, body: unknown = {}) =>
  request(t.app)
    .post(path)
    .set(bearer(key))
    .send(body as object);
export const get = (t: TestApp, key: string, path: string) => request(t.app).get(path).set(bearer(key));

function expectStatus(res: request.Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** Submits a loan for the bank and returns its id and ref. */
export async function createLoan(t: TestApp, bankKey: string, overrides: DeepPartial<LoanRequest> = {}) {
  const body = loanRequest(overrides);
  const res = expectStatus(await post(t, bankKey, '/api/v1/loans', body), 201, 'createLoan');
  return { id: res.body.id as string, loanRef: body.loanRef };
}

/** Opens the quarter's operation: proposed by the operator, confirmed by the second (four eyes); answers the operation. */
export async function openOperation(t: TestApp, quarter: string, volume: string, extra: { on?: string; reason?: string } = {}) {
  expectStatus(await act(t, t.operatorKey, 'post', '/api/v1/operations', { quarter, volume, ...extra }), 200, 'openOperation');
  return expectStatus(await get(t, t.operatorKey, `/api/v1/operations/${quarter}`), 200, 'openOperation').body;
}

/** Accepts a rate-flagged loan (four eyes); answers the loan. */
export async function acceptLoan(t: TestApp, loanId: string, body: { reason: string; on?: string }) {
  expectStatus(await act(t, t.operatorKey, 'post', `/api/v1/loans/${loanId}/accept`, body), 200, 'acceptLoan');
  return expectStatus(await get(t, t.operatorKey, `/api/v1/loans/${loanId}`), 200, 'acceptLoan').body;
}

/** Reverses a journal entry (four eyes); answers the reversing entry. */
export async function reverseEntry(t: TestApp, entryId: string, body: { reason: string; on?: string }) {
  const confirmed = expectStatus(
    await act(t, t.operatorKey, 'post', `/api/v1/journal/entries/${entryId}/reverse`, body),
    200,
    'reverseEntry',
  );
  return expectStatus(await get(t, t.operatorKey, `/api/v1/journal/entries/${confirmed.body.result.reversalId}`), 200, 'reverseEntry').body;
}

export const bond = (ref: string, value: string, type = 'central_government_bond') => ({ type, ref, faceValue: value, marketValue: value });

export async function apply(t: TestApp, bankKey: string, body: Record<string, unknown>) {
  return expectStatus(await post(t, bankKey, '/api/v1/applications', body), 201, 'apply').body;
}

export async function approve(t: TestApp, operatorKey: string, applicationId: string, amount?: string) {
  return expectStatus(
    await post(t, operatorKey, `/api/v1/applications/${applicationId}/approve`, {
      reason: 'meets the rules',
      ...(amount ? { amount } : {}),
    }),
    200,
    'approve',
  ).body;
}

export async function disburse(t: TestApp, operatorKey: string, applicationId: string) {
  return expectStatus(await post(t, operatorKey, `/api/v1/applications/${applicationId}/disburse`), 201, 'disburse').body;
}

export async function verifyJournal(t: TestApp) {
  return expectStatus(await get(t, t.operatorKey, '/api/v1/journal/verify'), 200, 'verify').body;
}
