/**
 * The house's rules, read from the code (docs/architecture.md draws them): which folder may import which,
 * that no files import each other in a circle, where the clock is read, and that the routes and pages
 * reach the database only through use cases, repositories and read models. A new file that breaks a rule
 * fails here with its path and the offending import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(path.relative(ROOT, full));
    }
  };
  walk(path.join(ROOT, folder));
  return out;
}

/** Every module a file imports (value or type), as a path from the root or a package name. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found: { target: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)) {
    const spec = m[2];
    const target = spec.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec)) : spec;
    found.push({ target, typeOnly: Boolean(m[1]) });
  }
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1];
    found.push({
      target: spec.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), spec)) : spec,
      typeOnly: false,
    });
  }
  return found;
}

const violations = (files: string[], bad: (target: string, typeOnly: boolean) => boolean) =>
  files.flatMap((file) =>
    importsOf(file)
      .filter((i) => bad(i.target, i.typeOnly))
      .map((i) => `${file} → ${i.target}`),
  );

const under = (target: string, ...folders: string[]) => folders.some((f) => target === f || target.startsWith(f + '/'));

/** Every folder of code the house holds (tests included: a circle there is as hard to read). */
const ALL = ['domain', 'platform', 'schemas', 'db', 'app', 'api', 'web', 'process', 'devtools', 'jobs', 'scripts', 'bench', 'test'];

/** The files that import each other in a loop, each loop once (Tarjan's strongly connected components). */
function circles(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .map((i) => i.target.replace(/\.js$/, '.ts'))
        .filter((t) => known.has(t)),
    ]),
  );
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)!.includes(v)) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

describe('the house', () => {
  it('when files import each other, then never in a circle (type-only imports count too)', () => {
    expect(circles(ALL.flatMap(sources))).toEqual([]);
  });

  it('when the domain imports, then only the domain and node built-ins', () => {
    expect(violations(sources('domain'), (t) => !t.startsWith('node:') && !under(t, 'domain'))).toEqual([]);
  });

  it('when platform/ and schemas/ import, then nothing of the project above the domain', () => {
    const above = ['app', 'db', 'api', 'web', 'process', 'devtools', 'jobs', 'scripts', 'bench'];
    expect(violations(sources('platform'), (t) => under(t, ...above, 'schemas'))).toEqual([]);
    expect(violations(sources('schemas'), (t) => under(t, ...above, 'platform'))).toEqual([]);
  });

  it('when data access imports, then never the edges or the use cases', () => {
    expect(violations(sources('db'), (t) => under(t, 'api', 'web', 'process', 'devtools', 'jobs', 'app', 'scripts', 'bench'))).toEqual([]);
  });

  it('when a use case imports, then never HTTP, pages or queues', () => {
    expect(
      violations(
        sources('app'),
        (t) => under(t, 'api', 'web', 'process', 'devtools', 'jobs', 'scripts', 'bench') || t === 'express' || t === 'bullmq',
      ),
    ).toEqual([]);
  });

  it('when the API imports, then never the pages, of the jobs only the queue names, and of the process only the type of what it hands every edge', () => {
    expect(
      violations(
        sources('api'),
        (t, typeOnly) =>
          under(t, 'web', 'devtools', 'scripts') ||
          (under(t, 'jobs') && t !== 'jobs/queues.js') ||
          (under(t, 'process') && !(typeOnly && t === 'process/context.js')),
      ),
    ).toEqual([]);
  });

  it('when the pages import, then the API kit (presenters, problems, auth) but never a route, and of the process only the type of what it hands every edge', () => {
    expect(
      violations(
        sources('web'),
        (t, typeOnly) =>
          under(t, 'api/routes', 'devtools', 'jobs', 'scripts') || (under(t, 'process') && !(typeOnly && t === 'process/context.js')),
      ),
    ).toEqual([]);
  });

  it('when routes and pages need data, then they call use cases, repositories or read models, never drizzle', () => {
    const files = [...sources('api'), ...sources('web')];
    expect(
      violations(files, (t, typeOnly) => t === 'drizzle-orm' || t.startsWith('drizzle-orm/') || (!typeOnly && under(t, 'db/schema'))),
    ).toEqual([]);
  });

  it('when presenters render, then they read no database (row types only)', () => {
    expect(
      violations(sources('api/presenters'), (t, typeOnly) => !typeOnly && (under(t, 'db', 'app') || t.startsWith('drizzle-orm'))),
    ).toEqual([]);
  });

  it('when jobs run, then the worker does not reach into the HTTP edges or the process', () => {
    expect(violations(sources('jobs'), (t) => under(t, 'api', 'web', 'process', 'devtools'))).toEqual([]);
  });

  it('when the service runs, then nothing of it imports the development tools (devtools/ serves tests and benchmarks)', () => {
    const service = ['domain', 'platform', 'schemas', 'db', 'app', 'api', 'web', 'process', 'jobs', 'scripts'].flatMap(sources);
    expect(violations(service, (t) => under(t, 'devtools', 'test', 'bench'))).toEqual([]);
    expect(violations(sources('devtools'), (t) => under(t, 'test', 'bench', 'scripts', 'api', 'web', 'app', 'db', 'jobs'))).toEqual([]);
  });

  it('when benchmarks generate data, then they do not borrow test factories', () => {
    expect(violations(sources('bench'), (t) => under(t, 'test'))).toEqual([]);
  });

  it('when an edge runs a use case, then through app/perform.ts (no transaction opened by hand in a route, page, job or the process)', () => {
    const edges = ['api', 'web', 'jobs', 'process'].flatMap(sources).filter((f) => f !== 'process/idempotency.ts');
    const byHand = edges.filter((f) => /\.transaction\(/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(byHand).toEqual([]);
  });

  it('when the rules need the date, then the clock is passed in (no new Date() or Date.now() below the entry points)', () => {
    const files = [...sources('domain'), ...sources('app'), ...sources('db')];
    const readers = files.filter((f) => /new Date\(\)|Date\.now\(\)/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(readers).toEqual([]);
  });
});
