/** The quick start's demo: on a new data folder it walks the whole cycle through the API. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../schemas/env.js';
import { DEMO_KEYS, DEMO_USERS, loadDemoData } from '../../scripts/demo-data.js';
import { startService } from '../../process/service.js';
import { mergeCookies } from '../factories/sessions.js';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Signs in to the pages with an API key and the authenticator code the banner printed; answers where the code led. */
async function signInWithCode(url: string, apiKey: string, code: string) {
  const form = async (path: string, cookies: string[]) => {
    const res = await request(url).get(path).set('Cookie', cookies.join('; '));
    return { cookies: mergeCookies(cookies, res.headers['set-cookie']), token: /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '' };
  };
  const signin = await form('/signin', []);
  const first = await request(url)
    .post('/signin/key')
    .set('Cookie', signin.cookies.join('; '))
    .type('form')
    .send({ apiKey, _csrf: signin.token });
  const second = await form('/signin/second-factor', mergeCookies(signin.cookies, first.headers['set-cookie']));
  const passed = await request(url)
    .post('/signin/second-factor')
    .set('Cookie', second.cookies.join('; '))
    .type('form')
    .send({ code, _csrf: second.token });
  const cookies = mergeCookies(second.cookies, passed.headers['set-cookie']);
  const operator = await request(url).get('/operator').set('Cookie', cookies.join('; '));
  return { firstLocation: first.headers.location, operatorStatus: operator.status };
}

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
        // an operator signs in with the authenticator code the banner prints
        const banner = lines.join('\n');
        expect(banner).toContain('authenticator code');
        expect(banner).toContain('node dist/scripts/demo-totp.js');
        const code = /code now: (\d{6})/.exec(banner)![1];
        expect(await signInWithCode(service.url, DEMO_KEYS.checker, code)).toEqual({
          firstLocation: '/signin/second-factor',
          operatorStatus: 200,
        });
        // the policy data is current on the demo's day: no stale-LPR warning
        const ready = await fetch(`${service.url}/readyz`).then((r) => r.json());
        expect(ready.warnings).toEqual([]);
        expect(banner).toContain('LPR confirmed unchanged through 2026-11-22');
        // a project both banks lend to, DEMO-H on time and DEMO-A's 2026Q3 published on 2026-11-22, 23 days after its due date 2026-10-30
        const shared = await fetch(`${service.url}/api/v1/shared-projects`, {
          headers: { authorization: `Bearer ${env.CERF_BOOTSTRAP_OPERATOR_KEY}` },
        }).then((r) => r.json());
        expect(JSON.stringify(shared)).toContain('乌兰察布200MW风电项目');
        expect(banner).toContain('DEMO-A published 2026Q3 on 2026-11-22, 23 days late (due 2026-10-30)');
        const history = await fetch(`${service.url}/institutions/DEMO-H?lang=en`).then((r) => r.text());
        expect(history).toMatch(/[1-9]\d* quarters on time, 0 late/);
        const again = await loadDemoData(service);
        expect(again.lines.join('\n')).toContain('already loaded');
      } finally {
        await service.stop();
      }
    },
    DEMO_LOAD_TIMEOUT_MS,
  );
});
