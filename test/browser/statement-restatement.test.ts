/**
 * A bank's own statement on the public page: it names a project before submitting, its published
 * statement carries the sentence; a restatement (with its reason) is published later, and the page
 * shows the restatement, its reason, the figures that changed and the method behind each reduction.
 */
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileVersion } from '../../app/disclosures/compile-version.js';
import { eq, inArray } from 'drizzle-orm';
import { applicationLoans, applications, disclosureVersions, loans as loanTable, operations, users } from '../../db/schema/index.js';
import { loanRequest } from '../factories/loans.js';
import { bearer } from '../support/harness.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const NOW = new Date('2023-08-01T02:00:00Z');
let live: LiveService;
let browser: Browser;
let bankKey: string;
let bankId: string;
let verifierKey: string;
const D = '/api/v1/disclosures/BOSR/2023Q2';

async function submitLoan(ref: string, project: Record<string, string>, principal: string, rate: string, disbursedOn: string) {
  const body = loanRequest({
    loanRef: ref,
    project: {
      ref: project.ref,
      name: project.name,
      province: '江西省',
      subArea: project.subArea,
      totalInvestment: principal,
      annualReductionTonnes: project.tonnes,
      reductionBasis: project.basis as 'feasibility_study',
    },
    principal,
    annualRatePercent: rate,
    disbursedOn,
    maturesOn: '2030-01-01',
  });
  const res = await request(live.url).post('/api/v1/loans').set(bearer(bankKey)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, principalFen: BigInt(principal.replace('.', '')) };
}

/** Approved support over the loans (rows written directly: the refinancing workflow is not what this test is about). */
async function support(loans: { id: string; principalFen: bigint }[]) {
  const db = live.service.database.db;
  const [operator] = await db.select({ id: users.id }).from(users).limit(1);
  let [operation] = await db.select().from(operations).limit(1);
  if (!operation)
    [operation] = await db
      .insert(operations)
      .values({ quarter: '2023Q3', opensOn: '2023-07-01', closesOn: '2023-09-30', volumeFen: 10n ** 15n, createdBy: operator.id })
      .returning();
  const [application] = await db
    .insert(applications)
    .values({
      institutionId: bankId,
      operationId: operation.id,
      appliedOn: '2023-07-10',
      status: 'approved',
      policyVersion: '2021-11-launch',
      requestedFen: 1n,
      approvedFen: 1n,
    })
    .returning();
  const facts = await db
    .select()
    .from(loanTable)
    .where(
      inArray(
        loanTable.id,
        loans.map((l) => l.id),
      ),
    );
  const factOf = (id: string) => facts.find((f) => f.id === id)!;
  await db.insert(applicationLoans).values(
    loans.map((l) => ({
      applicationId: application.id,
      loanId: l.id,
      principalFen: l.principalFen,
      requestedSupportFen: 1n,
      active: 1,
      loanPrincipalFen: factOf(l.id).principalFen,
      loanMaturesOn: factOf(l.id).maturesOn,
      loanDisbursedOn: factOf(l.id).disbursedOn,
      loanEligibility: factOf(l.id).eligibility,
    })),
  );
}

/** The compile job's work, run here (the service's workers are off in browser tests). */
async function compile(version: number, previousVersionId: string | null, restates: boolean, changeReason?: string) {
  await live.service.database.db.transaction((tx) =>
    compileVersion(
      { tx, now: NOW, actor: null },
      {
        institutionId: bankId,
        quarter: '2023Q2',
        version,
        previousVersionId,
        restatesVersionId: restates ? previousVersionId : null,
        changeReason,
      },
    ),
  );
}

/** Submit, assign, check every sampled loan, verify, publish. */
async function publish(version: number) {
  await request(live.url).post(`${D}/submit`).set(bearer(bankKey)).send({}).expect(200);
  await request(live.url)
    .post(`${D}/assign`)
    .set(bearer(live.operatorKey))
    .send({ verifier: 'VERI', seed: `s${version}`, materialityThreshold: '50000000.00', randomSampleSize: 5 })
    .expect(200);
  const queue = await request(live.url).get('/api/v1/verification/assignments?open=true').set(bearer(verifierKey));
  const detail = await request(live.url).get(`/api/v1/verification/assignments/${queue.body.items[0].id}`).set(bearer(verifierKey));
  const findings = detail.body.sample.flatMap((s: { loanId: string }) =>
    ['area', 'amount', 'rate', 'reduction', 'evidence'].map((check) => ({ loanId: s.loanId, check, outcome: 'pass' })),
  );
  await request(live.url).post(`${D}/findings`).set(bearer(verifierKey)).send({ findings }).expect(201);
  await request(live.url).post(`${D}/verdict`).set(bearer(verifierKey)).send({ verdict: 'verified', summary: '抽样核验无误' }).expect(200);
  // publishing by hand takes four eyes: proposed by one operator, confirmed by another
  const proposed = await request(live.url).post(`${D}/publish`).set(bearer(live.operatorKey)).expect(202);
  await request(live.url)
    .post(`/api/v1/approvals/${proposed.body.id}/confirm`)
    .set(bearer(await checkerKey()))
    .send({})
    .expect(200);
}

let checker: string | null = null;
/** The central bank's second operator (the bootstrap lets the first create it without confirmation). */
async function checkerKey(): Promise<string> {
  if (!checker) {
    const res = await request(live.url)
      .post('/api/v1/institutions/PBOC/users')
      .set(bearer(live.operatorKey))
      .send({ name: 'checker' })
      .expect(201);
    checker = res.body.apiKey as string;
  }
  return checker!;
}

beforeAll(async () => {
  live = await startLiveService({ now: () => NOW });
  const institution = (code: string, nameZh: string, nameEn: string, kind: string) =>
    request(live.url)
      .post('/api/v1/institutions')
      .set(bearer(live.operatorKey))
      .send({ code, nameZh, nameEn, kind, eligibleFrom: '2021-11-08' })
      .expect(201);
  const bank = await institution('BOSR', '上饶银行', 'Bank of Shangrao', 'bank');
  bankKey = bank.body.apiKey;
  bankId = bank.body.id;
  verifierKey = (await institution('VERI', '某核验机构', 'Some Verifier', 'verifier')).body.apiKey;
  await request(live.url)
    .put('/api/v1/institutions/BOSR/statement-format')
    .set(bearer(bankKey))
    .send({ effectiveFrom: '2023-01-01', trimTrailingZeros: true })
    .expect(200);
  const a = await submitLoan(
    'SR-1',
    {
      ref: 'SR-PV-64',
      name: '铅山县64兆瓦集中式光伏电站建设项目',
      subArea: 'CE.SOLAR',
      tonnes: '24428.00',
      basis: 'feasibility_study',
      creditCode: '91361100MA35F0JU7C',
    },
    '100000000.00',
    '4.20',
    '2023-05-10',
  );
  const b = await submitLoan(
    'SR-2',
    {
      ref: 'SR-EE-2',
      name: '某工业节能改造项目',
      subArea: 'EE.INDUSTRIAL',
      tonnes: '18246.43',
      basis: 'environmental_impact_assessment',
      creditCode: '91361100MA35F0JU7C',
    },
    '15000000.00',
    '3.74',
    '2023-02-10',
  );
  await support([a, b]);
  await compile(1, null, false);
  await request(live.url)
    .put(`${D}/named-projects`)
    .set(bearer(bankKey))
    .send({ projects: ['SR-PV-64'] })
    .expect(200);
  await publish(1);

  const c = await submitLoan(
    'SR-3',
    {
      ref: 'SR-PV-3',
      name: '某分布式光伏项目',
      subArea: 'CE.SOLAR',
      tonnes: '1000.00',
      basis: 'third_party_assessment',
      creditCode: '91361100MA35F0JU7C',
    },
    '20000000.00',
    '3.90',
    '2023-06-20',
  );
  await support([c]);
  const asked = await request(live.url).post(`${D}/versions`).set(bearer(bankKey)).send({ reason: '补充遗漏的一笔碳减排贷款' });
  expect(asked.status).toBe(202);
  // the restated version's id, for the compile job's payload
  const [v1] = await live.service.database.db
    .select({ id: disclosureVersions.id, status: disclosureVersions.status })
    .from(disclosureVersions)
    .where(eq(disclosureVersions.version, 1));
  expect(v1.status).toBe('published');
  await compile(2, v1.id, true, '补充遗漏的一笔碳减排贷款');
  await publish(2);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe("a bank's restated statement on the public page", () => {
  it('when the public opens the disclosure, then it reads the named project, the restatement with its reason and the changed figures', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${live.url}/disclosures/BOSR/2023Q2`);
    const statement = await page.textContent('.statement');
    expect(statement).toContain(
      '合计向2个项目发放碳减排贷款12000万元，贷款加权平均利率4.15%，带动的年度碳减排量为25428吨二氧化碳当量。其中碳减排效应最为显著的项目为铅山县64兆瓦集中式光伏电站建设项目。',
    );
    const restatement = page.locator('section.restatement');
    await expect.poll(() => restatement.isVisible()).toBe(true);
    expect(await restatement.locator('.restatement-reason').textContent()).toBe('本版更正第 1 版。更正原因：补充遗漏的一笔碳减排贷款');
    expect(await restatement.textContent()).toContain('贷款变动：新增 1 笔，移除 0 笔，变更 0 笔');
    const changed = await restatement.locator('tbody tr').allTextContents();
    expect(changed.some((r) => r.includes('本季度') && r.includes('10000') && r.includes('12000'))).toBe(true);
    expect(await page.textContent('#h-methods + .table-wrap')).toContain('96.07');
    expect(await page.textContent('.named-projects')).toContain('铅山县64兆瓦集中式光伏电站建设项目');
    await expectBasicAccessibility(page);
    await screenshot(page, 'public-restatement-zh');

    await page.goto(`${live.url}/disclosures/BOSR/2023Q2?lang=en`);
    expect(await page.textContent('section.restatement')).toContain('This version restates version 1. Reason: 补充遗漏的一笔碳减排贷款');
    expect(await page.textContent('.statement')).toContain(
      'The projects with the most significant reduction effect were: 铅山县64兆瓦集中式光伏电站建设项目.',
    );
    await screenshot(page, 'public-restatement-en');
    await page.close();
  });
});
