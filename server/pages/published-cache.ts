/**
 * A short-lived cache of published disclosures for the public pages. Published versions never change;
 * a restatement is a new version, so the only staleness is a restatement appearing up to `ttlMs`
 * late. Concurrent misses for one key share one database read.
 */
export class PublishedCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly entriesMax = 5_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.entriesMax) this.entries.clear();
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
