import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2023-02-15T04:00:00Z' });
  await createInstitution(t, { code: 'TIMELY', nameZh: '及时银行', nameEn: 'Timely Bank' });
  // due 30 days after the quarter's end: 2022Q2 → 2022-07-30, 2022Q3 → 2022-10-30, 2022Q4 → 2023-01-30
  await publishDisclosure(t.database.db, {
    institutionCode: 'TIMELY',
    quarter: '2022Q2',
    horizons: CITIC_2022Q3,
    publishedOn: '2022-07-20',
  });
  await publishDisclosure(t.database.db, {
    institutionCode: 'TIMELY',
    quarter: '2022Q3',
    horizons: CITIC_2022Q3,
    publishedOn: '2022-11-28',
  });
  await publishDisclosure(t.database.db, { institutionCode: 'TIMELY', quarter: '2022Q4', horizons: CITIC_2022Q3, status: 'compiled' });
});
afterAll(async () => t.close());

describe('timeliness', () => {
  it("when the bank's public page is opened, then each quarter shows on time, days late or not yet published against the policy's deadline", async () => {
    const res = await request(t.app).get('/institutions/TIMELY?lang=en');
    expect(res.status).toBe(200);
    const section = res.text.slice(res.text.indexOf('id="h-timeliness"'));
    expect(section).toContain('1 quarters on time, 1 late, 1 not yet published');
    expect(section).toMatch(/2022Q2<\/th><td>2022-07-30<\/td><td>2022-07-20<\/td><td class="timeliness on_time"[^>]*>On time/);
    expect(section).toMatch(/2022Q3<\/th><td>2022-10-30<\/td><td>2022-11-28<\/td><td class="timeliness late"[^>]*>29 days late/);
    expect(section).toMatch(
      /2022Q4<\/th><td>2023-01-30<\/td><td>—<\/td><td class="timeliness not_yet_published"[^>]*>Not yet published \(16 days overdue\)/,
    );
    expect(section).toContain('due 30 days after the quarter ends');
  });

  it('when the disclosure index is opened, then each row says whether it was published on time', async () => {
    const res = await request(t.app).get('/disclosures?institution=TIMELY&lang=zh');
    expect(res.text).toContain('<th scope="col">及时性</th>');
    expect(res.text).toContain('逾期29天');
    expect(res.text).toContain('按时');
  });

  it('when the policy is read, then the deadline is one of its parameters', async () => {
    const res = await request(t.app).get('/api/v1/policy?on=2023-01-01');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('"disclosureDeadlineDays":30');
  });
});
