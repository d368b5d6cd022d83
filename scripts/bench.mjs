// Benchmarks Volsnap against baselines measured in the same run, on the private test engine.
// Prints ratios; targets from the issues: capture c/min(a1,a2) ≤ 1.25, gzip b/c ≥ 10, peak RSS
// < 250 MB; then the restore, diff and UI benchmarks (scripts/bench-restore.mjs, bench-diff.mjs,
// bench-ui.mjs).
// The machine's timings drift (±40% between runs here), so every contender is best of RUNS.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { catalogBytes } from './store-bytes.mjs';

const root = process.env.VOLSNAP_ENGINE_ROOT ?? '/tmp/volsnap-engine';
const sock = `${root}/docker.sock`;
const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, VOLSNAP_ENGINE_ROOT: root };
const VOLUME = 'volsnap-bench-data';
const APP = 'volsnap-bench-app';
const work = mkdtempSync(path.join(tmpdir(), 'volsnap-bench-'));
const dataDir = path.join(work, 'data');

const sh = (cmd, opts = {}) => execFileSync('bash', ['-c', cmd], { env, encoding: 'utf8', ...opts }).trim();
const docker = (args) => sh(`docker ${args}`);

/**
 * Times each contender best-of-RUNS, in rounds (a0, a1, …, c, then again), so a drift of the
 * machine's speed hits every contender alike. Each run starts after `prepare` and `sync`, so no
 * contender pays for dirty pages another one left; the best run is what it can do here.
 */
const RUNS = 3;
let prepare = () => undefined;
async function timeInRounds(contenders) {
  const best = contenders.map(() => null);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, { fn }] of contenders.entries()) {
      prepare();
      sh('sync');
      const start = process.hrtime.bigint();
      const result = await fn();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (!best[i] || seconds < best[i].seconds) best[i] = { seconds, result };
    }
  }
  for (const [i, { label }] of contenders.entries()) {
    console.log(`  ${label.padEnd(58)} ${best[i].seconds.toFixed(2)} s`);
  }
  return best;
}

/** CPU seconds (user + system) a process and its reaped children used so far, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of stat(5), 12–15 after the command name.
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

/** Bytes of the store's packs (format 2's chunks). */
const packBytes = () => Number(sh(`du -sb ${dataDir}/chunks 2>/dev/null | cut -f1`) || 0);
/** The layout files (and any format 1 archives): what a snapshot keeps besides chunks. */
const archiveBytes = () => Number(sh(`du -sb ${dataDir}/archives 2>/dev/null | cut -f1`) || 0);

/**
 * Re-capture of the unchanged volume into the store the last first-capture left (issue 18: ≤ 0.9 ×
 * a1 and < 1 % new stored bytes): it lists the same, so it is not read again. Then re-captures
 * after one small file changed, which read the volume (every file hashed, the unchanged ones'
 * chunks reused): a1, a0s (the stream through one SHA-256 pass) and n0s (the same in one Node
 * thread), the first capture's contenders from the same run, bound those. Each round also times
 * `volsnap workloads`: the process's start, the Engine's connection and discovery, which every
 * capture pays before its stream.
 */
async function recaptureBench(a1Seconds, hashedStreamSeconds, nodeHashedSeconds) {
  const before = packBytes();
  // The store as the first capture left it (one snapshot): packs, its layout file, the catalog.
  const first = before + archiveBytes() + catalogBytes(dataDir);
  let best = Infinity;
  let readBest = Infinity;
  let startBest = Infinity;
  let peakMb = 0;
  const cli = (...args) => ['bin/volsnap.cjs', '--data-dir', dataDir, '--json', ...args];
  const capture = async () => {
    sh('sync');
    const run = await runWithPeakRss('node', cli('capture', APP, '--mode', 'live'));
    peakMb = Math.max(peakMb, run.peakMb);
    return run.seconds;
  };
  for (let round = 0; round < RUNS; round++) {
    best = Math.min(best, await capture());
    startBest = Math.min(startBest, (await runWithPeakRss('node', cli('workloads'))).seconds);
  }
  const added = (packBytes() - before) / RUNS;
  // Everything the store grew by, not only the packs: each snapshot also keeps its layout file and
  // its catalog rows (a manifest row per file, a reference per chunk).
  const addedAll = (packBytes() + archiveBytes() + catalogBytes(dataDir) - first) / RUNS;
  const changeOne = `run --rm --network none -v ${VOLUME}:/v busybox sh -c 'echo more >> /v/.bench-changed'`;
  for (let round = 0; round < RUNS; round++) {
    docker(changeOne);
    readBest = Math.min(readBest, await capture());
  }
  docker(`run --rm --network none -v ${VOLUME}:/v busybox rm /v/.bench-changed`);
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(2);
  const floor = (stream) =>
    `(${stream.toFixed(2)} + ${startBest.toFixed(2)}) / ${a1Seconds.toFixed(2)} = ${((stream + startBest) / a1Seconds).toFixed(2)}`;
  console.log(
    `  re-capture of the unchanged volume (listed, not read): ${best.toFixed(2)} s, r / a1 = ${(best / a1Seconds).toFixed(2)}   (target ≤ 0.9)`,
  );
  console.log(
    `  re-capture after one small file changed (read, the rest reused): ${readBest.toFixed(2)} s, r / a1 = ${(readBest / a1Seconds).toFixed(2)}`,
  );
  console.log(
    `  the least a read does, by C tools: (a0s + volsnap workloads) / a1 = ${floor(hashedStreamSeconds)}   (the stream, one hash pass, the CLI's start)`,
  );
  console.log(
    `  the same in Node, one thread: (n0s + volsnap workloads) / a1 = ${floor(nodeHashedSeconds)}   (the runtime's floor for a read)`,
  );
  console.log(`  peak RSS of a re-capture = ${peakMb.toFixed(0)} MB  (target < 250 MB; the most of any run)`);
  console.log(`  new pack bytes per unchanged re-capture: ${mb(added)} MB`);
  console.log(
    `  store growth per unchanged re-capture (packs, layout file, catalog): ${mb(addedAll)} MB = ${((100 * addedAll) / first).toFixed(2)} % of the first capture's store   (target < 1 %)\n`,
  );
}

/** Runs a command to completion, sampling its peak resident memory from /proc. */
function runWithPeakRss(cmd, args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let peakKb = 0;
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const sample = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peakKb = Math.max(peakKb, hwm);
      } catch {
        /* exited */
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(sample);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolve({ seconds, peakMb: peakKb / 1024, stdout });
    });
  });
}

function ensureVolume() {
  const marker = sh(`docker volume inspect ${VOLUME} --format '{{ index .Labels "bench" }}' 2>/dev/null || true`);
  // The label alone is not enough: a run killed mid-restore can leave the volume emptied.
  const whole = () =>
    sh(
      `docker run --rm --network none -v ${VOLUME}:/v:ro busybox sh -c 'test -s /v/blob4.bin && test -s /v/src/d39/file19999.txt && echo whole' 2>/dev/null || true`,
    ) === 'whole';
  if (marker === 'v1' && whole()) return;
  console.log('Building the benchmark volume (4 × 160 MB random + 20,000 small text files)…');
  sh(`docker volume rm -f ${VOLUME} >/dev/null 2>&1; docker volume create --label bench=v1 ${VOLUME} >/dev/null`);
  docker(`run --rm --network none -v ${VOLUME}:/v busybox sh -c '
    for i in 1 2 3 4; do dd if=/dev/urandom of=/v/blob$i.bin bs=1M count=160 2>/dev/null; done
    mkdir -p /v/src
    i=0; while [ $i -lt 20000 ]; do
      d=/v/src/d$((i / 500)); [ -d $d ] || mkdir $d
      printf "line %s of a small text file, like source code or a config, repeated to a few KB\\n%.0s" $i $(seq 1 40) > $d/file$i.txt
      i=$((i + 1))
    done'`);
}

function ensureApp() {
  if (sh(`docker ps -aq -f name=^${APP}$ -f label=bench=v2`)) return;
  sh(`docker rm -f ${APP} >/dev/null 2>&1 || true`);
  // An app that stops on SIGTERM at once, like a real one; a bare \`sleep\` as PID 1 ignores it and
  // would add Docker's 10 s stop timeout to every restore.
  docker(
    `run -d --name ${APP} --label bench=v2 --network none -v ${VOLUME}:/var/lib/app busybox sh -c 'trap "exit 0" TERM; sleep 1000000 & wait'`,
  );
}

async function main() {
  let started = false;
  if (!sh(`docker info >/dev/null 2>&1 && echo up || true`)) {
    sh(`bash scripts/test-engine.sh start`);
    started = true;
  }
  try {
    ensureVolume();
    ensureApp();
    const size = sh(`docker run --rm --network none -v ${VOLUME}:/v busybox du -sm /v | cut -f1`);
    const files = sh(`docker run --rm --network none -v ${VOLUME}:/v busybox sh -c 'find /v -type f | wc -l'`);
    console.log(`\nVolume ${VOLUME}: ${size} MB in ${files} files\n`);
    const helper = docker(`create --network none -v ${VOLUME}:/volsnap/${VOLUME}:ro busybox true`);
    mkdirSync(path.join(work, 'out'));
    const out = path.join(work, 'out');
    const endpoint = `'http://x/containers/${helper}/archive?path=/volsnap/${VOLUME}'`;
    try {
      // Before every run: drop the outputs of earlier runs and warm the page cache with the volume,
      // so no contender reads from disk because another one filled the cache.
      prepare = () => {
        // The whole store: a deduplicated store that kept earlier runs' chunks would store nothing.
        sh(`rm -rf ${out}/* ${dataDir}`);
        sh(`curl -sf --unix-socket ${sock} ${endpoint} > /dev/null`);
      };
      console.log('Capture:');
      let lastCapture = '';
      let peakMb = 0;
      const dockerd = readFileSync(`${root}/docker.pid`, 'utf8').trim();
      const cpu = { dockerd: Infinity, capture: Infinity };
      const measureCpu = (key, pid, fn) => {
        const before = cpuSeconds(pid);
        const result = fn();
        const after = () => (cpu[key] = Math.min(cpu[key], cpuSeconds(pid) - before));
        return result instanceof Promise ? result.finally(after) : (after(), result);
      };
      const [a0, a0s, n0s, a1, a1ss, a2, b, c] = await timeInRounds([
        {
          // Not a contender: the stream alone, read and dropped. No client of the archive endpoint
          // (as DESIGN.md requires) can capture faster, so it bounds the ratios from this side.
          label: '(a0) Engine archive endpoint > /dev/null (the floor)',
          fn: () => measureCpu('dockerd', dockerd, () => sh(`curl -sf --unix-socket ${sock} ${endpoint} > /dev/null`)),
        },
        {
          // Not a contender either: the stream and one SHA-256 pass over it, the least a re-capture
          // does (every file is hashed to check that its reuse is sound), by C tools through a pipe.
          label: '(a0s) Engine archive endpoint | openssl sha256 (reference)',
          fn: () =>
            sh(`set -o pipefail; curl -sf --unix-socket ${sock} ${endpoint} | openssl dgst -sha256 > /dev/null`),
        },
        {
          // The same in the runtime Volsnap runs in: one Node thread reading the endpoint and
          // hashing every piece where it lands, nothing handed to a worker, nothing stored.
          label: '(n0s) one Node thread: the endpoint read and hashed (reference)',
          fn: () =>
            sh(`node scripts/bench-node-hash.mjs ${sock} '/containers/${helper}/archive?path=/volsnap/${VOLUME}'`),
        },
        {
          label: '(a1) Engine archive endpoint | zstd -1 -T0',
          fn: () => {
            sh(`set -o pipefail; curl -sf --unix-socket ${sock} ${endpoint} | zstd -q -f -1 -T0 -o ${out}/a1.tar.zst`);
            return { size: statSync(`${out}/a1.tar.zst`).size };
          },
        },
        {
          // Not a contender: a1 plus the two SHA-256 passes store format v2 needs on top of it (each
          // file's for the manifest, each chunk's as its address; one pass serves both for a file of
          // one chunk, a tenth of the bench volume's bytes), by C tools, without cutting chunks, a
          // catalog, fsync or the CLI's start. The first capture's floor, by the same work.
          label: '(a1ss) a1 with two SHA-256 passes (tee into openssl dgst ×2)',
          fn: () =>
            sh(
              `set -o pipefail; curl -sf --unix-socket ${sock} ${endpoint} | tee >(openssl dgst -sha256 > /dev/null) >(openssl dgst -sha256 > /dev/null) | zstd -q -f -1 -T0 -o ${out}/a1ss.tar.zst`,
            ),
        },
        {
          label: '(a2) helper tar -cf into a bind mount, then zstd -1 -T0',
          fn: () => {
            docker(`run --rm --network none -v ${VOLUME}:/v:ro -v ${out}:/out busybox tar -cf /out/a2.tar -C /v .`);
            sh(`zstd -q -f -1 -T0 --rm ${out}/a2.tar -o ${out}/a2.tar.zst`);
          },
        },
        {
          label: '(b) helper tar -czf into a bind mount (vackup style)',
          fn: () => {
            docker(`run --rm --network none -v ${VOLUME}:/v:ro -v ${out}:/out busybox tar -czf /out/b.tgz -C /v .`);
            return { size: statSync(`${out}/b.tgz`).size };
          },
        },
        {
          label: '(c) volsnap capture',
          fn: async () => {
            const args = ['bin/volsnap.cjs', '--data-dir', dataDir, '--json', 'capture', APP, '--mode', 'live'];
            const run = await measureCpu('capture', process.pid, () => runWithPeakRss('node', args));
            lastCapture = run.stdout; // the one whose archives the restore bench uses
            peakMb = Math.max(peakMb, run.peakMb);
            return run;
          },
        },
      ]);
      const snapshot = JSON.parse(lastCapture);
      // What the first capture stored: its layout files and every pack (the store held nothing else).
      const stored =
        Number(sh(`du -sb ${dataDir}/archives ${dataDir}/chunks | awk '{s += $1} END {print s}'`)) / 1024 / 1024;
      const a1Size = a1.result.size / 1024 / 1024;
      console.log(
        `  stored: volsnap ${stored.toFixed(0)} MB, zstd -1 ${a1Size.toFixed(0)} MB, gzip ${(b.result.size / 1048576).toFixed(0)} MB`,
      );
      const best = Math.min(a1.seconds, a2.seconds);
      console.log(`\n  capture c / min(a1, a2) = ${(c.seconds / best).toFixed(2)}   (target ≤ 1.25)`);
      console.log(
        `  capture c / a1          = ${(c.seconds / a1.seconds).toFixed(2)}   (against the endpoint piped into zstd)`,
      );
      console.log(
        `  floor   a1ss / a1        = ${(a1ss.seconds / a1.seconds).toFixed(2)}, c / a1ss = ${(c.seconds / a1ss.seconds).toFixed(2)}  (a1 plus the format's two SHA-256 passes, by C tools: above 1.25, the target is out of reach by the format's work alone)`,
      );
      console.log(`  gzip    b / c           = ${(b.seconds / c.seconds).toFixed(1)}    (target ≥ 10)`);
      console.log(
        `  floor   a0 / min(a1, a2) = ${(a0.seconds / best).toFixed(2)}, b / a0 = ${(b.seconds / a0.seconds).toFixed(1)}  (what a capture costing nothing beyond reading the endpoint would score)`,
      );
      console.log(`  peak RSS of (c)         = ${peakMb.toFixed(0)} MB  (target < 250 MB; the most of any run)`);
      // Why c cannot reach a0: the Engine's tar and Volsnap's hashing, compression and writes
      // share the machine's cores.
      const cores = availableParallelism();
      console.log(
        `  CPU: dockerd streaming the volume ${cpu.dockerd.toFixed(2)} s + volsnap capture ${cpu.capture.toFixed(2)} s on ${cores} cores: c ≥ ${((cpu.dockerd + cpu.capture) / cores).toFixed(2)} s\n`,
      );
      rmSync(out, { recursive: true, force: true });
      await recaptureBench(a1.seconds, a0s.seconds, n0s.seconds);
      for (const [script, extra] of [
        [
          'scripts/bench-restore.mjs',
          { BENCH_WORKLOAD: `container:${APP}`, BENCH_VOLUME: VOLUME, BENCH_SNAPSHOT: snapshot.id },
        ],
        // Export vs cp of the stored archives ≤ 1.2, import vs zstd -dc | tar -t ≤ 1.5, on this snapshot.
        ['scripts/bench-bundle.mjs', { BENCH_SNAPSHOT: snapshot.id }],
        // Issue 18 on its own 200 MB volume: first capture vs a1, a 1 MiB change, a database-like
        // workload's 1 % of pages, delete-all + gc (stored-byte ratios).
        ['scripts/bench-dedup.mjs', {}],
        ['scripts/bench-diff.mjs', {}],
        ['scripts/bench-ui.mjs', {}],
        ['scripts/bench-cli.mjs', {}], // CLI start-up: --version ≤ 2×, --json list ≤ 3× of `node -e 0`
        ['scripts/bench-registry.mjs', {}], // push/pull of 700 MB vs docker push/pull of the same bytes ≤ 1.25
      ]) {
        if (!existsSync(script)) continue;
        execFileSync('node', [script], { env: { ...env, BENCH_DATA_DIR: dataDir, ...extra }, stdio: 'inherit' });
      }
    } finally {
      sh(`docker rm -f ${helper} >/dev/null`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (started) sh(`bash scripts/test-engine.sh stop`);
  }
}

await main();
