// Validates electron-builder.yml with electron-builder's own schema, offline (no Electron download):
// the same check `electron-builder` runs before it packages anything.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

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
console.log(`electron-builder.yml is valid (${config.appId}, ${config.productName}); icons present.`);
