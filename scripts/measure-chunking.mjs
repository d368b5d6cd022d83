// Measures the choices behind store format v2 (issue 18, docs/decisions.md): how many new bytes a
// second snapshot stores after a change, with content-defined chunks (FastCDC, ~1 MiB average,
// electron/services/chunked/chunker.ts) against fixed 1 MiB blocks, and how fast the candidate
// chunk hashes run. Run: node scripts/measure-chunking.mjs
// Byte counts are exact and deterministic (the data comes from a seeded AES-CTR stream). Timings
// are only meaningful as ratios within one run: the phases alternate in one process.
import { createCipheriv, createHash, getHashes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const MiB = 1024 * 1024;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function loadChunker() {
  const outfile = path.join(repo, 'node_modules', '.cache', 'volsnap-bench', 'chunker.cjs');
  await build({
    entryPoints: [path.join(repo, 'electron/services/chunked/chunker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

/** Deterministic incompressible bytes: AES-256-CTR of zeros under a key made from `label`. */
function bytes(label, length) {
  const key = createHash('sha256').update(label).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return cipher.update(Buffer.alloc(length));
}

/** Splits each file through a fresh chunker fed in 4 MiB reads, as a capture would stream it. */
function chunkHashes(files, makeChunker) {
  const chunks = new Map();
  for (const file of files) {
    const chunker = makeChunker();
    const add = (c) => chunks.set(createHash('sha256').update(c).digest('hex'), c.length);
    for (let off = 0; off < file.length; off += 4 * MiB) {
      for (const c of chunker.push(file.subarray(off, Math.min(file.length, off + 4 * MiB)))) add(c);
    }
    for (const c of chunker.finish()) add(c);
  }
  return chunks;
}

function newBytes(before, after) {
  let total = 0;
  for (const [hash, length] of after) if (!before.has(hash)) total += length;
  return total;
}

function sum(map) {
  let total = 0;
  for (const length of map.values()) total += length;
  return total;
}

function workloads() {
  const a1 = bytes('a', 160 * MiB);
  const a2 = Buffer.from(a1);
  bytes('a-change', MiB).copy(a2, 50 * MiB + 12345);

  // Four 40 MiB segment files of 8 KiB pages; 1 % of the pages rewritten in place.
  const segments = [0, 1, 2, 3].map((i) => bytes(`seg${i}`, 40 * MiB));
  const changed = segments.map((s) => Buffer.from(s));
  const pages = (160 * MiB) / 8192;
  const pick = bytes('pick', pages * 4);
  const hit = new Set();
  for (let i = 0; hit.size < pages / 100; i++) hit.add(pick.readUInt32LE(i * 4) % pages);
  for (const page of hit) {
    const seg = Math.floor((page * 8192) / (40 * MiB));
    const off = (page * 8192) % (40 * MiB);
    bytes(`page${page}`, 8192).copy(changed[seg], off);
  }

  const c1 = bytes('c', 160 * MiB);
  const c2 = Buffer.concat([c1.subarray(0, 4096), bytes('insert', 100), c1.subarray(4096)]);
  return [
    { name: '(a) 160 MiB file, 1 MiB changed in place', before: [a1], after: [a2] },
    { name: `(b) 4 × 40 MiB segments, ${hit.size} of ${pages} 8 KiB pages changed`, before: segments, after: changed },
    { name: '(c) 160 MiB file, 100 bytes inserted at 4 KiB', before: [c1], after: [c2] },
  ];
}

function measureChunking({ ContentChunker, FixedChunker, chunkSizes }) {
  console.log('New stored bytes (uncompressed; the data is incompressible) after the change:');
  for (const w of workloads()) {
    for (const [label, make] of [
      ['FastCDC 1 MiB avg ', () => new ContentChunker(chunkSizes(MiB))],
      ['fixed 1 MiB       ', () => new FixedChunker(MiB)],
      ['FastCDC 64 KiB avg', () => new ContentChunker(chunkSizes(64 * 1024))],
      ['fixed 64 KiB      ', () => new FixedChunker(64 * 1024)],
      ['FastCDC 32 KiB avg', () => new ContentChunker(chunkSizes(32 * 1024))],
    ]) {
      const before = chunkHashes(w.before, make);
      const after = chunkHashes(w.after, make);
      const added = newBytes(before, after);
      const pct = ((100 * added) / sum(before)).toFixed(2);
      console.log(
        `  ${w.name} | ${label} | chunks ${before.size} | new ${(added / MiB).toFixed(2)} MiB (${pct} % of first)`,
      );
    }
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Throughput of each phase over the same 256 MiB in 1 MiB pieces, phases alternating per round. */
function measureSpeed({ cutPoint, chunkSizes }) {
  const sizes = chunkSizes(MiB);
  const data = bytes('speed', 256 * MiB);
  const phases = {
    'SHA-256 (OpenSSL)': (buf) => createHash('sha256').update(buf).digest(),
    'FastCDC cut scan ': (buf) => cutPoint(buf, 0, buf.length, sizes),
  };
  if (getHashes().includes('blake2b512'))
    phases['BLAKE2b-512      '] = (buf) => createHash('blake2b512').update(buf).digest();
  // BLAKE3: only the pure-JS @noble/hashes (pulled in by electron-builder) is installed; no native
  // or WASM/SIMD build, so this measures that implementation, not BLAKE3 at its best.
  const noble = path.join(repo, 'node_modules', '@noble', 'hashes', 'blake3.js');
  if (existsSync(noble)) {
    const { blake3 } = createRequire(import.meta.url)(noble);
    phases['BLAKE3 (noble JS) '] = (buf) => blake3(buf);
  }
  const times = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
  for (let round = 0; round < 5; round++) {
    for (const [name, run] of Object.entries(phases)) {
      const started = process.hrtime.bigint();
      // The cut scan is run on 4 MiB windows (one maximum chunk), hashes on 1 MiB chunks.
      const step = name.startsWith('FastCDC') ? 4 * MiB : MiB;
      for (let off = 0; off < data.length; off += step) run(data.subarray(off, off + step));
      times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  console.log('Throughput over 256 MiB, 5 alternating rounds (min / median ms; MB/s of the min):');
  for (const [name, list] of Object.entries(times)) {
    const min = Math.min(...list);
    console.log(
      `  ${name} | ${min.toFixed(0)} / ${median(list).toFixed(0)} ms | ${((256 * MiB) / 1e6 / (min / 1000)).toFixed(0)} MB/s`,
    );
  }
}

const chunker = await loadChunker();
measureChunking(chunker);
measureSpeed(chunker);
