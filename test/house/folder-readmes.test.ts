/**
 * Each folder's README says what the folder may import ("May import: `domain/`, `db/` …"); this reads the
 * folder's files and checks that the list is true both ways: every project folder the files import is
 * listed, and every listed folder is imported by some file. The READMEs are found, not listed here: a
 * new folder with a README is checked as soon as it exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const SKIPPED = new Set(['node_modules', 'dist', 'docs', 'test', 'coverage']);

function walk(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || SKIPPED.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, keep));
    else if (keep(name)) out.push(path.relative(ROOT, full));
  }
  return out;
}

/** The top-level folders that hold the project's code (what an import can point into). */
const PROJECT_FOLDERS = readdirSync(ROOT).filter(
  (name) =>
    !name.startsWith('.') &&
    name !== 'node_modules' &&
    name !== 'dist' &&
    statSync(path.join(ROOT, name)).isDirectory() &&
    readdirSync(path.join(ROOT, name), { recursive: true }).some((f) => String(f).endsWith('.ts')),
);

/** Every project module a file imports (value or type), as a path from the root without its extension. */
function projectImportsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [
    ...[...text.matchAll(/^(?:import|export)\s+(?:type\s+)?[^'";]*?from\s+'([^']+)'/gms)].map((m) => m[1]),
    ...[...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]),
  ];
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), s)).replace(/\.(js|ts|mjs)$/, ''))
    .filter((t) => PROJECT_FOLDERS.includes(t.split('/')[0]));
}

const within = (target: string, place: string) => target === place || target.startsWith(place + '/');

/** The places a README names in backticks (`app/`, `db/read-models`, `jobs/runtime.ts`), as root paths. */
const placesIn = (text: string) =>
  [...text.matchAll(/`([a-z][\w./-]*)`/g)]
    .map((m) => m[1].replace(/\/$/, '').replace(/\.ts$/, ''))
    .filter((p) => PROJECT_FOLDERS.includes(p.split('/')[0]));

/**
 * The README's "May import:" sentence up to "Never" or "Imported by": the places it allows. "anything"
 * allows every project folder but those named after "except".
 */
function allowedBy(readme: string): string[] | null {
  const text = readFileSync(path.join(ROOT, readme), 'utf8').replace(/\s+/g, ' ');
  const m = /May import:(.*?)(?=Never|Imported by|$)/i.exec(text);
  if (!m) return null;
  const clause = m[1];
  if (/^\s*anything/i.test(clause)) {
    const except = /except(.*)/i.exec(clause);
    const excluded = except ? placesIn(except[1]) : [];
    return PROJECT_FOLDERS.filter((f) => !excluded.includes(f));
  }
  return placesIn(clause);
}

const readmes = walk(ROOT, (name) => name === 'README.md').filter((r) => r !== 'README.md');

describe('the folder READMEs', () => {
  it('when a code folder has a README, then it says what the folder may import', () => {
    expect(readmes.filter((r) => allowedBy(r) === null)).toEqual([]);
  });

  it.each(readmes)("when %s lists what its folder may import, then the folder's files import exactly those folders", (readme) => {
    const folder = path.dirname(readme);
    const allowed = allowedBy(readme) ?? [];
    const files = walk(path.join(ROOT, folder), (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
    const imported = files.flatMap((file) => projectImportsOf(file).map((target) => ({ file, target })));
    const outside = imported.filter(({ target }) => !within(target, folder) && !allowed.some((a) => within(target, a)));
    expect(outside.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
    // a place listed but never imported is a stale line (a folder may always import itself)
    const anything = /May import:\s*anything/i.test(readFileSync(path.join(ROOT, readme), 'utf8'));
    if (!anything) {
      const unused = allowed.filter((a) => !within(a, folder) && !imported.some(({ target }) => within(target, a)));
      expect(unused).toEqual([]);
    }
  });
});
