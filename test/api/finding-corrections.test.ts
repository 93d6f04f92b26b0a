import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks, disclosureUnderVerification } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
});
afterAll(async () => {
  await t.close();
});

describe('correcting a finding before the verdict', () => {
  it('when a failed check is superseded by a pass, then the verdict can be verified and the history keeps both', async () => {
    const d = await disclosureUnderVerification(t);
    const ids = d.sample.map((s) => s.loanId);
    expect(ids).toHaveLength(2);
    const key = bearer(d.verifier.apiKey);
    const findings = allChecks(ids).map((f, i) => (i === 0 ? { ...f, outcome: 'fail', note: '金额不符' } : f));
    const recorded = await request(t.app).post(`${d.path}/findings`).set(key).send({ findings }).expect(201);
    const wrong = recorded.body.items[0];
    expect(wrong).toMatchObject({ check: 'area', outcome: 'fail', supersededBy: null, supersedes: null });

    // recording the same check again is refused: a correction is explicit
    const again = await request(t.app)
      .post(`${d.path}/findings`)
      .set(key)
      .send({ findings: [{ loanId: ids[0], check: 'area', outcome: 'pass' }] });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'finding_already_recorded' });
    expect(again.body.errors[0]).toMatchObject({ path: 'findings.0.check', code: 'finding_already_recorded' });

    const refused = await request(t.app).post(`${d.path}/verdict`).set(key).send({ verdict: 'verified', summary: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].code).toBe('verified_with_failed_findings');

    // a reason is required
    const noReason = await request(t.app).post(`${d.path}/findings/${wrong.id}/supersede`).set(key).send({ outcome: 'pass' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].path).toBe('reason');

    const corrected = await request(t.app)
      .post(`${d.path}/findings/${wrong.id}/supersede`)
      .set(key)
      .send({ outcome: 'pass', note: '复核一致', reason: '误读了子领域代码' });
    expect(corrected.status).toBe(201);
    expect(corrected.body.finding).toMatchObject({
      loanId: ids[0],
      check: 'area',
      outcome: 'pass',
      note: '复核一致',
      reason: '误读了子领域代码',
      supersedes: wrong.id,
      supersededBy: null,
    });
    expect(corrected.body.superseded).toMatchObject({ id: wrong.id, outcome: 'fail', supersededBy: corrected.body.finding.id });

    // the superseded finding cannot be corrected a second time; the one in force can
    const twice = await request(t.app).post(`${d.path}/findings/${wrong.id}/supersede`).set(key).send({ outcome: 'fail', reason: 'x' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('finding_superseded');

    // the history: 10 in force + 1 superseded, both visible on the assignment
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${d.assignmentId}`).set(key).expect(200);
    expect(detail.body.findings).toHaveLength(11);
    expect(detail.body.findings.filter((f: { supersededBy: string | null }) => f.supersededBy === null)).toHaveLength(10);

    const verdict = await request(t.app).post(`${d.path}/verdict`).set(key).send({ verdict: 'verified', summary: '复核后一致' });
    expect(verdict.status).toBe(200);
    expect(verdict.body.status).toBe('verified');
    const report = await request(t.app).get(`/api/v1/verification/assignments/${d.assignmentId}/report`).set(key).expect(200);
    expect(report.body.report.findings).toHaveLength(10);
    expect(report.body.report.supersededFindings).toEqual([
      expect.objectContaining({ id: wrong.id, outcome: 'fail', supersededBy: corrected.body.finding.id }),
    ]);

    // after the verdict nothing can be corrected
    const late = await request(t.app)
      .post(`${d.path}/findings/${corrected.body.finding.id}/supersede`)
      .set(key)
      .send({ outcome: 'fail', reason: 'x' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('illegal_transition');
  });

  it('when another verifier or an unknown finding is named, then 404; a body listing one check twice is refused', async () => {
    const d = await disclosureUnderVerification(t);
    const other = await disclosureUnderVerification(t);
    const ids = d.sample.map((s) => s.loanId);
    const recorded = await request(t.app)
      .post(`${d.path}/findings`)
      .set(bearer(d.verifier.apiKey))
      .send({ findings: allChecks(ids) })
      .expect(201);
    const finding = recorded.body.items[0].id;
    const stranger = await request(t.app)
      .post(`${d.path}/findings/${finding}/supersede`)
      .set(bearer(other.verifier.apiKey))
      .send({ outcome: 'fail', reason: 'x' });
    expect(stranger.status).toBe(404);
    const unknown = await request(t.app)
      .post(`${d.path}/findings/00000000-0000-4000-8000-000000000000/supersede`)
      .set(bearer(d.verifier.apiKey))
      .send({ outcome: 'fail', reason: 'x' });
    expect(unknown.status).toBe(404);
    const notUuid = await request(t.app)
      .post(`${d.path}/findings/nope/supersede`)
      .set(bearer(d.verifier.apiKey))
      .send({ outcome: 'fail', reason: 'x' });
    expect(notUuid.status).toBe(404);

    const otherIds = other.sample.map((s) => s.loanId);
    const doubled = await request(t.app)
      .post(`${other.path}/findings`)
      .set(bearer(other.verifier.apiKey))
      .send({
        findings: [
          { loanId: otherIds[0], check: 'rate', outcome: 'pass' },
          { loanId: otherIds[0], check: 'rate', outcome: 'fail' },
        ],
      });
    expect(doubled.status).toBe(422);
    expect(doubled.body.errors[0]).toMatchObject({ path: 'findings.1.check', code: 'duplicate_finding' });
    const none = await request(t.app).get(`/api/v1/verification/assignments/${other.assignmentId}`).set(bearer(other.verifier.apiKey));
    expect(none.body.findings).toEqual([]);
  });
});
