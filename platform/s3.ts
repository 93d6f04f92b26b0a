/**
 * A minimal client of an S3-compatible object store (AWS S3, MinIO, Ceph RGW, …): PUT and GET of one
 * object, path-style (`<endpoint>/<bucket>/<key>`), signed with AWS Signature Version 4. Configured by one
 * URL: `https://ACCESS_KEY_ID:SECRET@host[:port]/bucket[?region=us-east-1]`.
 */
import { createHash, createHmac } from 'node:crypto';

export type S3Location = { origin: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };

/** The store named by a URL, or an error naming what is missing. */
export function parseS3Url(text: string): S3Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('must be a URL: https://ACCESS_KEY_ID:SECRET@host/bucket?region=…');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('must be an http:// or https:// URL');
  const bucket = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!bucket || bucket.includes('/')) throw new Error('must name the bucket as its path: https://…@host/bucket');
  if (!url.username || !url.password) throw new Error('must carry the access key id and secret: https://ACCESS_KEY_ID:SECRET@host/bucket');
  return {
    origin: url.origin,
    bucket,
    region: url.searchParams.get('region') || 'us-east-1',
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
  };
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding as SigV4 wants it (each path segment encoded once, '/' kept). */
const encodePath = (path: string) =>
  path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

/**
 * The Authorization header of a request (AWS Signature Version 4, service `s3`). `headers` must hold
 * `host`, `x-amz-date` and `x-amz-content-sha256`; every header given is signed.
 */
export function signV4(input: {
  method: string;
  path: string;
  query?: string;
  headers: Record<string, string>;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}): string {
  const names = Object.keys(input.headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const signedHeaders = names.join(';');
  const canonical = [
    input.method,
    encodePath(input.path),
    input.query ?? '',
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    signedHeaders,
    lower['x-amz-content-sha256'],
  ].join('\n');
  const amzDate = lower['x-amz-date'];
  const scope = `${amzDate.slice(0, 8)}/${input.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, amzDate.slice(0, 8)), input.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const amzDateOf = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export type S3Client = {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** the object's bytes, or null when there is none */
  get(key: string): Promise<Uint8Array | null>;
};

export function s3Client(location: S3Location, clock: () => Date = () => new Date()): S3Client {
  const request = async (method: 'PUT' | 'GET', key: string, body?: Uint8Array, contentType?: string) => {
    const path = `/${location.bucket}/${key}`;
    const headers: Record<string, string> = {
      host: new URL(location.origin).host,
      'x-amz-date': amzDateOf(clock()),
      'x-amz-content-sha256': sha256Hex(body ?? new Uint8Array()),
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    const authorization = signV4({ method, path, headers, ...location });
    const { host: _host, ...sent } = headers;
    return fetch(`${location.origin}${encodePath(path)}`, {
      method,
      headers: { ...sent, authorization },
      body: body ? new Uint8Array(body) : undefined,
    });
  };
  return {
    async put(key, body, contentType) {
      const res = await request('PUT', key, body, contentType);
      if (!res.ok) throw new Error(`S3 PUT ${key}: ${res.status} ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
    },
    async get(key) {
      const res = await request('GET', key);
      if (res.status === 404) return (await res.arrayBuffer(), null);
      if (!res.ok) throw new Error(`S3 GET ${key}: ${res.status} ${(await res.text()).slice(0, 300)}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
