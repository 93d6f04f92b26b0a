import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceFileContents, evidenceFiles } from '../../db/schema/index.js';
import { parseS3Url, signV4 } from '../../platform/s3.js';
import { parseEnv } from '../../schemas/env.js';
import { disclosureUnderVerification } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { asBytes } from '../support/bytes.js';

const sha = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('AWS Signature Version 4', () => {
  it('signs the GET Object example of the S3 documentation with its published signature', () => {
    const authorization = signV4({
      method: 'GET',
      path: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
      },
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('reads the store from one URL and names what is missing', () => {
    expect(parseS3Url('https://AK:S%2FK@s3.example.com/bucket?region=cn-north-1')).toEqual({
      origin: 'https://s3.example.com',
      bucket: 'bucket',
      region: 'cn-north-1',
      accessKeyId: 'AK',
      secretAccessKey: 'S/K',
    });
    expect(() => parseS3Url('https://s3.example.com/bucket')).toThrow(/access key/);
    expect(() => parseS3Url('https://AK:SK@s3.example.com/')).toThrow(/bucket/);
    // a bad value stops the process at start, naming the variable
    expect(() => parseEnv({ EVIDENCE_S3_URL: 'https://s3.example.com/bucket' })).toThrow(/EVIDENCE_S3_URL/);
    expect(parseEnv({ EVIDENCE_S3_URL: 'https://AK:SK@s3.example.com/bucket' }).EVIDENCE_S3_URL).toBe(
      'https://AK:SK@s3.example.com/bucket',
    );
  });
});

/**
 * A small S3-compatible server (path-style PUT and GET of objects) that checks each request's
 * SigV4 signature and payload hash as S3 does, so the service's requests are those a real store takes.
 */
function objectStore(accessKeyId: string, secretAccessKey: string) {
  const objects = new Map<string, { body: Buffer; type: string }>();
  const refused: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const auth = String(req.headers.authorization ?? '');
    const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1].split(';') ?? [];
    const headers = Object.fromEntries(signed.map((n) => [n, String(req.headers[n] ?? '')]));
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const expected = signV4({ method: req.method!, path, headers, region: 'us-east-1', accessKeyId, secretAccessKey });
    if (auth !== expected || req.headers['x-amz-content-sha256'] !== sha(body)) {
      refused.push(`${req.method} ${path}`);
      res.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
      return;
    }
    if (req.method === 'PUT') {
      objects.set(path, { body, type: String(req.headers['content-type'] ?? '') });
      return void res.writeHead(200).end();
    }
    const found = objects.get(path);
    if (!found) return void res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
    res.writeHead(200, { 'content-type': found.type }).end(found.body);
  });
  return { server, objects, refused };
}

describe('evidence files in an S3-compatible store', () => {
  let t: TestApp;
  const store = objectStore('CERFTESTKEY', 'cerf/test+secret');
  beforeAll(async () => {
    await new Promise<void>((resolve) => store.server.listen(0, '127.0.0.1', resolve));
    const { port } = store.server.address() as AddressInfo;
    t = await createTestApp({
      now: '2022-10-12T02:00:00Z',
      env: { EVIDENCE_S3_URL: `http://CERFTESTKEY:${encodeURIComponent('cerf/test+secret')}@127.0.0.1:${port}/cerf-evidence` },
    });
  });
  afterAll(async () => {
    await t?.close();
    store.server.closeAllConnections();
    await new Promise((resolve) => store.server.close(resolve));
  });

  it('when EVIDENCE_S3_URL is set, then the file goes to the bucket under its hash, nothing of it to PostgreSQL, and reads come back from the bucket', async () => {
    const study = Buffer.from('%PDF-1.4\n% kept in the object store\n%%EOF\n', 'latin1');
    const d = await disclosureUnderVerification(t, { evidence: [{ title: '可行性研究报告', sha256: sha(study) }] });
    const put = await request(t.app)
      .put(`/api/v1/evidence/${sha(study)}`)
      .set(bearer(d.bank.apiKey))
      .set('Content-Type', 'application/pdf')
      .send(study);
    expect(put.status).toBe(201);
    expect(store.refused).toEqual([]);
    const object = store.objects.get(`/cerf-evidence/evidence/${sha(study)}`);
    expect(object?.type).toBe('application/pdf');
    expect(Buffer.compare(object!.body, study)).toBe(0);
    const [row] = await t.database.db
      .select()
      .from(evidenceFiles)
      .where(eq(evidenceFiles.contentSha256, sha(study)));
    expect(row.storage).toBe('s3');
    expect(
      await t.database.db
        .select()
        .from(evidenceFileContents)
        .where(eq(evidenceFileContents.contentSha256, sha(study))),
    ).toEqual([]);

    const read = await request(t.app)
      .get(`/api/v1/evidence/${sha(study)}`)
      .set(bearer(d.verifier.apiKey))
      .buffer(true)
      .parse(asBytes);
    expect(read.status).toBe(200);
    expect(Buffer.compare(read.body as Buffer, study)).toBe(0);
    expect(
      (
        await request(t.app)
          .put(`/api/v1/evidence/${sha(study)}`)
          .set(bearer(d.bank.apiKey))
          .set('Content-Type', 'application/pdf')
          .send(study)
      ).status,
    ).toBe(200);
  });
});
