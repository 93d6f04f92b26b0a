/**
 * The API description teaches: Redocly's recommended rules find nothing in the served /openapi.json,
 * every route that exists is described with an operationId, its responses and the rule codes of its
 * refusals, every example parses with the schema the route uses, and a client typed from the document
 * (openapi-typescript) compiles.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describedRoutes } from '../../api/openapi.js';
import { signWebhook } from '../../app/webhooks.js';
import { NotifyJob, WebhookNotification } from '../../schemas/webhooks.js';
import { routeModules } from '../../process/routes.js';
import { pageRoutes } from '../../web/pages/router.js';
import { createInstitution } from '../factories/institutions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

type Operation = {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string; description?: string }[];
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { description: string; content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>;
};
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let t: TestApp;
let spec: Spec;
let dir: string;
beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  const res = await request(t.app).get('/openapi.json').expect(200);
  spec = res.body;
  dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-openapi-'));
  writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(spec));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const operations = () =>
  Object.entries(spec.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ path: p, method, op })));

/** The routes a router answers, with the base it is mounted at (sub-routers without a path are walked too). */
function routesOf(router: Router, base: string): string[] {
  const out: string[] = [];
  for (const layer of (router as unknown as { stack: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] }).stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const p of paths)
      for (const method of Object.keys(layer.route.methods))
        out.push(`${method} ${(base === '/' ? '' : base) + p.replace(/:(\w+)/g, '{$1}')}`);
  }
  return out;
}

describe('the API description', () => {
  it('when the served /openapi.json is linted with Redocly’s recommended rules, then there is no error and no warning', async () => {
    writeFileSync(path.join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
    const { stdout } = await run(bin('redocly'), ['lint', 'openapi.json', '--format=json', '--max-problems=1000'], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('when the routes of every API module are listed, then each one is in the description', () => {
    const deps = t.deps;
    const served = routeModules
      .filter((m) => m.routes !== pageRoutes)
      .flatMap((m) => routesOf(m.routes(deps), m.base))
      .sort();
    const described = operations().map((o) => `${o.method} ${o.path}`);
    expect(served.filter((r) => !described.includes(r))).toEqual([]);
    // and the public downloads the pages serve
    for (const download of ['/totals.json', '/disclosures.csv', '/disclosures/{code}/{quarter}.json', '/institutions/{code}.csv'])
      expect(described).toContain(`get ${download}`);
  });

  it('when any operation is read, then it has an operationId, a summary, a success and every problem with its rule codes', () => {
    const ids = new Set<string>();
    for (const { path: p, method, op } of operations()) {
      const where = `${method} ${p}`;
      expect(op.operationId, where).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
      expect(ids.has(op.operationId!), `${where}: operationId ${op.operationId} repeats`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary, where).toBeTruthy();
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        where,
      ).toBe(true);
      // the problems (problem+json); a public download's 404 is the HTML page
      const problems = statuses.filter((s) => /^4\d\d$/.test(s) && op.responses[s].content?.['application/problem+json']);
      expect(problems.length, where).toBeGreaterThan(0);
      for (const status of problems) {
        const examples = op.responses[status].content?.['application/problem+json']?.examples ?? {};
        expect(Object.keys(examples).length, `${where} ${status}`).toBeGreaterThan(0);
        for (const [code, example] of Object.entries(examples)) {
          expect(op.responses[status].description, `${where} ${status}`).toContain(`\`${code}\``);
          expect(example.value).toMatchObject({ status: Number(status), code });
        }
      }
    }
    // a bank's batch: the rows are loans, and the refusals of a row name their rules
    const batch = spec.paths['/api/v1/loans/batch'].post;
    expect(JSON.stringify(batch.requestBody)).toContain('#/components/schemas/LoanBatch');
    expect(spec.components.schemas.LoanBatch).toMatchObject({
      properties: { loans: { items: { $ref: '#/components/schemas/LoanInput' } } },
    });
    const loanInput = spec.components.schemas.LoanInput as { properties: Record<string, { description?: string }> };
    expect(loanInput.properties.principal.description).toContain('`project_overfunded`');
    expect(loanInput.properties.disbursedOn.description).toContain('`before_facility_launch`');
    expect(Object.keys(spec.paths['/api/v1/loans'].post.responses)).toEqual(expect.arrayContaining(['401', '403', '409', '422']));
  });

  it('when every example of the description is read, then none is a type’s placeholder', () => {
    const placeholders: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (
        value === Number.MIN_SAFE_INTEGER ||
        value === Number.MAX_SAFE_INTEGER ||
        (typeof value === 'string' && /^(textx*|string)$/.test(value))
      )
        placeholders.push(`${where} = ${JSON.stringify(value)}`);
      else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${where}[${i}]`));
      else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, `${where}.${key}`);
    };
    for (const { path: p, method, op } of operations()) {
      const bodies = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, c]) => [`request ${type}`, c] as const),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, c]) => [`${status} ${type}`, c] as const),
        ),
      ];
      for (const [where, content] of bodies) {
        const c = content as { example?: unknown; examples?: Record<string, { value: unknown }> };
        if (c.example !== undefined) walk(c.example, `${method} ${p} ${where}`);
        for (const [name, example] of Object.entries(c.examples ?? {})) walk(example.value, `${method} ${p} ${where} ${name}`);
      }
    }
    expect(placeholders).toEqual([]);
    // a sampled answer reads like one: an upload's file and size, a loan's principal and dates
    const upload = spec.paths['/api/v1/uploads/{id}'].get.responses['200'].content!['application/json'] as {
      example: Record<string, unknown>;
    };
    expect(upload.example).toMatchObject({ fileName: 'loans-2026Q1.csv', sizeBytes: 48213 });
  });

  it('when the webhooks are read, then each event a subscriber receives is there with its payload and the signature header', () => {
    const webhooks = (
      spec as unknown as {
        webhooks: Record<string, { post: Operation }>;
      }
    ).webhooks;
    expect(Object.keys(webhooks).sort()).toEqual([...NotifyJob.shape.event.options].sort());
    for (const [event, { post }] of Object.entries(webhooks)) {
      const signature = post.parameters!.find((p) => p.name === 'X-Cerf-Signature');
      expect(signature, event).toMatchObject({ in: 'header' });
      expect(signature!.description).toContain('HMAC-SHA256');
      const example = Object.values(post.requestBody!.content['application/json'].examples!)[0].value;
      expect(WebhookNotification.safeParse(example).success, event).toBe(true);
      expect(example).toMatchObject({ event });
    }
    // the documented recipe checks a signature the service makes: HMAC-SHA256(secret, `${t}.${body}`), hex
    const body = JSON.stringify(
      Object.values(webhooks['disclosure.published'].post.requestBody!.content['application/json'].examples!)[0].value,
    );
    const expected = createHmac('sha256', 'whsec_test').update(`1772337600.${body}`).digest('hex');
    expect(signWebhook('whsec_test', body, 1772337600)).toBe(`t=1772337600,v1=${expected}`);
  });

  it('when a problem’s type is followed, then the service serves the page of its code: status, meaning and the operations that answer it', async () => {
    const refused = await request(t.app).get('/api/v1/loans?supported=yes').set(bearer(t.operatorKey));
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/validation_failed');
    const page = await request(t.app).get(`${refused.body.type}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<code>validation_failed</code>');
    expect(page.text).toContain('The input does not meet the rules');
    expect(page.text).toContain('输入未通过校验');
    expect(page.text).toContain('GET /api/v1/loans');
    // every code of the description has its page in the index
    const index = await request(t.app).get('/problems?lang=en');
    const codes = new Set(
      operations().flatMap(({ op }) =>
        Object.values(op.responses).flatMap((r) => Object.keys(r.content?.['application/problem+json']?.examples ?? {})),
      ),
    );
    for (const code of codes) expect(index.text, code).toContain(`href="/problems/${code}"`);
    expect((await request(t.app).get('/problems/no_such_rule')).status).toBe(404);
  });

  it('when the operationIds are read, then each one is a verb and its object, not a name made from the method and path', () => {
    const VERBS =
      /^(get|list|download|submit|record|verify|upload|set|scan|rotate|import|decline|create|confirm|withdraw|update|supersede|split|roll|revoke|reverse|revalue|retry|request|repay|reject|register|raise|publish|propose|pledge|open|name|link|give|export|disburse|delete|declare|decide|compile|close|assign|approve|answer|amend|allocate|add|accept|accrue)[A-Z]/;
    const wrong = operations()
      .filter(({ op }) => !VERBS.test(op.operationId!) || /By[A-Z]/.test(op.operationId!))
      .map(({ path: p, method, op }) => `${method} ${p}: ${op.operationId}`);
    expect(wrong).toEqual([]);
  });

  it('when the documented examples are parsed with the schemas the routes use, then every one passes', () => {
    const failures: string[] = [];
    for (const route of describedRoutes()) {
      const where = `${route.method} ${route.path}`;
      for (const example of route.examples?.request ?? []) {
        const parsed = route.body!.safeParse(example.value);
        if (!parsed.success) failures.push(`${where} request "${example.summary}": ${z.prettifyError(parsed.error)}`);
      }
      for (const [status, examples] of Object.entries(route.examples?.responses ?? {})) {
        const entry = route.responses[Number(status)];
        const schema = entry instanceof z.ZodType ? entry : entry?.schema;
        for (const example of examples ?? []) {
          const parsed = schema?.safeParse(example.value);
          if (!parsed?.success)
            failures.push(`${where} ${status} "${example.summary}": ${parsed ? z.prettifyError(parsed.error) : 'no schema'}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('when a bank sends the documented example of POST /loans/batch, then the service answers as the example says', async () => {
    const bank = await createInstitution(t, { code: 'DOCSBANK' });
    const route = describedRoutes().find((r) => r.method === 'post' && r.path === '/api/v1/loans/batch')!;
    const body = route.examples!.request![0].value;
    const res = await request(t.app)
      .post('/api/v1/loans/batch')
      .set(bearer(bank.apiKey))
      .send(body as object);
    expect(res.status).toBe(200);
    const documented = route.examples!.responses![200]![0].value as { summary: unknown; results: { status: string }[] };
    expect(res.body.summary).toEqual(documented.summary);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(documented.results.map((r) => r.status));
  });

  it('when TypeScript types are generated with openapi-typescript, then a typed client of POST /loans/batch compiles', async () => {
    await run(bin('openapi-typescript'), ['openapi.json', '-o', 'api.d.ts'], { cwd: dir });
    writeFileSync(
      path.join(dir, 'client.ts'),
      `import type { components, paths } from './api';

type LoanInput = components['schemas']['LoanInput'];
type Batch = paths['/api/v1/loans/batch']['post']['requestBody']['content']['application/json'];
type BatchAnswer = paths['/api/v1/loans/batch']['post']['responses'][200]['content']['application/json'];
type Problem = components['schemas']['Problem'];

export async function submitBatch(baseUrl: string, apiKey: string, loans: LoanInput[]): Promise<BatchAnswer | Problem> {
  const body: Batch = { loans };
  const res = await fetch(baseUrl + '/api/v1/loans/batch', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as BatchAnswer | Problem;
}

const loan: LoanInput = {
  loanRef: 'L-1',
  borrower: { name: '张家口风能发电有限公司', creditCode: '91130700MA0G5XKQ17' },
  project: {
    ref: 'PRJ-1', name: '风电项目', province: '河北', subArea: 'CE.WIND', totalInvestment: '1200000000.00',
    annualReductionTonnes: '210000.00', reductionBasis: 'feasibility_study',
    evidence: { title: '可行性研究报告', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  },
  principal: '300000000.00', annualRatePercent: '3.45', disbursedOn: '2022-08-15', maturesOn: '2025-08-15',
};
export const answer = submitBatch('http://127.0.0.1:3000', 'key', [loan]).then((a) => ('results' in a ? a.results.map((r) => r.status) : a.code));

// rows are typed: a number where money is a decimal string does not compile
// @ts-expect-error principal is a string
export const wrong: LoanInput = { ...loan, principal: 300000000 };
`,
    );
    const compiled = await run(
      bin('tsc'),
      [
        '--noEmit',
        '--strict',
        '--target',
        'ES2022',
        '--module',
        'ESNext',
        '--moduleResolution',
        'Bundler',
        '--lib',
        'ES2022,DOM',
        'client.ts',
      ],
      {
        cwd: dir,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: `failed: ${error.stdout}` }));
    expect(compiled.stdout).toBe('');
  });
});
