/**
 * Anchors kept outside the database: the highest audit chain head (position and hash) this data folder
 * has seen for one chain, in `<data folder>/audit-anchors/<sha256 of the chain's identity>.json`,
 * replaced atomically (written beside, then renamed), never moved back to a lower position.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Anchor = { position: number; hash: string; at: string };

const fileOf = (dataDir: string, chain: string) =>
  path.join(path.resolve(dataDir), 'audit-anchors', `${createHash('sha256').update(chain).digest('hex').slice(0, 32)}.json`);

/** The anchor kept for `chain`, or null (none yet, or a file that cannot be read as one). */
export function readAnchor(dataDir: string, chain: string): Anchor | null {
  try {
    const parsed = JSON.parse(readFileSync(fileOf(dataDir, chain), 'utf8')) as Anchor;
    return Number.isInteger(parsed.position) && typeof parsed.hash === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** Keeps `anchor` for `chain` when it is beyond the one kept; returns the anchor kept now. */
export function keepAnchor(dataDir: string, chain: string, anchor: Anchor): Anchor {
  const kept = readAnchor(dataDir, chain);
  if (kept && kept.position >= anchor.position) return kept;
  const file = fileOf(dataDir, chain);
  mkdirSync(path.dirname(file), { recursive: true });
  const beside = `${file}.${process.pid}.tmp`;
  writeFileSync(beside, JSON.stringify(anchor) + '\n');
  renameSync(beside, file);
  return anchor;
}
