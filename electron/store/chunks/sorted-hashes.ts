/**
 * Sets of chunk hashes kept as one buffer: 32-byte hashes sorted (byte order) and distinct, back to
 * back. A snapshot's chunk list is one (snapshot_chunk_lists): 32 bytes a chunk, where a row per
 * chunk and its index took about 125.
 */
export const HASH_BYTES = 32;

/** How many hashes a list holds. */
export function hashCount(list: Buffer): number {
  return list.length / HASH_BYTES;
}

/** The sorted, distinct list of these hashes. */
export function sortedList(hashes: Iterable<Buffer>): Buffer {
  const all = [...hashes];
  // Capture hands its hashes over sorted (layout-file.ts): a pass that sees it costs 38,000 chunks
  // 5 ms, where sorting them again took 0.1 s of a re-capture's end.
  const sorted = inOrder(all) ? all : all.sort((a, b) => Buffer.compare(a, b));
  const out = Buffer.allocUnsafe(sorted.length * HASH_BYTES);
  let n = 0;
  for (const hash of sorted) {
    if (hash.length !== HASH_BYTES) throw new Error(`a chunk hash is ${HASH_BYTES} bytes, not ${hash.length}`);
    if (n > 0 && compareHashes(out, (n - 1) * HASH_BYTES, hash, 0) === 0) continue;
    hash.copy(out, n * HASH_BYTES);
    n++;
  }
  return out.subarray(0, n * HASH_BYTES);
}

/**
 * The sorted, distinct list of the hashes at these offsets of `bytes`, none cut out of it: a
 * layout's 38,000 hashes as buffers, then sorted, took 80-130 ms of a re-capture's main thread.
 * They are ordered by their first four bytes, and by the rest only where those are equal.
 */
export function sortedListAt(bytes: Uint8Array, offsets: number[]): Buffer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = Uint32Array.from(offsets, (at) => view.getUint32(at));
  const order = Uint32Array.from(offsets.keys()).sort(
    (i, j) => prefix[i]! - prefix[j]! || compareHashes(bytes, offsets[i]!, bytes, offsets[j]!),
  );
  const out = Buffer.allocUnsafe(offsets.length * HASH_BYTES);
  let n = 0;
  for (const i of order) {
    const at = offsets[i]!;
    if (n > 0 && compareHashes(out, (n - 1) * HASH_BYTES, bytes, at) === 0) continue;
    out.set(bytes.subarray(at, at + HASH_BYTES), n * HASH_BYTES);
    n++;
  }
  return out.subarray(0, n * HASH_BYTES);
}

/**
 * Hashes packed back to back as a sorted list: the buffer itself when it is one already (capture
 * and the migration hand theirs over so), with no hash cut out of it: 20,000 small files' hashes
 * cut into buffers, checked and copied again took 60 ms of a re-capture's end.
 */
export function packedList(packed: Buffer): Buffer {
  if (packed.length % HASH_BYTES !== 0)
    throw new Error(`${packed.length} bytes are not whole ${HASH_BYTES}-byte hashes`);
  for (let at = HASH_BYTES; at < packed.length; at += HASH_BYTES) {
    // Each hash strictly after the one before it: sorted, and each once.
    if (compareHashes(packed, at - HASH_BYTES, packed, at) >= 0) {
      return sortedList(
        Array.from({ length: hashCount(packed) }, (_, i) => packed.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)),
      );
    }
  }
  return packed;
}

/**
 * The order of the hash at `a[i]` and the one at `b[j]`, byte by byte. Random hashes differ in their
 * first bytes, and `Buffer#compare` with ranges checks its four offsets on every call: 22,000 hashes
 * took it 16-18 ms on a capture's last, main-thread step (run once, unoptimised), this loop 1.4 ms.
 */
function compareHashes(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  for (let k = 0; k < HASH_BYTES; k++) {
    const d = a[i + k]! - b[j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

function inOrder(hashes: Buffer[]): boolean {
  for (let i = 1; i < hashes.length; i++) if (Buffer.compare(hashes[i - 1]!, hashes[i]!) > 0) return false;
  return true;
}

/** Two sorted lists as one (each hash once). */
export function mergeLists(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const order = i >= a.length ? 1 : j >= b.length ? -1 : compareHashes(a, i, b, j);
    if (order <= 0) {
      a.copy(out, n, i, i + HASH_BYTES);
      if (order === 0) j += HASH_BYTES;
      i += HASH_BYTES;
    } else {
      b.copy(out, n, j, j + HASH_BYTES);
      j += HASH_BYTES;
    }
    n += HASH_BYTES;
  }
  return out.subarray(0, n);
}

/** Whether every hash of the sorted list `part` is in the sorted list `whole` (one pass over both). */
export function listIncludes(whole: Buffer, part: Buffer): boolean {
  let i = 0;
  for (let j = 0; j < part.length; j += HASH_BYTES) {
    while (i < whole.length && compareHashes(whole, i, part, j) < 0) i += HASH_BYTES;
    if (i >= whole.length || compareHashes(whole, i, part, j) !== 0) return false;
  }
  return true;
}

/** Whether the sorted list holds `hash` (binary search). */
export function listHas(list: Buffer, hash: Buffer): boolean {
  return listIndexOf(list, hash) !== -1;
}

/** Where the sorted list holds `hash` (its place, counted in hashes), or -1 (binary search). */
export function listIndexOf(list: Uint8Array, hash: Uint8Array): number {
  let low = 0;
  let high = list.length / HASH_BYTES - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = compareHashes(hash, 0, list, mid * HASH_BYTES);
    if (order === 0) return mid;
    if (order > 0) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * Walks sorted hashes (`keys`, ascending) against many sorted lists at once: for each key, the
 * indexes of the lists holding it. One pass over every list, whatever their number.
 */
export function* holdersOf(keys: Iterable<Buffer>, lists: Buffer[]): Generator<{ key: Buffer; holders: number[] }> {
  const at = lists.map(() => 0);
  for (const key of keys) {
    const holders: number[] = [];
    for (const [i, list] of lists.entries()) {
      let p = at[i]!;
      while (p < list.length && list.compare(key, 0, HASH_BYTES, p, p + HASH_BYTES) < 0) p += HASH_BYTES;
      at[i] = p;
      if (p < list.length && list.compare(key, 0, HASH_BYTES, p, p + HASH_BYTES) === 0) holders.push(i);
    }
    yield { key, holders };
  }
}
