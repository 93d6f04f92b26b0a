import request from 'supertest';
import { sql } from 'drizzle-orm';
import { insertOperation } from '../../db/repositories/refinancing/operations.js';
import { quarterBounds } from '../../domain/dates.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmApproval } from '../factories/approvals.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let cookies: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  await createInstitution(t, { code: 'UPDB', nameZh: '旧名银行', nameEn: 'Old Name Bank' });
  // an operator's page session has passed its second factor
  cookies = await signInToPages(t, t.operatorKey);
});
afterAll(async () => t.close());

const browse = (path: string, jar: string[] = cookies) => browsePage(t, path, jar);
async function submit(from: string, action: string, form: Record<string, string>) {
  const page = await browse(from);
  return request(t.app)
    .post(action)
    .set('Cookie', page.cookies.join('; '))
    .type('form')
    .send({ ...form, _csrf: page.token });
}

/** The approval a page proposed (its id in the redirect), as GET /api/v1/approvals lists it. */
async function pendingFrom(location: string) {
  const id = new URL(location, 'http://pages').searchParams.get('proposed');
  expect(id).toBeTruthy();
  const list = await request(t.app).get('/api/v1/approvals?status=pending').set(bearer(t.operatorKey)).expect(200);
  const found = (list.body.items as { id: string }[]).find((a) => a.id === id);
  expect(found).toBeTruthy();
  return found as { id: string; kind: string; status: string; input: Record<string, unknown>; proposedBy: { name: string } };
}

/** A proposal's notice on the page it came back to, with its link to the acts to confirm. */
async function expectProposedNotice(location: string) {
  const shown = await browse(`${location}&lang=en`);
  expect(shown.res.status).toBe(200);
  expect(shown.res.text).toContain('Proposed, awaiting a second operator&#39;s confirmation');
  expect(shown.res.text).toMatch(/href="\/operator\/approvals#approval-[0-9a-f-]+"/);
}

describe('operator workflow pages', () => {
  it('when an institution is changed in the page, then the same use case as PATCH changes it; nothing filled in is an incomplete form', async () => {
    const done = await submit('/operator/institutions', '/operator/institutions/update', { code: 'UPDB', nameZh: '新名银行' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toMatch(/^\/operator\/institutions\?done=/);
    const api = await request(t.app).get('/api/v1/institutions/UPDB').set(bearer(t.operatorKey)).expect(200);
    expect(api.body).toMatchObject({ nameZh: '新名银行', nameEn: 'Old Name Bank' });
    const empty = await submit('/operator/institutions', '/operator/institutions/update', { code: 'UPDB' });
    expect(empty.headers.location).toBe('/operator/institutions?error=invalid_input');
    const unknown = await submit('/operator/institutions', '/operator/institutions/update', { code: 'NOPE', nameEn: 'x' });
    expect(unknown.headers.location).toContain('error=not_found');
    const shown = await browse(unknown.headers.location);
    expect(shown.res.text).toContain('role="alert"');
  });

  it("when an institution's eligibility is changed in the page, then it is proposed as PATCH proposes it and takes effect once a second operator confirms it", async () => {
    const proposed = await submit('/operator/institutions', '/operator/institutions/update', {
      code: 'UPDB',
      nameEn: 'Renamed Bank',
      eligibleUntil: '2025-12-31',
    });
    expect(proposed.status).toBe(303);
    expect(proposed.headers.location).toMatch(/^\/operator\/institutions\?proposed=/);
    const approval = await pendingFrom(proposed.headers.location);
    expect(approval).toMatchObject({
      kind: 'update_institution_eligibility',
      status: 'pending',
      input: { code: 'UPDB', change: { nameEn: 'Renamed Bank', eligibleUntil: '2025-12-31' } },
    });
    await expectProposedNotice(proposed.headers.location);
    // nothing changed yet
    const before = await request(t.app).get('/api/v1/institutions/UPDB').set(bearer(t.operatorKey)).expect(200);
    expect(before.body).toMatchObject({ nameEn: 'Old Name Bank', eligibleUntil: null });
    // the proposer cannot confirm its own proposal; the second operator can
    expect((await confirmApproval(t, t.operatorKey, approval.id)).status).toBe(403);
    expect((await confirmApproval(t, t.operator2Key!, approval.id)).status).toBe(200);
    const after = await request(t.app).get('/api/v1/institutions/UPDB').set(bearer(t.operatorKey)).expect(200);
    expect(after.body).toMatchObject({ nameEn: 'Renamed Bank', eligibleUntil: '2025-12-31' });
  });

  it('when an operator user is added in the page, then it is proposed as the API proposes it (two operators already)', async () => {
    const proposed = await submit('/operator/institutions', '/operator/users', { institutionCode: 'PBOC', name: 'third-operator' });
    expect(proposed.status).toBe(303);
    const approval = await pendingFrom(proposed.headers.location);
    expect(approval).toMatchObject({ kind: 'add_operator', input: { name: 'third-operator' } });
    await expectProposedNotice(proposed.headers.location);
    const confirmed = await confirmApproval(t, t.operator2Key!, approval.id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.result).toMatchObject({ name: 'third-operator', role: 'operator' });
  });

  it('when an operation is opened in the page, then it is proposed as the API proposes it; confirmed, it is open; opened twice or with a bad volume, the page names the rule and the field', async () => {
    const opened = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1000000.00' });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toMatch(/^\/operator\/operations\?proposed=/);
    const approval = await pendingFrom(opened.headers.location);
    expect(approval).toMatchObject({ kind: 'open_operation', status: 'pending', input: { quarter: '2023Q2', volumeFen: '100000000' } });
    await expectProposedNotice(opened.headers.location);
    // not open until a second operator confirms it
    await request(t.app).get('/api/v1/operations/2023Q2').set(bearer(t.operatorKey)).expect(404);
    expect((await confirmApproval(t, t.operator2Key!, approval.id)).status).toBe(200);
    const api = await request(t.app).get('/api/v1/operations/2023Q2').set(bearer(t.operatorKey)).expect(200);
    expect(api.body).toMatchObject({ status: 'open', volume: '1000000.00' });

    const twice = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1000000.00' });
    expect(twice.headers.location).toContain('error=operation_exists');
    const bad = await submit('/operator/operations', '/operator/operations', { quarter: '2023Q2', volume: '1.234' });
    expect(bad.headers.location).toBe('/operator/operations?error=invalid_input');
    const page = await browse('/operator/operations?lang=en');
    expect(page.res.text).toContain('id="op-2023Q2"');
    expect(page.res.text).toContain('1000000.00');
  });

  it('when a bank signs in, then the operator workflow pages are forbidden to it', async () => {
    const bank = await createInstitution(t, { code: 'NOOP' });
    const jar = await signInToPages(t, bank.apiKey);
    for (const path of ['/operator/operations', '/operator/disclosures', '/operator/institutions'])
      expect((await browse(path, jar)).res.status).toBe(403);
  });

  it('when there are more institutions than a page lists, then the table pages 50 at a time and every institution is on one page', async () => {
    const codes = Array.from({ length: 51 }, (_, i) => `PAGED${String(i).padStart(2, '0')}`);
    for (const code of codes) await createInstitution(t, { code });
    const listed = (html: string) => [...html.matchAll(/<tr id="inst-([^"]+)">/g)].map((m) => m[1]);
    const first = await browse('/operator/institutions?lang=en');
    expect(listed(first.res.text)).toHaveLength(50);
    expect(first.res.text).toContain('Page 1: rows 1–50');
    expect(first.res.text).toContain('href="/operator/institutions?lang=en&amp;page=2" rel="next"');
    const all: string[] = [...listed(first.res.text)];
    for (let n = 2; n < 10; n++) {
      const next = await browse(`/operator/institutions?lang=en&page=${n}`);
      all.push(...listed(next.res.text));
      if (!next.res.text.includes('rel="next"')) break;
    }
    // each institution once, and every one registered here among them
    expect(new Set(all).size).toBe(all.length);
    for (const code of codes) expect(all).toContain(code);
    // the forms still offer every institution, whatever page the table shows
    expect(first.res.text).toContain('<option value="PAGED50">PAGED50</option>');
    expect(first.res.text).toMatch(/<td[^>]*>Bank<\/td>/);
  });

  it('when there are more operations than a page lists, then the operations page 40 at a time, newest first', async () => {
    const found = (await t.database.db.execute(sql`select id from users order by created_at limit 1`)) as unknown as {
      rows: { id: string }[];
    };
    const user = found.rows[0];
    // forty-one quarters of history, seeded (the facility's policy opens fewer quarters than that)
    const quarters = Array.from({ length: 41 }, (_, i) => `${2011 + Math.floor(i / 4)}Q${(i % 4) + 1}`);
    for (const quarter of quarters) {
      const { start, end } = quarterBounds(quarter);
      await insertOperation(t.database.db, {
        quarter,
        opensOn: start,
        closesOn: end,
        volumeFen: 100_000_000n,
        createdBy: user.id,
        status: 'closed',
      });
    }
    const listed = (html: string) => [...html.matchAll(/<tr id="op-(\d{4}Q\d)">/g)].map((m) => m[1]);
    const first = await browse('/operator/operations?lang=en');
    const firstRows = listed(first.res.text);
    expect(firstRows).toHaveLength(40);
    expect([...firstRows].sort().reverse()).toEqual(firstRows);
    expect(first.res.text).toContain('Page 1: rows 1–40');
    const second = await browse('/operator/operations?lang=en&page=2');
    const secondRows = listed(second.res.text);
    expect(second.res.text).toContain('rel="prev"');
    // 2011Q1 is the oldest of all: the last row of the last page
    expect(secondRows.at(-1)).toBe('2011Q1');
    expect(new Set([...firstRows, ...secondRows]).size).toBe(firstRows.length + secondRows.length);
    for (const quarter of quarters) expect([...firstRows, ...secondRows]).toContain(quarter);
  });

  it('when disclosures exist for several quarters, then the operator reads one quarter at a time, the latest first, with a link to each quarter', async () => {
    await createInstitution(t, { code: 'QTRBANK' });
    for (const quarter of ['2022Q4', '2023Q1'])
      await publishDisclosure(t.database.db, { institutionCode: 'QTRBANK', quarter, horizons: CITIC_2022Q3, status: 'compiled' });
    const latest = await browse('/operator/disclosures?lang=en');
    expect(latest.res.text).toContain('href="/operator/disclosures?quarter=2023Q1" aria-current="page"');
    expect(latest.res.text).toContain('href="/operator/disclosures?quarter=2022Q4"');
    expect(latest.res.text).toContain('id="d-QTRBANK-2023Q1"');
    expect(latest.res.text).not.toContain('id="d-QTRBANK-2022Q4"');
    const earlier = await browse('/operator/disclosures?lang=en&quarter=2022Q4');
    expect(earlier.res.text).toContain('id="d-QTRBANK-2022Q4"');
    expect(earlier.res.text).not.toContain('id="d-QTRBANK-2023Q1"');
    // a quarter that is not one reads as the latest
    expect((await browse('/operator/disclosures?quarter=nonsense')).res.status).toBe(200);
  });
});
