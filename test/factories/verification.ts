import request from 'supertest';
import { bearer, type TestApp } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { eventually, submitLoan, supportLoans, uniqueCode } from './disclosures.js';
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

/**
 * Takes a bank's compiled version of a quarter to publication: the bank submits it, the operator assigns
 * the verifier, the verifier passes every check of its sample and verifies, and the publish job
 * publishes it (needs the job runtime). Answers when the version is published.
 */
export async function verifyAndPublish(
  t: TestApp,
  input: { bank: { code: string; apiKey: string }; verifier: { code: string; apiKey: string }; quarter: string; version?: number },
) {
  const path = `/api/v1/disclosures/${input.bank.code}/${input.quarter}`;
  const version = input.version ?? 1;
  await eventually(async () => {
    const r = await request(t.app).get(`${path}?version=${version}`).set(bearer(input.bank.apiKey));
    return r.status === 200 && r.body.status === 'compiled';
  }, `${input.bank.code} ${input.quarter} v${version} compiled`);
  await request(t.app).post(`${path}/submit`).set(bearer(input.bank.apiKey)).send({}).expect(200);
  await request(t.app)
    .post(`${path}/assign`)
    .set(bearer(t.operatorKey))
    .send({ verifier: input.verifier.code, seed: `publish-${version}`, materialityThreshold: '1.00', randomSampleSize: 0 })
    .expect(200);
  const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(input.verifier.apiKey)).expect(200);
  const assignment = (queue.body.items as { id: string; disclosure: { institution: string; quarter: string; version: number } }[]).find(
    (i) => i.disclosure.institution === input.bank.code && i.disclosure.quarter === input.quarter && i.disclosure.version === version,
  );
  if (!assignment) throw new Error(`verifyAndPublish: no open assignment for ${input.bank.code}`);
  const detail = await request(t.app)
    .get(`/api/v1/verification/assignments/${assignment.id}`)
    .set(bearer(input.verifier.apiKey))
    .expect(200);
  const findings = allChecks((detail.body.sample as { loanId: string }[]).map((s) => s.loanId));
  if (findings.length) await request(t.app).post(`${path}/findings`).set(bearer(input.verifier.apiKey)).send({ findings }).expect(201);
  await request(t.app)
    .post(`${path}/verdict`)
    .set(bearer(input.verifier.apiKey))
    .send({ verdict: 'verified', summary: '抽样核验无误' })
    .expect(200);
  await eventually(async () => {
    const r = await request(t.app).get(`${path}?version=${version}`);
    return r.status === 200 && r.body.status === 'published';
  }, `${input.bank.code} ${input.quarter} v${version} published`);
}
