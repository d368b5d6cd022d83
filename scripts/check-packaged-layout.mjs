// Packages the app for Linux as a folder (`electron-builder --linux --dir`) with a stand-in Electron
// binary, since the real one cannot be downloaded here, and checks what an installer would ship:
// the bundles and their production dependencies inside app.asar, the native modules unpacked beside
// it, and the `volsnap` CLI launcher, which must start the app's binary as Node on the packaged CLI.
// Run through `node scripts/check-builder-config.mjs --package` after `npm run build`.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const asar = require('@electron/asar');
const { version: electronVersion } = createRequire(import.meta.url)('electron/package.json');

const work = mkdtempSync(path.join(tmpdir(), 'volsnap-package-'));
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

try {
  // The stand-in: reports how it was started, as the launcher test needs to see.
  const standIn = path.join(work, 'electron-dist');
  execFileSync('mkdir', ['-p', standIn]);
  writeFileSync(
    path.join(standIn, 'electron'),
    '#!/bin/sh\necho "stand-in electron: ELECTRON_RUN_AS_NODE=${ELECTRON_RUN_AS_NODE:-} argv: $*"\n',
    { mode: 0o755 },
  );
  writeFileSync(path.join(standIn, 'version'), `${electronVersion}\n`);
  const out = path.join(work, 'release');
  console.log(`electron-builder --linux --dir with a stand-in Electron ${electronVersion} (output in ${out})…`);
  execFileSync(
    'npx',
    [
      'electron-builder',
      '--linux',
      '--dir',
      '-c.npmRebuild=false', // keep Node's ABI: the check below runs the packaged CLI with Node
      `-c.electronDist=${standIn}`,
      `-c.directories.output=${out}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const app = path.join(out, 'linux-unpacked');
  const archive = path.join(app, 'resources/app.asar');

  console.log('Packaged layout:');
  const executable = (file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  check(executable(path.join(app, 'volsnap-app')), 'the app binary volsnap-app');
  check(executable(path.join(app, 'volsnap')), 'the CLI launcher `volsnap` beside it, executable');
  const listed = new Set(asar.listPackage(archive, {}).map((p) => p.replaceAll('\\', '/')));
  for (const file of [
    '/package.json',
    '/dist/main.cjs',
    '/dist/preload.cjs',
    '/dist/cli.cjs',
    '/dist/archive-worker.cjs',
    '/dist/restore-stage-worker.cjs',
    '/dist/import-check-worker.cjs',
    '/dist/stream-files-worker.cjs',
    '/dist/renderer/index.html',
    '/node_modules/better-sqlite3/package.json',
    '/node_modules/dockerode/package.json',
    '/node_modules/zstd-napi/package.json',
  ]) {
    check(listed.has(file), `app.asar holds ${file}`);
  }
  check(
    ![...listed].some((p) => p.startsWith('/node_modules/electron/')),
    'app.asar holds no devDependency (electron)',
  );
  check(
    ![...listed].some((p) => p.startsWith('/dist/') && p.endsWith('.map')),
    'app.asar holds no source maps of ours',
  );
  for (const native of [
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/zstd-napi/build/Release/binding.node',
  ]) {
    check(existsSync(path.join(app, 'resources/app.asar.unpacked', native)), `${native} unpacked beside app.asar`);
  }

  console.log('The `volsnap` launcher, through a symlink as the deb installs it (/usr/bin/volsnap):');
  const link = path.join(work, 'usr-bin-volsnap');
  symlinkSync(path.join(app, 'volsnap'), link);
  const started = execFileSync(link, ['--json', 'list'], { encoding: 'utf8' }).trim();
  check(
    started === `stand-in electron: ELECTRON_RUN_AS_NODE=1 argv: ${archive}/dist/cli.cjs --json list`,
    `runs the app's binary as Node on the packaged CLI: ${started}`,
  );

  console.log('The packaged CLI with its packaged dependencies (app.asar extracted, run by Node):');
  const extracted = path.join(work, 'extracted');
  asar.extractAll(archive, extracted);
  const cli = path.join(extracted, 'dist/cli.cjs');
  const version = execFileSync('node', [cli, '--version'], { encoding: 'utf8' }).trim();
  check(/^volsnap \d+\.\d+\.\d+/.test(version), `volsnap --version: ${version}`);
  const store = path.join(work, 'store');
  const list = execFileSync('node', [cli, '--data-dir', store, '--json', 'list'], { encoding: 'utf8' }).trim();
  check(list === '[]', `volsnap --json list on an empty store (opens SQLite): ${list}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`${failures.length} packaging check(s) failed.`);
  process.exit(1);
}
console.log('Packaged layout as expected.');
