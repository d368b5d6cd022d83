// Validates electron-builder.yml with electron-builder's own schema, offline (no Electron download):
// the same check `electron-builder` runs before it packages anything. Also checks that the deb's
// install scripts still carry electron-builder's own.
// `--package` then packages for real (electron-builder --linux --dir) with a stand-in Electron
// (none can be downloaded here) and checks the packaged layout, including the `volsnap` CLI
// launcher: scripts/check-packaged-layout.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Resolved from electron-builder's location: its own modules, not ours.
const require = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const { load } = require('js-yaml');
const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
const { DebugLogger } = require('builder-util/out/DebugLogger');

const config = load(readFileSync('electron-builder.yml', 'utf8'));
await validateConfiguration(config, new DebugLogger(false));

// The schema does not check that files exist: the icons must, or packaging fails late.
const icons = [config.linux.icon, config.mac.icon, config.win.icon, 'resources/tray/tray-idleTemplate.png'];
const missing = icons.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`missing icons: ${missing.join(', ')} (run node scripts/make-icons.mjs)`);
  process.exit(1);
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (!pkg.scripts?.dist?.includes('electron-builder')) {
  console.error('package.json has no "dist" script running electron-builder');
  process.exit(1);
}
// Our deb scripts are electron-builder's templates plus the CLI link: every upstream line must remain.
const templates = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates/linux');
for (const [ours, upstream] of [
  [config.deb.afterInstall, 'after-install.tpl'],
  [config.deb.afterRemove, 'after-remove.tpl'],
]) {
  const mine = readFileSync(ours, 'utf8').split('\n');
  const lost = readFileSync(path.join(templates, upstream), 'utf8')
    .split('\n')
    .filter((line) => !mine.includes(line));
  if (lost.length > 0) {
    console.error(`${ours} lacks lines of electron-builder's ${upstream} (update it from ${templates}):`);
    for (const line of lost) console.error(`  ${line}`);
    process.exit(1);
  }
}
console.log(
  `electron-builder.yml is valid (${config.appId}, ${config.productName}); icons present; deb scripts current.`,
);
if (process.argv.includes('--package')) await import('./check-packaged-layout.mjs');
