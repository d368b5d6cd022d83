// `npm start` (after `npm run build`): the desktop app with the local Electron binary, or, where that
// binary could not be downloaded (no network to Electron's releases, ELECTRON_SKIP_BINARY_DOWNLOAD),
// the same UI in a browser through `volsnap serve`, saying why. Either way the user reaches the UI.
//
// Chromium refuses to run as root with its OS sandbox on, and the README's fresh-machine command may
// run as root: only then do we pass --no-sandbox, and say so. Renderer isolation (contextIsolation,
// sandboxed preload, CSP) is unchanged by that flag.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** The Electron binary in node_modules, without letting the electron package try a download. */
function electronBinary() {
  const dir = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist');
  const binary = path.join(dist, relative);
  return existsSync(binary) ? binary : null;
}

/** Why there is no binary, in the user's words; one download attempt when it was never tried. */
function findElectron() {
  const found = electronBinary();
  if (found) return { binary: found };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so `npm ci` did not download the Electron binary' };
  }
  console.log('volsnap: downloading the Electron binary (node_modules/electron/install.js)…');
  const install = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  const run = spawnSync(process.execPath, [install], { encoding: 'utf8' });
  const binary = electronBinary();
  if (binary) return { binary };
  // The installer's first error line (e.g. "getaddrinfo ENOTFOUND github.com"), not its stack.
  const error = `${run.stderr}${run.stdout}`
    .split('\n')
    .find((line) => /error/i.test(line))
    ?.trim();
  return { reason: `the Electron binary could not be downloaded${error ? ` (${error})` : ''}` };
}

function startElectron(binary) {
  // better-sqlite3 is built for one ABI at a time: give it Electron's (needs network for headers).
  const rebuild = spawnSync('npx', ['electron-builder', 'install-app-deps'], {
    stdio: 'inherit',
    shell: process.platform === 'win32', // npx is npx.cmd there
  });
  if (rebuild.status !== 0) {
    console.error('volsnap: rebuilding the native modules for Electron failed (see above).');
    process.exit(1);
  }
  const electronArgs = ['.'];
  if (process.getuid?.() === 0) {
    console.warn(
      "volsnap: running as root, so Chromium's OS sandbox is off (--no-sandbox). Run as a normal user to keep it.",
    );
    electronArgs.push('--no-sandbox');
  }
  const child = spawn(binary, [...electronArgs, ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

/** Opens a URL in the user's browser where there is a screen to show it on; else prints it only. */
function openBrowser(url) {
  const graphical =
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!graphical || process.env.VOLSNAP_NO_BROWSER === '1') return false;
  const [cmd, cmdArgs] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const opener = spawn(cmd, cmdArgs, { stdio: 'ignore', detached: true });
  opener.on('error', () => undefined); // no opener installed: the printed URL is enough
  opener.unref();
  return true;
}

/** The fallback: `volsnap serve` (plain Node, so better-sqlite3 needs Node's ABI), URL printed and opened. */
function startServe(reason) {
  console.log(`volsnap: no Electron here: ${reason}.`);
  console.log('volsnap: serving the same UI to your browser instead (`volsnap serve`); Ctrl-C stops it.');
  const native = spawnSync(process.execPath, ['scripts/ensure-native.mjs'], { stdio: 'inherit' });
  if (native.status !== 0) process.exit(1);
  const child = spawn(process.execPath, ['bin/volsnap.cjs', ...args, '--json', 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (!out.includes('\n')) return;
    const { url } = JSON.parse(out);
    out = '';
    const opened = openBrowser(url);
    console.log(`Volsnap is serving at ${url}`);
    console.log(opened ? 'Opened it in your browser.' : 'Open it in a browser on this machine.');
  });
  // Ctrl-C reaches the child too (same process group); wait for it to stop the server cleanly.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

const electron = findElectron();
if (electron.binary) startElectron(electron.binary);
else startServe(electron.reason);
