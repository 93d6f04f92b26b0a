import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprinted, loadStaticAssets, PUBLIC_DIR } from '../../web/static-assets.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { asBytes } from '../support/bytes.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
});
afterAll(async () => t.close());

const bytes = (url: string, headers: Record<string, string> = {}) => request(t.app).get(url).set(headers).buffer(true).parse(asBytes);

describe('static assets', () => {
  it('when a page is opened, then it links its stylesheet and script at fingerprinted addresses that are immutable', async () => {
    const page = await request(t.app).get('/');
    const css = /href="(\/static\/site\.[0-9a-f]{12}\.css)"/.exec(page.text)?.[1];
    const js = /src="(\/static\/site\.[0-9a-f]{12}\.js)"/.exec(page.text)?.[1];
    expect(css).toBeDefined();
    expect(js).toBeDefined();
    const sheet = await bytes(css!);
    expect(sheet.status).toBe(200);
    expect(sheet.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(sheet.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(sheet.body).toEqual(readFileSync(path.join(PUBLIC_DIR, 'site.css')));
    const script = await bytes(js!);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toEqual(readFileSync(path.join(PUBLIC_DIR, 'site.js')));
  });

  it('when the client accepts brotli or gzip, then the stylesheet comes compressed and decompresses to the file', async () => {
    const page = await request(t.app).get('/');
    const css = /href="(\/static\/site\.[0-9a-f]{12}\.css)"/.exec(page.text)![1];
    const file = readFileSync(path.join(PUBLIC_DIR, 'site.css'));
    const br = await bytes(css, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    // the client may have decoded it already
    const decoded = (body: Buffer, decode: (b: Buffer) => Buffer) => (body.equals(file) ? body : decode(body));
    expect(decoded(br.body, brotliDecompressSync)).toEqual(file);
    expect(Number(br.headers['content-length'])).toBeLessThan(file.length);
    const gz = await bytes(css, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(decoded(gz.body, gunzipSync)).toEqual(file);
    expect(br.headers.vary).toBe('Accept-Encoding');
  });

  it('when a browser revalidates, then it gets 304 without a body; the plain name is revalidated on every use', async () => {
    const plain = await bytes('/static/site.css');
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
    const again = await bytes('/static/site.css', { 'If-None-Match': plain.headers.etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('when an address under /static is unknown or a write, then it is 404 / not answered as the file', async () => {
    expect((await request(t.app).get('/static/site.000000000000.css')).status).toBe(404);
    expect((await request(t.app).get('/static/nothing.css')).status).toBe(404);
    expect((await request(t.app).post('/static/site.css')).status).not.toBe(200);
  });

  it('when a file changes, then its fingerprinted address changes with it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'assets-'));
    writeFileSync(path.join(dir, 'a.css'), 'body{color:red}');
    const first = loadStaticAssets(dir).href('a.css');
    writeFileSync(path.join(dir, 'a.css'), 'body{color:blue}');
    const second = loadStaticAssets(dir).href('a.css');
    expect(first).toMatch(/^\/static\/a\.[0-9a-f]{12}\.css$/);
    expect(second).not.toBe(first);
    expect(second).toBe(`/static/${fingerprinted('a.css', Buffer.from('body{color:blue}'))}`);
  });
});
