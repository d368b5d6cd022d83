#!/usr/bin/env node
// The `volsnap` command from a checkout (`npx volsnap`, `npm run volsnap --`): the bundled CLI built
// by `npm run build` (scripts/build.mjs). Installers ship bin/packaged/ instead.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(cli)) {
  console.error('volsnap: the CLI is not built yet (no dist/cli.cjs). Run `npm run build` in the checkout first.');
  process.exit(1);
}
require(cli);
