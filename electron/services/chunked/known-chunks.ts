/**
 * The chunks a store held when a capture started (plus those it wrote since), kept as sorted
 * 64-bit hash prefixes: 8 bytes a chunk. A prefix that is not here means the chunk is surely new,
 * which spares the index lookup (13 µs through SQLite, once per chunk) for all new data. A prefix
 * that is here is confirmed against the index. Chunks another process stores meanwhile are not
 * here: at worst this capture stores one again, dead bytes a repack reclaims.
 */
export class KnownChunks {
  private sorted: BigUint64Array;

  constructor(prefixes: Iterable<bigint>) {
    this.sorted = BigUint64Array.from(prefixes).sort();
  }

  static prefixOf(hash: Buffer): bigint {
    return hash.readBigUInt64BE(0);
  }

  mayHave(hash: Buffer): boolean {
    const key = KnownChunks.prefixOf(hash);
    let low = 0;
    let high = this.sorted.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.sorted[mid]!;
      if (value === key) return true;
      if (value < key) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  /** Adds the chunks of a pack just sealed (a merge: packs are small next to the store). */
  add(hashes: Buffer[]): void {
    const added = BigUint64Array.from(hashes, (hash) => KnownChunks.prefixOf(hash)).sort();
    const merged = new BigUint64Array(this.sorted.length + added.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.sorted.length && j < added.length) {
      merged[k++] = this.sorted[i]! <= added[j]! ? this.sorted[i++]! : added[j++]!;
    }
    while (i < this.sorted.length) merged[k++] = this.sorted[i++]!;
    while (j < added.length) merged[k++] = added[j++]!;
    this.sorted = merged;
  }
}
