import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks, disclosureUnderVerification } from '../factories/verification.js';
import { bearer, type TestApp } from '../support/harness.js';
import { expectNoSeriousAxeViolations } from './support/axe.js';
import { expectBasicAccessibility, launchChromium, screenshot, startLiveService, type LiveService } from './support/service.js';

const PASSWORD = 'verifier-pass-2022';
let live: LiveService;
let browser: Browser;
let asTestApp: TestApp;

beforeAll(async () => {
  live = await startLiveService();
  asTestApp = { app: live.url, database: live.service.database, operatorKey: live.operatorKey } as unknown as TestApp;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function checkPage(page: Page) {
  await expectBasicAccessibility(page);
  await expectNoSeriousAxeViolations(page);
}

describe('evidence and queries in the browser', () => {
  it('the bank uploads its evidence on its page, the verifier opens it from the sample and raises a query, the bank answers, the verdict keeps the thread', async () => {
    const study = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const eia = Buffer.from('%PDF-1.4\n% environmental impact assessment\n%%EOF\n', 'latin1');
    const d = await disclosureUnderVerification(asTestApp, {
      principals: ['300000000.00', '120000000.00'],
      verifierPassword: PASSWORD,
      evidence: [
        { title: '可行性研究报告', sha256: sha(study) },
        { title: '环境影响评价报告', sha256: sha(eia) },
      ],
    });
    const cspViolations: string[] = [];
    const watch = (page: Page) =>
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });

    // the bank uploads the feasibility study from its evidence page
    const bankContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const bankPage = await bankContext.newPage();
    watch(bankPage);
    await bankPage.goto(`${live.url}/signin?lang=zh`);
    await bankPage.fill('#apiKey', d.bank.apiKey);
    await Promise.all([bankPage.waitForURL(/\/bank/), bankPage.click('form[action="/signin/key"] button[type=submit]')]);
    await bankPage.goto(`${live.url}/bank/evidence`);
    expect(await bankPage.textContent('h1')).toBe('证明文件');
    await checkPage(bankPage);
    const row = bankPage.locator('tr', { hasText: sha(study) });
    await row.locator('input[type=file]').setInputFiles({ name: 'study.pdf', mimeType: 'application/pdf', buffer: study });
    await Promise.all([bankPage.waitForURL(/done=1/), row.locator('button[type=submit]').click()]);
    expect(await bankPage.textContent('[role=status]')).toContain('文件已保存');
    await screenshot(bankPage, 'evidence-bank-uploaded');

    // the verifier sees a link for the uploaded file and "not uploaded yet" for the other
    const verifierContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await verifierContext.newPage();
    watch(page);
    await page.goto(`${live.url}/signin?lang=zh`);
    await page.fill('#institution', d.verifier.code);
    await page.fill('#user', 'auditor');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/verify$/), page.click('form[action="/signin/password"] button[type=submit]')]);
    await page.goto(`${live.url}/verify/${d.assignmentId}`);
    const link = page.locator(`table.sample a[href="/evidence/${sha(study)}"]`);
    expect(await link.count()).toBe(1);
    expect(await page.textContent('table.sample')).toContain('尚未上传');
    await checkPage(page);

    // the link opens the file itself, sandboxed
    const opened = await page.request.get(`${live.url}/evidence/${sha(study)}`);
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-type']).toBe('application/pdf');
    expect(opened.headers()['content-security-policy']).toMatch(/^sandbox/);
    expect(Buffer.compare(await opened.body(), study)).toBe(0);

    // a query on the first sampled loan
    await page.selectOption('#h-queries-loan', d.sample[0].loanId);
    await page.fill('#h-queries-text', '请说明可研报告中的装机容量依据');
    await Promise.all([page.waitForURL(/saved=1/), page.click('form.query-form button[type=submit]')]);
    expect(await page.textContent('ol.threads')).toContain('请说明可研报告中的装机容量依据');
    await checkPage(page);
    await screenshot(page, 'evidence-query-raised');

    // the bank answers on its drafts page
    await bankPage.goto(`${live.url}/bank/disclosures`);
    await bankPage.fill('form.answer-form textarea', '装机容量依据见可研报告第三章');
    await Promise.all([bankPage.waitForURL(/done=1/), bankPage.click('form.answer-form button[type=submit]')]);
    expect(await bankPage.textContent('ol.threads')).toContain('装机容量依据见可研报告第三章');
    await checkPage(bankPage);
    await screenshot(bankPage, 'evidence-query-answered');

    // the verifier reads the answer, records its checks and verifies
    await page.goto(`${live.url}/verify/${d.assignmentId}`);
    expect(await page.textContent('ol.threads')).toContain('装机容量依据见可研报告第三章');
    await request(live.url)
      .post(`${d.path}/findings`)
      .set(bearer(d.verifier.apiKey))
      .send({ findings: allChecks(d.sample.map((s) => s.loanId)) })
      .expect(201);
    await page.goto(`${live.url}/verify/${d.assignmentId}`);
    await page.fill('#summary', '证据与问询答复一致。');
    await Promise.all([page.waitForURL(/saved=1/), page.click('form.verdict-form button[type=submit]')]);
    expect(await page.locator('form.query-form').count()).toBe(0);
    await checkPage(page);
    const report = await request(live.url)
      .get(`/api/v1/verification/assignments/${d.assignmentId}/report`)
      .set(bearer(d.verifier.apiKey))
      .expect(200);
    expect(report.body.report.queries[0].answers[0].text).toBe('装机容量依据见可研报告第三章');
    expect(cspViolations).toEqual([]);
    await bankContext.close();
    await verifierContext.close();
  });
});
