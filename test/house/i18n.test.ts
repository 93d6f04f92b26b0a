/**
 * The pages' words: every key has both languages, and every key is used by some page (a dead key is a
 * sentence nobody reads and everybody must translate).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, zh } from '../../web/pages/i18n.js';

const ROOT = path.resolve(__dirname, '../..');

function serverSources(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !full.endsWith(path.join('pages', 'i18n.ts'))) texts.push(readFileSync(full, 'utf8'));
    }
  };
  for (const folder of ['api', 'web', 'process']) walk(path.join(ROOT, folder));
  return texts.join('\n');
}

describe('page words', () => {
  it('when a key exists in Chinese, then it exists in English, and the other way round', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('when a key is defined, then some page uses it', () => {
    const code = serverSources();
    const unused = Object.keys(zh).filter((key) => !new RegExp(`\\b${key}\\b`).test(code));
    expect(unused).toEqual([]);
  });
});
