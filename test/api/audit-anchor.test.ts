/**
 * The audit chain's head anchored outside the database: a signed head statement anyone can fetch, an
 * anchor in every signed publication and in the data folder; deleting the trail's last records and
 * moving its head back is caught against the last anchor.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { createLoan } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let dataDir: string;
let bank: { apiKey: string };
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-anchor-'));
  t = await createTestApp({ now: '2022-12-01T04:00:00Z', env: { DATA_DIR: dataDir } });
  bank = await createInstitution(t, { code: 'ANCH', nameZh: '锚定银行', nameEn: 'Anchor Bank' });
  await createInstitution(t, { code: 'ANCHV', kind: 'verifier', nameZh: '锚定核验', nameEn: 'Anchor Verifier' });
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Statement = { kind: string; chain: string; position: number; hash: string; at: string };
type SignedHead = { statement: Statement; kid: string; signature: string };

const rows = async <T>(query: ReturnType<typeof sql>) => ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;
const chainHead = async () =>
  (await rows<{ pos: number; hash: string }>(sql`select last_pos::int as pos, last_hash as hash from audit_chain`))[0];
const verifyTrail = async () => (await request(t.app).get('/api/v1/audit/verify').set(bearer(t.operatorKey))).body;

/** Checks a signed head with the listed public key, over the statement's canonical JSON written out by hand (keys sorted). */
async function signedByListedKey(head: SignedHead): Promise<boolean> {
  const keys = await request(t.app).get('/api/v1/signing-keys');
  const key = keys.body.keys.find((k: { kid: string }) => k.kid === head.kid);
  const s = head.statement;
  const canonical = `{"at":${JSON.stringify(s.at)},"chain":${JSON.stringify(s.chain)},"hash":"${s.hash}","kind":"cerf-audit-head","position":${s.position}}`;
  return verify(null, Buffer.from(canonical), createPublicKey(key.publicKeyPem), Buffer.from(head.signature, 'base64'));
}

/** Deletes every record after `keep` and moves the head back to it, as someone with the database's owner rights could. */
async function truncateAfter(keep: number) {
  const [kept] = await rows<{ hash: string }>(sql`select hash from audit_records where chain_pos = ${keep}`);
  await t.database.db.execute(sql`alter table audit_records disable trigger audit_records_append_only`);
  await t.database.db.execute(sql`delete from audit_records where chain_pos > ${keep}`);
  await t.database.db.execute(sql`alter table audit_records enable trigger audit_records_append_only`);
  await t.database.db.execute(sql`update audit_chain set last_pos = ${keep}, last_hash = ${kept.hash}`);
}

describe('the audit chain anchored outside the database', () => {
  it('when anyone asks for the head, then it answers its position and hash signed with the publication key', async () => {
    // the key in use is made sure of first (making it is itself a change the trail records)
    expect((await request(t.app).get('/api/v1/signing-keys')).status).toBe(200);
    const res = await request(t.app).get('/api/v1/audit/head');
    expect(res.status).toBe(200);
    const head = await chainHead();
    expect(res.body.statement).toMatchObject({ kind: 'cerf-audit-head', position: head.pos, hash: head.hash });
    expect(await signedByListedKey(res.body)).toBe(true);
    const moved = { ...res.body, statement: { ...res.body.statement, position: head.pos - 1 } };
    expect(await signedByListedKey(moved)).toBe(false);
  });

  it('when the last records are deleted and the head moved back, then verify names the cut against the data folder’s anchor, and against the last publication’s without it', async () => {
    await publishDisclosure(t.database.db, { institutionCode: 'ANCH', quarter: '2022Q3', horizons: CITIC_2022Q3, verifierCode: 'ANCHV' });
    // the publication is signed (and anchored) when first asked for
    const json = await request(t.app).get('/disclosures/ANCH/2022Q3.json');
    expect(json.status).toBe(200);
    const published = JSON.parse(Buffer.from(json.headers['cerf-audit-anchor'], 'base64').toString('utf8')) as SignedHead;
    expect(await signedByListedKey(published)).toBe(true);
    for (let i = 0; i < 3; i += 1) await createLoan(t, bank.apiKey);
    const head = await chainHead();
    expect(head.pos).toBeGreaterThan(published.statement.position);
    // an intact trail, checked against the highest anchor known (the publication's); its head is kept in the data folder
    expect(await verifyTrail()).toMatchObject({
      intact: true,
      lastPosition: head.pos,
      anchor: { position: published.statement.position, source: 'publication' },
    });

    const keep = published.statement.position - 2;
    await truncateAfter(keep);
    expect(await verifyTrail()).toMatchObject({
      intact: false,
      lastPosition: keep,
      brokenAt: { position: keep + 1, reason: 'tail_truncated' },
      anchor: { position: head.pos, hash: head.hash, source: 'data_folder' },
    });
    // without the data folder's anchor, the last publication's still catches it
    rmSync(path.join(dataDir, 'audit-anchors'), { recursive: true, force: true });
    expect(await verifyTrail()).toMatchObject({
      intact: false,
      brokenAt: { position: keep + 1, reason: 'tail_truncated' },
      anchor: { position: published.statement.position, hash: published.statement.hash, source: 'publication' },
    });
  });
});
