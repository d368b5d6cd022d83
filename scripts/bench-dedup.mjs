// Deduplication bench (issue 18), run by scripts/bench.mjs or on its own after `npm run build`:
//   1. first capture (format 2, CLI end to end) of a 200 MB volume against a1 = the Engine archive
//      endpoint into `zstd -1 -T0`, best of RUNS alternating rounds: target ≤ 1.25;
//   2. the same capture written as format 1 (one .tar.zst, VOLSNAP_TEST_STORE_FORMAT=1) in the same
//      rounds: c1 / a1, the figure before deduplication, for comparison;
//   3. a 1 MiB in-place change inside a 160 MB file, captured again: new stored bytes < 3 MiB;
//   4. a database-like workload (8 KiB pages in large segment files), 1 % of its pages rewritten in
//      place: new stored bytes < 10 % of the first snapshot's;
//   5. every snapshot deleted, then `volsnap gc`: remaining pack bytes < 5 % of those before.
// Everything it makes is named volsnap-bench-dedup-<pid>-* and removed at the end.
// Env: DOCKER_HOST (the private engine); BENCH_RUNS (3); BENCH_DEDUP_SCALE (1; e.g. 0.1 shrinks
// every size tenfold for a quick check while developing — only the full size's figures count).
import { execFileSync, spawn } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogBytes } from './store-bytes.mjs';

const { DOCKER_HOST } = process.env;
if (!DOCKER_HOST?.startsWith('unix://')) throw new Error('bench-dedup: DOCKER_HOST must be a unix socket');
const sock = DOCKER_HOST.slice('unix://'.length);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SCALE = Number(process.env.BENCH_DEDUP_SCALE ?? 1);
const MiB = 1024 * 1024;
const sizes = {
  blobMb: Math.max(4, Math.round(160 * SCALE)), // the large random file of the 200 MB volume
  textFiles: Math.max(50, Math.round(5000 * SCALE)), // ~8 KB each: 40 MB at full size
  segments: 4,
  segmentMb: Math.max(2, Math.round(32 * SCALE)),
};
const PAGE = 8192;
const prefix = `volsnap-bench-dedup-${process.pid}`;
const work = mkdtempSync(path.join(tmpdir(), 'volsnap-bench-dedup-'));

const sh = (cmd, opts = {}) =>
  execFileSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8', ...opts }).trim();
const created = { containers: [], volumes: [] };
const mb = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;

/** The CLI, end to end, as a user runs it; resolves with its JSON answer and its wall time. */
function volsnap(dataDir, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('node', ['bin/volsnap.cjs', '--data-dir', dataDir, '--json', ...args], {
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`volsnap ${args.join(' ')} exited ${code}: ${stdout}`));
      else resolve({ seconds, json: stdout.trim() ? JSON.parse(stdout) : null });
    });
  });
}

/** Apparent bytes under a folder of the store (0 when it does not exist yet). */
const duBytes = (dir) => Number(sh(`du -sb ${dir} 2>/dev/null | cut -f1 || true`) || 0);

/** Bytes of one snapshot's layout files (format 2) or archives (format 1). */
const snapshotFileBytes = (dataDir, id) => duBytes(path.join(dataDir, 'archives', id));

function volume(suffix) {
  const name = `${prefix}-${suffix}`;
  sh(`docker volume create ${name} >/dev/null`);
  created.volumes.push(name);
  return name;
}

/** A workload like bench.mjs's app: stops on SIGTERM at once, so no stop timeout pads a capture. */
function app(suffix, vol) {
  const name = `${prefix}-${suffix}`;
  sh(
    `docker run -d --name ${name} --network none -v ${vol}:/var/lib/app busybox sh -c 'trap "exit 0" TERM; sleep 1000000 & wait' >/dev/null`,
  );
  created.containers.push(name);
  return name;
}

/** A stopped busybox container with the volume at `at`, for archive reads/uploads and shell steps. */
function helper(suffix, vol, at, cmd = 'true', ro = false) {
  const name = `${prefix}-${suffix}`;
  sh(`docker create --name ${name} --network none -v ${vol}:${at}${ro ? ':ro' : ''} busybox ${cmd} >/dev/null`);
  created.containers.push(name);
  return name;
}

/** Uploads a host folder's contents into the volume through the Engine archive endpoint. */
function upload(vol, hostDir) {
  const target = helper(`upload-${vol.slice(prefix.length + 1)}`, vol, '/v');
  sh(
    `tar -cf - -C ${hostDir} . | curl -sS --fail --unix-socket ${sock} -H 'Content-Type: application/x-tar' -T - -X PUT 'http://x/containers/${target}/archive?path=/v'`,
  );
  removeContainer(target);
}

function removeContainer(name) {
  sh(`docker rm -f ${name} >/dev/null`);
  created.containers = created.containers.filter((c) => c !== name);
}

/** Deterministic pseudo-random bytes (AES-CTR of zeros under a seed): fast, repeatable runs. */
function randomStream(seed) {
  const key = Buffer.alloc(32);
  key.write(String(seed));
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

/** The 200 MB volume: one large random file and many small text files, like bench.mjs's. */
function buildMixedVolume() {
  const vol = volume('mixed');
  const dir = path.join(work, 'mixed');
  const random = randomStream('mixed');
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const fd = openSync(path.join(dir, 'blob.bin'), 'w');
  for (let i = 0; i < sizes.blobMb; i++) writeSync(fd, random(MiB));
  closeSync(fd);
  for (let i = 0; i < sizes.textFiles; i++) {
    const sub = path.join(dir, 'src', `d${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(sub);
    const line = `line ${i} of a small text file, like source code or a config, repeated to a few KB\n`;
    writeFileSync(path.join(sub, `file${i}.txt`), line.repeat(100));
  }
  upload(vol, dir);
  rmSync(dir, { recursive: true, force: true });
  return vol;
}

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa'.split(
  ' ',
);

/**
 * One 8 KiB page like a database heap page: a header (page number, LSN), rows of text fields with a
 * random 16-byte key and a number each, then the page's free space (zeros), ~10 % of it.
 */
function page(pageNo, lsn, random) {
  const buf = Buffer.alloc(PAGE);
  buf.writeUInt32LE(pageNo, 0);
  buf.writeBigUInt64LE(BigInt(lsn), 8);
  let at = 24;
  const bytes = random(PAGE);
  let r = 0;
  for (let row = 0; at < PAGE * 0.9; row++) {
    const key = bytes.subarray(r, r + 16);
    const pick = bytes[r + 16];
    r = (r + 24) % (PAGE - 32);
    const text = `|id=${pageNo * 64 + row}|name=${WORDS[pick & 15]} ${WORDS[pick >> 4]}|status=active|balance=${(pick * 37.5).toFixed(2)}|`;
    if (at + 16 + text.length > PAGE * 0.9) break;
    key.copy(buf, at);
    at += 16;
    at += buf.write(text, at, 'latin1');
  }
  return buf;
}

/** Segment files of pages (generated on the host: a shell loop in busybox would take minutes). */
function buildDatabaseVolume() {
  const vol = volume('db');
  const dir = path.join(work, 'db');
  mkdirSync(path.join(dir, 'base'), { recursive: true });
  const random = randomStream('db');
  const pagesPerSegment = (sizes.segmentMb * MiB) / PAGE;
  for (let s = 0; s < sizes.segments; s++) {
    const fd = openSync(path.join(dir, 'base', `segment.${s}`), 'w');
    for (let p = 0; p < pagesPerSegment; p++) writeSync(fd, page(s * pagesPerSegment + p, 1, random));
    closeSync(fd);
  }
  upload(vol, dir);
  rmSync(dir, { recursive: true, force: true });
  return { vol, pages: sizes.segments * pagesPerSegment, pagesPerSegment };
}

/** Small deterministic PRNG (mulberry32) for the pages to rewrite. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rewrites 1 % of the pages in place (new LSN, new row contents) at seeded random offsets. */
function rewritePages(db) {
  const next = mulberry32(18);
  const chosen = new Set();
  const want = Math.max(1, Math.round(db.pages / 100));
  while (chosen.size < want) chosen.add(Math.floor(next() * db.pages));
  const dir = path.join(work, 'patch');
  mkdirSync(dir, { recursive: true });
  const random = randomStream('db-update');
  const fd = openSync(path.join(dir, 'pages.bin'), 'w');
  const lines = [];
  [...chosen].forEach((pageNo, i) => {
    writeSync(fd, page(pageNo, 2, random));
    const segment = Math.floor(pageNo / db.pagesPerSegment);
    lines.push(
      `dd if=/patch/pages.bin of=/v/base/segment.${segment} bs=${PAGE} skip=${i} seek=${pageNo % db.pagesPerSegment} count=1 conv=notrunc 2>/dev/null`,
    );
  });
  closeSync(fd);
  lines.push('sync');
  const step = helper('rewrite', db.vol, '/v', 'sh /patch/apply.sh');
  sh(`cat > ${dir}/apply.sh`, { input: `set -e\n${lines.join('\n')}\n` });
  sh(`docker cp ${dir}/. ${step}:/patch`);
  sh(`docker start -a ${step}`);
  removeContainer(step);
  rmSync(dir, { recursive: true, force: true });
  return want;
}

/** Items 1 and 2: rounds of a1, c (format 2), c1 (format 1), each into a fresh store. */
async function firstCapture(vol, workload) {
  const reader = helper('reader', vol, `/volsnap/${vol}`, 'true', true);
  const endpoint = `'http://x/containers/${reader}/archive?path=/volsnap/${vol}'`;
  const out = path.join(work, 'out');
  const capture = (dir, env) => () =>
    volsnap(`${out}/${dir}`, ['capture', workload, '--mode', 'live'], env).then(
      () => duBytes(`${out}/${dir}/chunks`) + duBytes(`${out}/${dir}/archives`),
    );
  const contenders = [
    {
      label: '(a1) Engine archive endpoint | zstd -1 -T0',
      fn: async () => {
        sh(`curl -sf --unix-socket ${sock} ${endpoint} | zstd -q -f -1 -T0 -o ${out}/a1.tar.zst`);
        return statSync(`${out}/a1.tar.zst`).size;
      },
    },
    {
      // Not a contender: a1 plus the format's two SHA-256 passes by C tools (bench.mjs's a1ss).
      label: '(a1ss) a1 with two SHA-256 passes (tee into openssl dgst ×2)',
      fn: async () =>
        sh(
          `set -o pipefail; curl -sf --unix-socket ${sock} ${endpoint} | tee >(openssl dgst -sha256 > /dev/null) >(openssl dgst -sha256 > /dev/null) | zstd -q -f -1 -T0 -o ${out}/a1ss.tar.zst`,
        ),
    },
    { label: '(c) volsnap capture (format 2)', fn: capture('c', {}) },
    {
      label: '(c1) volsnap capture, format 1 (VOLSNAP_TEST_STORE_FORMAT=1)',
      fn: capture('c1', { VOLSNAP_TEST_STORE_FORMAT: '1' }),
    },
  ];
  const best = contenders.map(() => Infinity);
  const stored = contenders.map(() => 0);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, { fn }] of contenders.entries()) {
      // A fresh store every time (a deduplicated store that kept a run's chunks would store
      // nothing), the volume in the page cache, and no dirty pages left by the previous contender.
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      sh(`curl -sf --unix-socket ${sock} ${endpoint} > /dev/null; sync`);
      const start = process.hrtime.bigint();
      stored[i] = await fn();
      best[i] = Math.min(best[i], Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  for (const [i, { label }] of contenders.entries()) console.log(`  ${label.padEnd(62)} ${best[i].toFixed(2)} s`);
  console.log(`  stored: volsnap ${mb(stored[2])}, format 1 ${mb(stored[3])}, zstd -1 ${mb(stored[0])}`);
  const [a1, a1ss, c, c1] = best;
  console.log(`\n  first capture c / a1           = ${(c / a1).toFixed(2)}   (target ≤ 1.25)`);
  console.log(
    `  floor a1ss / a1 = ${(a1ss / a1).toFixed(2)}, c / a1ss = ${(c / a1ss).toFixed(2)}  (a1 plus the format's two SHA-256 passes, by C tools)`,
  );
  console.log(`  format 1 capture c1 / a1       = ${(c1 / a1).toFixed(2)}   (before deduplication, for comparison)\n`);
  rmSync(out, { recursive: true, force: true });
  removeContainer(reader);
}

/** Item 3: 1 MiB overwritten in the middle of the large file, then a second capture. */
async function inPlaceChange(vol, workload, dataDir) {
  await volsnap(dataDir, ['capture', workload, '--mode', 'live']);
  const before = duBytes(`${dataDir}/chunks`);
  const offset = Math.floor(sizes.blobMb / 2);
  sh(
    `docker run --rm --network none -v ${vol}:/v busybox sh -c 'dd if=/dev/urandom of=/v/blob.bin bs=1M count=1 seek=${offset} conv=notrunc 2>/dev/null && sync'`,
  );
  const catalogBefore = catalogBytes(dataDir);
  const second = await volsnap(dataDir, ['capture', workload, '--mode', 'live']);
  const packs = duBytes(`${dataDir}/chunks`) - before;
  const layout = snapshotFileBytes(dataDir, second.json.id);
  const catalog = catalogBytes(dataDir) - catalogBefore;
  console.log(
    `  1 MiB changed at ${offset} MiB of the ${sizes.blobMb} MB file: new stored bytes ${mb(packs + layout + catalog)} (packs ${mb(packs)} + layout ${mb(layout)} + catalog ${mb(catalog)})   (target < 3 MiB)`,
  );
}

/** Item 4: the database-like workload, 1 % of its pages rewritten in place. */
async function databaseChange(dataDir) {
  const db = buildDatabaseVolume();
  const workload = app('db-app', db.vol);
  const empty = duBytes(`${dataDir}/chunks`);
  const emptyCatalog = catalogBytes(dataDir);
  const first = await volsnap(dataDir, ['capture', workload, '--mode', 'live']);
  const packsBefore = duBytes(`${dataDir}/chunks`);
  const catalogBefore = catalogBytes(dataDir);
  const firstBytes = packsBefore - empty + snapshotFileBytes(dataDir, first.json.id) + catalogBefore - emptyCatalog;
  const rewritten = rewritePages(db);
  const second = await volsnap(dataDir, ['capture', workload, '--mode', 'live']);
  const packs = duBytes(`${dataDir}/chunks`) - packsBefore;
  const layout = snapshotFileBytes(dataDir, second.json.id);
  const catalog = catalogBytes(dataDir) - catalogBefore;
  const added = packs + layout + catalog;
  console.log(
    `  database-like: ${sizes.segments} × ${sizes.segmentMb} MB segments, ${rewritten} of ${db.pages} 8 KiB pages rewritten: new ${mb(added)} (packs ${mb(packs)} + layout ${mb(layout)} + catalog ${mb(catalog)}) / first snapshot ${mb(firstBytes)} = ${((100 * added) / firstBytes).toFixed(2)} %   (target < 10 %)`,
  );
}

/** Item 5: every snapshot of the store deleted, then `volsnap gc`. */
async function deleteAll(dataDir, what) {
  const before = duBytes(`${dataDir}/chunks`);
  const { json: snapshots } = await volsnap(dataDir, ['list', '--all-engines']);
  for (const s of snapshots) await volsnap(dataDir, ['delete', s.id, '--confirm', s.name, '--force']);
  await volsnap(dataDir, ['gc']);
  const after = duBytes(`${dataDir}/chunks`);
  const left = readdirSync(path.join(dataDir, 'chunks'), { recursive: true }).length;
  console.log(
    `  ${what}: all ${snapshots.length} snapshots deleted, then gc: ${mb(after)} of ${mb(before)} left = ${((100 * after) / before).toFixed(2)} % (${left} entries under chunks/)   (target < 5 %)`,
  );
}

async function main() {
  console.log(
    `\nDeduplication (${sizes.blobMb} MB random + ${sizes.textFiles} text files; ${sizes.segments} × ${sizes.segmentMb} MB of 8 KiB pages${SCALE === 1 ? '' : `; BENCH_DEDUP_SCALE=${SCALE}, figures not comparable`}):`,
  );
  const vol = buildMixedVolume();
  const workload = app('app', vol);
  await firstCapture(vol, workload);
  const mixedStore = path.join(work, 'mixed-store');
  const dbStore = path.join(work, 'db-store');
  await inPlaceChange(vol, workload, mixedStore);
  await databaseChange(dbStore);
  await deleteAll(mixedStore, "the 200 MB volume's store");
  await deleteAll(dbStore, 'the database-like store');
  console.log('');
}

try {
  await main();
} finally {
  for (const c of created.containers) sh(`docker rm -f ${c} >/dev/null 2>&1 || true`);
  for (const v of created.volumes) sh(`docker volume rm -f ${v} >/dev/null 2>&1 || true`);
  rmSync(work, { recursive: true, force: true });
}
