#!/usr/bin/env node
// The `volsnap` command: the bundled CLI built by `npm run build` (scripts/build.mjs).
require('../dist/cli.cjs');
