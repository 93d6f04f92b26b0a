/**
 * The audit export is streamed: a trail of 1,000,000 records (written in bulk by SQL, as years of work
 * would leave them) comes out of `GET /api/v1/audit/export` as one CSV of every record while the
 * service's memory stays flat — the heap after collection, sampled while the file streams, stays within
 * 32 MB of what it was before, where the whole file held in memory would be hundreds of megabytes.
 * AUDIT_EXPORT_RECORDS sets the size.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveHeap, settledHeap } from '../support/heap.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';
import { createTestApp, type TestApp } from '../support/harness.js';

const RECORDS = Number(process.env.AUDIT_EXPORT_RECORDS ?? 1_000_000);
/** the live heap may grow this much above its baseline while the file streams (pages, buffers, sockets) */
const FLAT_BYTES = 32 * 1024 * 1024;

let t: TestApp;
let server: Server;
let url: string;
let before = 0;

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  before = Number(
    ((await t.database.db.execute(sql`select count(*)::int as n from audit_records`)) as unknown as { rows: { n: number }[] }).rows[0].n,
  );
  // a loan's insert each, with a row's worth of content
  await t.database.db.execute(sql`
    insert into audit_records (txid, resource, action, row_count, changes)
    select g, 'loans', 'insert', 1,
           jsonb_build_array(jsonb_build_object('id', md5(g::text), 'after', jsonb_build_object(
             'loanRef', 'L-' || g, 'borrowerName', '某某新能源有限公司' || g, 'principalFen', g::bigint * 100000, 'disbursedOn', '2022-03-15')))
      from generate_series(1, ${RECORDS}) g`);
  server = createServer(t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  await t?.close();
});

describe('the audit export of a long trail', () => {
  it(
    `when ${RECORDS.toLocaleString('en-US')} records are exported, then every one comes out while the heap stays flat`,
    async () => {
      const baseline = await settledHeap();
      let peak = baseline;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, liveHeap());
          await new Promise((r) => setTimeout(r, 500));
        }
      })();

      const res = await fetch(`${url}/api/v1/audit/export`, { headers: { authorization: `Bearer ${t.operatorKey}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      // read as it comes, keeping nothing but the count of lines and the first and last record's seq
      let lines = 0;
      let bytes = 0;
      let tail = '';
      let first: string | null = null;
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        bytes += chunk.length;
        const text = tail + decoder.decode(chunk, { stream: true });
        const parts = text.split('\n');
        tail = parts.pop()!;
        lines += parts.length;
        if (first === null && parts.length > 1) first = parts[1];
      }
      sampling = false;
      await sampler;

      // the header and one line per record (no record's content holds a line break)
      expect(lines + (tail ? 1 : 0)).toBe(1 + before + RECORDS);
      // newest first: the last record written comes first
      expect(first?.split(',')[0]).toMatch(/^\d+$/);
      const grown = peak - baseline;
      const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
      expect(grown, `file ${mb(bytes)}; heap baseline ${mb(baseline)}, peak ${mb(peak)}`).toBeLessThan(FLAT_BYTES);
      expect(bytes).toBeGreaterThan(FLAT_BYTES * 4);
    },
    PROCESS_TEST_MS,
  );
});
