// better-sqlite3 is built for one ABI at a time: Node's for the CLI and tests, Electron's for the
// app (`npm start` / `npm run dist` rebuild it with electron-builder install-app-deps). Before the
// tests run under Node, rebuild it for Node if the last build was for Electron. (zstd-napi is
// N-API and loads in both.)
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch (error) {
  if (
    !/NODE_MODULE_VERSION|was compiled against a different Node.js version|invalid ELF|Could not locate the bindings/.test(
      String(error),
    )
  )
    throw error;
  console.error('better-sqlite3 was built for another runtime (Electron?); rebuilding it for Node…');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
