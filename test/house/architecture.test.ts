/**
 * The house's rules, read from the code: which folder may import which, where the clock is read, and
 * that the routes and pages reach the database only through use cases, repositories and read models.
 * A new file that breaks a rule fails here with its path and the offending import.
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

describe('the house', () => {
  it('when the domain imports, then only the domain and node built-ins', () => {
    expect(violations(sources('domain'), (t) => !t.startsWith('node:') && !under(t, 'domain'))).toEqual([]);
  });

  it('when platform/ imports, then nothing of the project above it', () => {
    expect(violations(sources('platform'), (t) => under(t, 'app', 'db', 'api', 'web', 'process', 'jobs', 'schemas'))).toEqual([]);
  });

  it('when data access imports, then never the edges or the use cases', () => {
    expect(violations(sources('db'), (t) => under(t, 'api', 'web', 'process', 'jobs', 'app', 'scripts', 'bench'))).toEqual([]);
  });

  it('when a use case imports, then never HTTP, pages or queues', () => {
    expect(
      violations(sources('app'), (t) => under(t, 'api', 'web', 'process', 'jobs', 'scripts', 'bench') || t === 'express' || t === 'bullmq'),
    ).toEqual([]);
  });

  it('when routes and pages need data, then they call use cases, repositories or read models, never drizzle', () => {
    const files = [...sources('api/routes'), ...sources('web/pages')];
    expect(
      violations(files, (t, typeOnly) => t === 'drizzle-orm' || t.startsWith('drizzle-orm/') || (!typeOnly && under(t, 'db/schema'))),
    ).toEqual([]);
  });

  it('when a page needs a presenter, then it comes from api/presenters, not from a route', () => {
    expect(violations(sources('web/pages'), (t) => under(t, 'api/routes'))).toEqual([]);
  });

  it('when presenters render, then they read no database (row types only)', () => {
    expect(
      violations(sources('api/presenters'), (t, typeOnly) => !typeOnly && (under(t, 'db', 'app') || t.startsWith('drizzle-orm'))),
    ).toEqual([]);
  });

  it('when jobs or the service run, then the worker does not reach into the HTTP server', () => {
    expect(violations(sources('jobs'), (t) => under(t, 'api', 'web', 'process'))).toEqual([]);
  });

  it('when benchmarks generate data, then they do not borrow test factories', () => {
    expect(violations(sources('bench'), (t) => under(t, 'test'))).toEqual([]);
  });

  it('when the rules need the date, then the clock is passed in (no new Date() or Date.now() below the entry points)', () => {
    const files = [...sources('domain'), ...sources('app'), ...sources('db')];
    const readers = files.filter((f) => /new Date\(\)|Date\.now\(\)/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(readers).toEqual([]);
  });
});
