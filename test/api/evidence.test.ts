import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitLoan, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { allChecks, disclosureUnderVerification } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { asBytes } from '../support/bytes.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A small PDF whose bytes (and so hash) differ by `label`. */
const pdf = (label: string) =>
  Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${label}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
const png = (label: string) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(label)]);

const put = (key: string, hash: string, body: Buffer, type = 'application/pdf') =>
  request(t.app).put(`/api/v1/evidence/${hash}`).set(bearer(key)).set('Content-Type', type).send(body);
const get = (key: string | null, hash: string) => {
  const r = request(t.app).get(`/api/v1/evidence/${hash}`).buffer(true).parse(asBytes);
  return key ? r.set(bearer(key)) : r;
};

/** A disclosure under verification whose two sampled loans declare a PDF and a PNG of our own. */
async function withEvidence(label: string) {
  const study = pdf(`study ${label}`);
  const eia = png(`eia ${label}`);
  const d = await disclosureUnderVerification(t, {
    evidence: [
      { title: '可行性研究报告', sha256: sha(study) },
      { title: '环境影响评价报告', sha256: sha(eia) },
    ],
  });
  return { ...d, study, eia };
}

describe('uploading evidence files', () => {
  it('refuses a file whose hash is not the declared one, a hash no project of the bank declares, and a file that is not a PDF or image; nothing is stored', async () => {
    const d = await withEvidence('refusals');
    const declared = sha(d.study);

    const wrong = await put(d.bank.apiKey, declared, pdf('another document'));
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({
      code: 'evidence_hash_mismatch',
      declaredSha256: declared,
      receivedSha256: sha(pdf('another document')),
    });
    expect(wrong.body.errors[0]).toMatchObject({ path: 'file', code: 'evidence_hash_mismatch' });
    // nothing stored: even the bank reads nothing under the declared hash
    expect((await get(d.bank.apiKey, declared)).status).toBe(404);

    const stray = pdf('never declared');
    const undeclared = await put(d.bank.apiKey, sha(stray), stray);
    expect(undeclared.status).toBe(422);
    expect(undeclared.body.code).toBe('evidence_not_declared');
    expect(undeclared.body.errors[0]).toMatchObject({ path: 'sha256', code: 'evidence_not_declared' });

    // a text file declared as a project's evidence is still refused by its first bytes
    const text = Buffer.from('just some text, not a study');
    const loanId = await submitLoan(t, d.bank.apiKey, { project: { evidence: { title: '说明', sha256: sha(text) } } });
    expect(loanId).toBeTruthy();
    const notPdf = await put(d.bank.apiKey, sha(text), text, 'application/pdf');
    expect(notPdf.status).toBe(415);
    expect(notPdf.body.code).toBe('evidence_type_not_allowed');
    expect((await get(d.bank.apiKey, sha(text))).status).toBe(404);

    const badHash = await put(d.bank.apiKey, 'not-a-hash', d.study);
    expect(badHash.status).toBe(422);
    expect(badHash.body.errors[0]).toMatchObject({ path: 'sha256', code: 'invalid_sha256' });

    // another bank cannot upload a document only this bank declares
    const other = await createInstitution(t, { code: uniqueCode('EB') });
    expect((await put(other.apiKey, declared, d.study)).body.code).toBe('evidence_not_declared');

    // a verifier or an operator uploads nothing
    expect((await put(d.verifier.apiKey, declared, d.study)).status).toBe(403);
  });

  it('accepts the declared file (201), answers the same file again with 200, and serves it with its type, ETag and safe headers', async () => {
    const d = await withEvidence('accepted');
    const hash = sha(d.study);
    const first = await put(d.bank.apiKey, hash, d.study);
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe(`/api/v1/evidence/${hash}`);
    expect(first.body).toMatchObject({ sha256: hash, title: '可行性研究报告', mediaType: 'application/pdf', sizeBytes: d.study.length });
    const again = await put(d.bank.apiKey, hash, d.study, 'application/octet-stream');
    expect(again.status).toBe(200);
    expect(again.body.uploadedAt).toBe(first.body.uploadedAt);

    const image = await put(d.bank.apiKey, sha(d.eia), d.eia, 'image/png');
    expect(image.status).toBe(201);
    expect(image.body.mediaType).toBe('image/png');

    const read = await get(d.bank.apiKey, hash);
    expect(read.status).toBe(200);
    expect(Buffer.compare(read.body as Buffer, d.study)).toBe(0);
    expect(read.headers['content-type']).toBe('application/pdf');
    expect(read.headers.etag).toBe(`"${hash}"`);
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(read.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(read.headers['content-disposition']).toContain(`filename="evidence-${hash.slice(0, 12)}.pdf"`);
    expect(read.headers['content-disposition']).toContain(encodeURIComponent('可行性研究报告.pdf'));
    const cached = await request(t.app).get(`/api/v1/evidence/${hash}`).set(bearer(d.bank.apiKey)).set('If-None-Match', `"${hash}"`);
    expect(cached.status).toBe(304);
    const meta = await request(t.app).get(`/api/v1/evidence/${hash}?meta=true`).set(bearer(d.bank.apiKey)).expect(200);
    expect(meta.body).toMatchObject({ sha256: hash, sizeBytes: d.study.length, url: `/api/v1/evidence/${hash}` });
  });

  it('refuses a file past the size limit with 413 before reading it', async () => {
    const d = await withEvidence('large');
    const res = await request(t.app)
      .put(`/api/v1/evidence/${sha(d.study)}`)
      .set(bearer(d.bank.apiKey))
      .set('Content-Type', 'application/pdf')
      .set('Content-Length', String(21 * 1024 * 1024))
      .send(Buffer.alloc(0))
      .catch((err: { response?: request.Response }) => err.response!);
    expect(res.status).toBe(413);
  });

  it('stops reading a chunked body once it passes the limit (413 evidence_too_large) and stores nothing', async () => {
    const d = await withEvidence('chunked');
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            port,
            host: '127.0.0.1',
            method: 'PUT',
            path: `/api/v1/evidence/${sha(d.study)}`,
            headers: { ...bearer(d.bank.apiKey), 'Content-Type': 'application/pdf' },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        // after the answer the server closes the connection: a reset of the rest of the upload is expected
        req.on('error', (err) => (['ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException).code ?? '') ? undefined : reject(err)));
        // 20 MB and 64 KB more, chunked (no Content-Length), and no end: the server must stop by itself
        const chunk = Buffer.concat([d.study, Buffer.alloc(1024 * 1024 - d.study.length)]);
        const parts = [...Array.from({ length: 20 }, () => chunk), Buffer.alloc(64 * 1024)];
        const pump = () => {
          let part: Buffer | undefined;
          while ((part = parts.shift())) if (!req.write(part)) return void req.once('drain', pump);
        };
        pump();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'evidence_too_large' });
      expect((await get(d.bank.apiKey, sha(d.study))).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the bank's evidence page", () => {
  it('lists each declared document, uploads the declared file through the form, and refuses a file with another hash', async () => {
    const d = await withEvidence('bank page');
    const cookies = await signInToPages(t, d.bank.apiKey);
    const page = await browsePage(t, '/bank/evidence?lang=en', cookies);
    expect(page.res.status).toBe(200);
    expect(page.res.text).toContain(sha(d.study));
    expect(page.res.text).toContain(`action="/bank/evidence/${sha(d.study)}?_csrf=`);
    const send = (hash: string, file: Buffer, name: string) =>
      request(t.app)
        .post(`/bank/evidence/${hash}?_csrf=${encodeURIComponent(page.token)}`)
        .set('Cookie', page.cookies.join('; '))
        .attach('file', file, name);

    const wrong = await send(sha(d.study), pdf('not the declared one'), 'study.pdf');
    expect(wrong.status).toBe(303);
    expect(wrong.headers.location).toBe('/bank/evidence?error=evidence_hash_mismatch');
    const shown = await browsePage(t, wrong.headers.location, page.cookies);
    expect(shown.res.text).toContain('evidence_hash_mismatch');

    const stored = await send(sha(d.study), d.study, 'study.pdf');
    expect(stored.headers.location).toBe('/bank/evidence?done=1');
    const after = await browsePage(t, '/bank/evidence', page.cookies);
    expect(after.res.text).toContain(`href="/evidence/${sha(d.study)}"`);
    expect((await get(d.verifier.apiKey, sha(d.study))).status).toBe(200);
  });
});

describe('who reads evidence', () => {
  it('the bank, its assigned verifier and operators read it; another bank and an unassigned verifier get 404; anonymous 401', async () => {
    const d = await withEvidence('access');
    const hash = sha(d.study);
    await put(d.bank.apiKey, hash, d.study).expect(201);
    const otherBank = await createInstitution(t, { code: uniqueCode('OB') });
    const otherVerifier = await createInstitution(t, { code: uniqueCode('OV'), kind: 'verifier' });

    expect((await get(d.bank.apiKey, hash)).status).toBe(200);
    expect((await get(d.verifier.apiKey, hash)).status).toBe(200);
    expect((await get(t.operatorKey, hash)).status).toBe(200);
    const bankNo = await get(otherBank.apiKey, hash);
    expect(bankNo.status).toBe(404);
    expect((await get(otherVerifier.apiKey, hash)).status).toBe(404);
    expect((await get(null, hash)).status).toBe(401);
    // a file never uploaded answers the same 404 as one the caller may not read
    const never = sha(pdf('never uploaded'));
    const missing = await get(otherBank.apiKey, never);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).code).toBe(JSON.parse(bankNo.body.toString()).code);
    // the declared file not uploaded yet: 404 for the verifier too
    expect((await get(d.verifier.apiKey, sha(d.eia))).status).toBe(404);
  });

  it("the verifier's page lists each sampled loan's document with a link, or says it is not uploaded yet, and the link opens it", async () => {
    const password = 'correct horse battery staple';
    const study = pdf('page');
    const eia = png('page');
    const d = await disclosureUnderVerification(t, {
      verifierPassword: password,
      evidence: [
        { title: '可行性研究报告', sha256: sha(study) },
        { title: '环境影响评价报告', sha256: sha(eia) },
      ],
    });
    await put(d.bank.apiKey, sha(study), study).expect(201);
    const cookies = await signInToPages(t, d.verifier.apiKey);
    const page = await browsePage(t, `/verify/${d.assignmentId}?lang=en`, cookies);
    expect(page.res.status).toBe(200);
    expect(page.res.text).toContain(`href="/evidence/${sha(study)}"`);
    expect(page.res.text).not.toContain(`href="/evidence/${sha(eia)}"`);
    expect(page.res.text).toContain('not uploaded yet');
    const opened = await request(t.app)
      .get(`/evidence/${sha(study)}`)
      .set('Cookie', page.cookies.join('; '))
      .buffer(true)
      .parse(asBytes);
    expect(opened.status).toBe(200);
    expect(opened.headers['content-type']).toBe('application/pdf');
    expect(opened.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(Buffer.compare(opened.body as Buffer, study)).toBe(0);
    const notYet = await request(t.app)
      .get(`/evidence/${sha(eia)}`)
      .set('Cookie', page.cookies.join('; '));
    expect(notYet.status).toBe(404);
  });
});

describe('queries on sampled loans', () => {
  it('the verifier raises a query, the bank answers, both see the thread, and the report keeps it', async () => {
    const password = 'correct horse battery staple';
    const d = await disclosureUnderVerification(t, { verifierPassword: password });
    const v = bearer(d.verifier.apiKey);
    const b = bearer(d.bank.apiKey);
    const loan = d.sample[0];

    const raised = await request(t.app)
      .post(`${d.path}/queries`)
      .set(v)
      .send({ loanId: loan.loanId, text: '请提供项目环评批复文件' })
      .expect(201);
    expect(raised.body).toMatchObject({
      loanId: loan.loanId,
      loanRef: (loan as unknown as { snapshot: { loanRef: string } }).snapshot.loanRef,
      question: { text: '请提供项目环评批复文件', institution: d.verifier.code },
      answers: [],
    });

    // a loan outside the sample is refused, naming the field
    const outside = await submitLoan(t, d.bank.apiKey, { principal: '1000000.00' });
    const refused = await request(t.app).post(`${d.path}/queries`).set(v).send({ loanId: outside, text: '?' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ path: 'loanId', code: 'loan_not_in_sample' });
    const empty = await request(t.app).post(`${d.path}/queries`).set(v).send({ loanId: loan.loanId, text: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0].path).toBe('text');
    // only the verifier raises; only the bank answers
    expect((await request(t.app).post(`${d.path}/queries`).set(b).send({ loanId: loan.loanId, text: 'x' })).status).toBe(403);

    const answered = await request(t.app)
      .post(`${d.path}/queries/${raised.body.id}/answers`)
      .set(b)
      .send({ text: '环评批复已上传，文号环审〔2022〕12号' })
      .expect(201);
    expect(answered.body.answer).toMatchObject({ text: '环评批复已上传，文号环审〔2022〕12号', institution: d.bank.code });
    expect(answered.body.query.answers).toHaveLength(1);

    const otherBank = await createInstitution(t, { code: uniqueCode('QB') });
    expect(
      (await request(t.app).post(`${d.path}/queries/${raised.body.id}/answers`).set(bearer(otherBank.apiKey)).send({ text: 'x' })).status,
    ).toBe(404);
    expect((await request(t.app).get(`${d.path}/queries`).set(bearer(otherBank.apiKey))).status).toBe(404);
    const otherVerifier = await createInstitution(t, { code: uniqueCode('QV'), kind: 'verifier' });
    expect((await request(t.app).get(`${d.path}/queries`).set(bearer(otherVerifier.apiKey))).status).toBe(404);

    for (const key of [v, b, bearer(t.operatorKey)]) {
      const list = await request(t.app).get(`${d.path}/queries`).set(key).expect(200);
      expect(list.body).toMatchObject({ institution: d.bank.code, quarter: '2022Q3', version: 1 });
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0].answers[0].text).toContain('环审');
    }

    // the verifier's page and the bank's drafts page show the thread
    const verifierPage = await browsePage(t, `/verify/${d.assignmentId}`, await signInToPages(t, d.verifier.apiKey));
    expect(verifierPage.res.text).toContain('请提供项目环评批复文件');
    expect(verifierPage.res.text).toContain('环审〔2022〕12号');
    const bankPage = await browsePage(t, '/bank/disclosures', await signInToPages(t, d.bank.apiKey));
    expect(bankPage.res.status).toBe(200);
    expect(bankPage.res.text).toContain('请提供项目环评批复文件');
    expect(bankPage.res.text).toContain('环审〔2022〕12号');

    await request(t.app)
      .post(`${d.path}/findings`)
      .set(v)
      .send({ findings: allChecks(d.sample.map((s) => s.loanId)) })
      .expect(201);
    await request(t.app).post(`${d.path}/verdict`).set(v).send({ verdict: 'verified', summary: '一致' }).expect(200);
    const report = await request(t.app).get(`/api/v1/verification/assignments/${d.assignmentId}/report`).set(b).expect(200);
    expect(report.body.report.queries).toEqual([
      expect.objectContaining({
        id: raised.body.id,
        loanId: loan.loanId,
        question: expect.objectContaining({ text: '请提供项目环评批复文件', institution: d.verifier.code }),
        answers: [expect.objectContaining({ text: '环评批复已上传，文号环审〔2022〕12号', institution: d.bank.code })],
      }),
    ]);

    // after the verdict the thread is closed
    const late = await request(t.app).post(`${d.path}/queries/${raised.body.id}/answers`).set(b).send({ text: '补充' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('illegal_transition');
    const lateQuery = await request(t.app).post(`${d.path}/queries`).set(v).send({ loanId: loan.loanId, text: '补充问题' });
    expect(lateQuery.status).toBe(409);
  });
});
