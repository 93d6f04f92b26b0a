import request from 'supertest';
import type { TestApp } from '../support/harness.js';
import { bearer } from '../support/harness.js';
import { act } from './approvals.js';

let counter = 0;

/** Creates a bank (or verifier) through the API and returns its code and API key. */
export async function createInstitution(
  t: TestApp,
  overrides: Partial<{
    code: string;
    kind: 'bank' | 'verifier';
    nameZh: string;
    nameEn: string;
    eligibleFrom: string;
    eligibleUntil: string;
  }> = {},
) {
  counter += 1;
  const code = overrides.code ?? `BANK${process.pid % 1000}${counter}`;
  const res = await request(t.app)
    .post('/api/v1/institutions')
    .set(bearer(t.operatorKey))
    .send({ code, nameZh: `测试银行${counter}`, nameEn: `Test Bank ${counter}`, kind: 'bank', eligibleFrom: '2021-11-08', ...overrides });
  if (res.status !== 201) throw new Error(`createInstitution: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, code, apiKey: res.body.apiKey as string };
}

/**
 * Another user of an institution (e.g. another operator, for maker–checker). A central-bank operator
 * takes four eyes: proposed by the harness's operator, confirmed by its second one (the key comes in
 * the confirmation's `shownOnce`).
 */
export async function createUser(t: TestApp, institutionCode: string, name: string, extra: { password?: string } = {}) {
  const res = await act(t, t.operatorKey, 'post', `/api/v1/institutions/${institutionCode}/users`, { name, ...extra });
  if (res.status === 200) return { id: res.body.result.userId as string, apiKey: res.body.shownOnce.apiKey as string };
  if (res.status !== 201) throw new Error(`createUser: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, apiKey: res.body.apiKey as string };
}

/** Puts a bank in or out of migration mode (four eyes). */
export async function setMigrationMode(t: TestApp, code: string, enabled: boolean, reason = 'records its history') {
  const res = await act(t, t.operatorKey, 'put', `/api/v1/institutions/${code}/migration-mode`, { enabled, reason });
  if (res.status !== 200) throw new Error(`setMigrationMode: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
