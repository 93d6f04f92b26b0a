/**
 * A short-lived cache of published disclosures for the public pages. Published versions never change;
 * a restatement is a new version, so the only staleness is a restatement appearing up to `ttlMs`
 * late. Concurrent misses for one key share one database read. When a read fails (the database is
 * down), the last value read is served instead, so published pages stay up through an outage.
 */
export class PublishedCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  private readonly lastGood = new Map<string, T>();

  constructor(
    private readonly ttlMs: number,
    private readonly entriesMax = 5_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.entriesMax) this.entries.clear();
    if (this.lastGood.size >= this.entriesMax) this.lastGood.clear();
    const value = load().then(
      (loaded) => {
        this.lastGood.set(key, loaded);
        return loaded;
      },
      (err: unknown) => {
        if (this.lastGood.has(key)) return this.lastGood.get(key)!;
        this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, { at: now, value });
    return value;
  }
}
