import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSigningKeyFile } from '../../platform/signing.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';
import { act } from '../factories/approvals.js';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { asBytes } from '../support/bytes.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-12-01T04:00:00Z' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-signed-'));
  await createInstitution(t, { code: 'CITIC', nameZh: '中信银行', nameEn: 'China CITIC Bank' });
  await createInstitution(t, { code: 'VERI', kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier Co' });
  await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q3', horizons: CITIC_2022Q3, verifierCode: 'VERI' });
});
afterAll(async () => {
  useSigningKeyFile(undefined);
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

/** Checks a download with openssl alone, as docs/disclosures.md shows. */
function opensslVerifies(json: Buffer, sigBase64: string, publicPem: string): boolean {
  const file = path.join(dir, 'file.json');
  writeFileSync(file, json);
  writeFileSync(path.join(dir, 'file.json.sig'), sigBase64);
  writeFileSync(path.join(dir, 'key.pem'), publicPem);
  execFileSync('openssl', ['base64', '-d', '-A', '-in', path.join(dir, 'file.json.sig'), '-out', path.join(dir, 'sig.bin')]);
  try {
    const out = execFileSync(
      'openssl',
      ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(dir, 'key.pem'), '-rawin', '-in', file, '-sigfile', path.join(dir, 'sig.bin')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return out.includes('Signature Verified Successfully');
  } catch {
    return false;
  }
}

const raw = (res: request.Response) => res.body as Buffer;
const get = (url: string) => request(t.app).get(url).buffer(true).parse(asBytes);

describe('signed snapshots', () => {
  it('when the JSON of a published disclosure is downloaded, then its bytes hash to the content hash and openssl verifies its signature with the listed key', async () => {
    const json = await get('/disclosures/CITIC/2022Q3.json');
    expect(json.status).toBe(200);
    const bytes = raw(json);
    const content = JSON.parse(bytes.toString('utf8'));
    expect(content.quarter).toBe('2022Q3');
    expect(content.horizons.quarter.loanAmountWanYuan).toBe('13773.43');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(json.headers['cerf-content-sha256']).toBe(sha);
    const api = await request(t.app).get('/api/v1/disclosures/CITIC/2022Q3');
    expect(api.body.contentSha256).toBe(sha);
    const kid = json.headers['cerf-signing-key'];
    expect(kid).toMatch(/^ed25519-[0-9a-f]{16}$/);

    const sig = await get('/disclosures/CITIC/2022Q3.json.sig');
    expect(sig.status).toBe(200);
    expect(sig.headers['cerf-signing-key']).toBe(kid);
    const keys = await request(t.app).get('/.well-known/cerf-signing-keys.json');
    const key = keys.body.keys.find((k: { kid: string }) => k.kid === kid);
    expect(key).toMatchObject({ alg: 'Ed25519', inUse: true });
    expect(opensslVerifies(bytes, raw(sig).toString('ascii'), key.publicKeyPem)).toBe(true);
    // one changed byte fails
    const tampered = Buffer.from(bytes.toString('utf8').replace('13773.43', '13773.44'));
    expect(opensslVerifies(tampered, raw(sig).toString('ascii'), key.publicKeyPem)).toBe(false);
  });

  it('when the version-addressed download is asked for, then it is the same signed bytes, immutable, and 304 on its ETag', async () => {
    const current = await get('/disclosures/CITIC/2022Q3.json');
    const versioned = await get('/disclosures/CITIC/2022Q3/v/1.json');
    expect(raw(versioned).equals(raw(current))).toBe(true);
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(current.headers['cache-control']).toBe('no-cache');
    const again = await request(t.app).get('/disclosures/CITIC/2022Q3/v/1.json').set('If-None-Match', versioned.headers.etag);
    expect(again.status).toBe(304);
    expect((await request(t.app).get('/disclosures/CITIC/2022Q3/v/7.json')).status).toBe(404);
  });

  it('when an operator publishes a verified version, then it is signed at publication; a rotation keeps the old key listed and its signatures checkable', async () => {
    await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q2', horizons: CITIC_2022Q3, status: 'verified' });
    // publishing by hand takes four eyes: proposed, then confirmed by another operator
    const published = await act(t, t.operatorKey, 'post', '/api/v1/disclosures/CITIC/2022Q2/publish');
    expect(published.status).toBe(200);
    const before = await request(t.app).get('/.well-known/cerf-signing-keys.json');
    const oldKid = before.body.keys.find((k: { inUse: boolean }) => k.inUse).kid;

    const rotated = await request(t.app).post('/api/v1/signing-keys/rotate').set(bearer(t.operatorKey));
    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toBe(oldKid);
    const bank = await createInstitution(t, { code: 'ROTB', nameZh: '轮换银行', nameEn: 'Rotation Bank' });
    expect((await request(t.app).post('/api/v1/signing-keys/rotate').set(bearer(bank.apiKey))).status).toBe(403);

    const after = await request(t.app).get('/.well-known/cerf-signing-keys.json');
    const old = after.body.keys.find((k: { kid: string }) => k.kid === oldKid);
    expect(old.inUse).toBe(false);
    expect(old.retiredAt).not.toBeNull();
    expect(after.body.keys.find((k: { inUse: boolean }) => k.inUse).kid).toBe(rotated.body.kid);

    // the version published before the rotation stays signed by the old key, and checks with it
    const json = await get('/disclosures/CITIC/2022Q2/v/1.json');
    const sig = await get('/disclosures/CITIC/2022Q2/v/1.json.sig');
    expect(sig.headers['cerf-signing-key']).toBe(oldKid);
    expect(opensslVerifies(raw(json), raw(sig).toString('ascii'), old.publicKeyPem)).toBe(true);
  });

  it('when a key file is configured, then it signs, its public half is listed and rotation through the API is refused', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = path.join(dir, 'signing.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const configured = useSigningKeyFile(file)!;
    await publishDisclosure(t.database.db, { institutionCode: 'CITIC', quarter: '2022Q1', horizons: CITIC_2022Q3, status: 'verified' });
    expect((await act(t, t.operatorKey, 'post', '/api/v1/disclosures/CITIC/2022Q1/publish')).status).toBe(200);
    const json = await get('/disclosures/CITIC/2022Q1/v/1.json');
    const sig = await get('/disclosures/CITIC/2022Q1/v/1.json.sig');
    expect(sig.headers['cerf-signing-key']).toBe(configured.kid);
    const keys = await request(t.app).get('/api/v1/signing-keys');
    expect(keys.body.keys.filter((k: { inUse: boolean }) => k.inUse).map((k: { kid: string }) => k.kid)).toEqual([configured.kid]);
    expect(keys.body.keys.length).toBeGreaterThanOrEqual(3);
    expect(opensslVerifies(raw(json), raw(sig).toString('ascii'), configured.publicPem)).toBe(true);
    const refused = await request(t.app).post('/api/v1/signing-keys/rotate').set(bearer(t.operatorKey));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('signing_key_configured');
    useSigningKeyFile(undefined);
  });

  it('when the key file is not an Ed25519 PEM, then loading it names the variable', () => {
    const file = path.join(dir, 'bad.pem');
    writeFileSync(file, 'not a key');
    expect(() => useSigningKeyFile(file)).toThrow(/CERF_SIGNING_KEY_FILE/);
    useSigningKeyFile(undefined);
  });
});
