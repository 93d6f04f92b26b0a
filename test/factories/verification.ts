import request from 'supertest';
import { bearer, type TestApp } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { submitLoan, supportLoans, uniqueCode } from './disclosures.js';
import { createInstitution } from './institutions.js';

/**
 * A bank's 2022Q3 disclosure under verification by a verifier of its own: loans submitted and covered
 * by approved support, the compiled version seeded, submitted by the bank and assigned by the operator
 * (every loan of at least the threshold is sampled). Returns who is who, the assignment and its sample.
 */
export async function disclosureUnderVerification(
  t: TestApp,
  options: {
    principals?: string[];
    verifierPassword?: string;
    bankCode?: string;
    verifierCode?: string;
    /** each loan's project evidence (title and SHA-256), by the loan's position */
    evidence?: ({ title: string; sha256: string } | undefined)[];
  } = {},
) {
  const bank = await createInstitution(t, {
    code: options.bankCode ?? uniqueCode('FB'),
    nameZh: '更正测试银行',
    nameEn: 'Correction Test Bank',
  });
  const verifier = await createInstitution(t, {
    code: options.verifierCode ?? uniqueCode('FV'),
    kind: 'verifier',
    nameZh: '核验事务所',
    nameEn: 'Audit Partners',
  });
  if (options.verifierPassword)
    await request(t.app)
      .post(`/api/v1/institutions/${verifier.code}/users`)
      .set(bearer(t.operatorKey))
      .send({ name: 'auditor', password: options.verifierPassword })
      .expect(201);
  const loans = [];
  for (const [i, principal] of (options.principals ?? ['300000000.00', '250000000.00']).entries()) {
    const evidence = options.evidence?.[i];
    const id = await submitLoan(t, bank.apiKey, {
      principal,
      disbursedOn: `2022-08-1${i}`,
      ...(evidence ? { project: { evidence } } : {}),
    });
    loans.push({ id, principalFen: BigInt(principal.replace('.', '')) });
  }
  await supportLoans(t, bank.id, loans);
  await publishDisclosure(t.database.db, { institutionCode: bank.code, quarter: '2022Q3', horizons: CITIC_2022Q3, status: 'compiled' });
  const path = `/api/v1/disclosures/${bank.code}/2022Q3`;
  await request(t.app).post(`${path}/submit`).set(bearer(bank.apiKey)).expect(200);
  await request(t.app)
    .post(`${path}/assign`)
    .set(bearer(t.operatorKey))
    .send({ verifier: verifier.code, seed: 'corrections', materialityThreshold: '1.00', randomSampleSize: 0 })
    .expect(200);
  const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(verifier.apiKey)).expect(200);
  const assignmentId = queue.body.items[0].id as string;
  const detail = await request(t.app).get(`/api/v1/verification/assignments/${assignmentId}`).set(bearer(verifier.apiKey)).expect(200);
  const sample = detail.body.sample as { loanId: string; loanRef: string }[];
  return { bank, verifier, path, assignmentId, sample, loans };
}

/** Every one of the five checks of each sampled loan, with one outcome. */
export const allChecks = (loanIds: string[], outcome: 'pass' | 'fail' = 'pass') =>
  loanIds.flatMap((loanId) => ['area', 'amount', 'rate', 'reduction', 'evidence'].map((check) => ({ loanId, check, outcome })));
