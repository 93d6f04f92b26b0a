/** The quick start's demo: on a new data folder it walks the whole cycle through the API. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../schemas/env.js';
import { DEMO_KEYS, DEMO_USERS, loadDemoData } from '../../scripts/demo-data.js';
import { startService } from '../../process/service.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * Loading the demo books years of history on the embedded database (PGlite): its time is the machine's, not
 * a property of the demo, so the test waits as long as a busy machine needs and asserts only what it holds.
 */
const DEMO_LOAD_TIMEOUT_MS = 2 * PROCESS_WAIT_MS;

describe('demo data', () => {
  it(
    'when the demo loads on a new data folder, then a published disclosure, a verifier queue and a pending application exist, and a second start does not load twice',
    async () => {
      const env = parseEnv({
        DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        CERF_BOOTSTRAP_OPERATOR_KEY: 'cerf_demo_operator_test_000000000000000',
      });
      const service = await startService(env, { now: () => new Date('2026-11-22T04:00:00Z') });
      try {
        const { lines } = await loadDemoData(service);
        expect(lines.join('\n')).toContain('DEMO-A published');
        // every demo user's sign-in, at the service's real URL
        expect(lines.join('\n')).toContain(`${service.url}/signin`);
        for (const u of DEMO_USERS)
          expect(lines.some((l) => [u.institution, u.user, u.password, u.key].every((w) => l.includes(w)))).toBe(true);
        const published = await fetch(`${service.url}/api/v1/disclosures?quarter=2026Q3`).then((r) => r.json());
        expect(published.items.map((d: { institution: { code: string }; status: string }) => [d.institution.code, d.status])).toEqual([
          ['DEMO-A', 'published'],
        ]);
        const queue = await fetch(`${service.url}/api/v1/verification/assignments?open=true`, {
          headers: { authorization: `Bearer ${DEMO_KEYS.verifier}` },
        }).then((r) => r.json());
        expect(queue.items.map((a: { disclosure: { institution: string } }) => a.disclosure.institution)).toEqual(['DEMO-B']);
        const pending = await fetch(`${service.url}/api/v1/applications?status=submitted`, {
          headers: { authorization: `Bearer ${env.CERF_BOOTSTRAP_OPERATOR_KEY}` },
        }).then((r) => r.json());
        expect(pending.items).toHaveLength(1);
        const again = await loadDemoData(service);
        expect(again.lines.join('\n')).toContain('already loaded');
      } finally {
        await service.stop();
      }
    },
    DEMO_LOAD_TIMEOUT_MS,
  );
});
