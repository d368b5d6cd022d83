// Starts the desktop app with the local Electron binary (`npm start`).
// Chromium refuses to run as root with its OS sandbox on, and the README's fresh-machine command runs
// as root: only then do we pass --no-sandbox, and say so. Renderer isolation (contextIsolation,
// sandboxed preload, CSP) is unchanged by that flag.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const electron = require('electron'); // the path of the binary, from the electron package
const args = ['.'];
if (process.getuid?.() === 0) {
  console.warn(
    "volsnap: running as root, so Chromium's OS sandbox is off (--no-sandbox). Run as a normal user to keep it.",
  );
  args.push('--no-sandbox');
}
const child = spawn(electron, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
