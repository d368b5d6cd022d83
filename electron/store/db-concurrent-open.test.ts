import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from './db';
import { tempDir } from '../../test/engine';

/**
 * Several processes (the app, a CLI in a script, the web host) may open a brand-new data dir at
 * the same moment. Each child below is a real process running the real `openDb`; they all wait on
 * a start file so their opens overlap.
 */
const CHILD_SOURCE = `
import { existsSync } from 'node:fs';
import { openDb } from './db';
const [dataDir, go] = process.argv.slice(2);
process.stdout.write('ready\\n');
const nap = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(go)) Atomics.wait(nap, 0, 0, 1);
try {
  const db = openDb(dataDir);
  const version = db.pragma('user_version', { simple: true });
  db.close();
  process.stdout.write(JSON.stringify({ ok: true, version }) + '\\n');
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, message: String(error && error.message) }) + '\\n');
  process.exitCode = 1;
}
`;

const CHILDREN = 6;
const ROUNDS = 4;

describe('opening a new data dir from several processes at once', () => {
  const dir = tempDir();
  const childScript = path.join(dir.path, 'open-child.cjs');
  let expectedVersion = 0;

  beforeAll(async () => {
    await build({
      stdin: { contents: CHILD_SOURCE, resolveDir: import.meta.dirname, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      outfile: childScript,
      logLevel: 'warning',
    });
    const reference = openDb(path.join(dir.path, 'reference'));
    expectedVersion = reference.pragma('user_version', { simple: true }) as number;
    reference.close();
  });
  afterAll(() => dir.remove());

  function startChild(dataDir: string, go: string) {
    const child = spawn('node', [childScript, dataDir, go], {
      env: { ...process.env, NODE_PATH: path.resolve('node_modules') },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.startsWith('ready\n')) resolve();
      }),
    );
    const done = new Promise<{ code: number | null; result: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, result: out.replace(/^ready\n/, '').trim(), stderr: err })),
    );
    return { ready, done };
  }

  it('every process succeeds and the schema ends at the current version', async () => {
    expect(expectedVersion).toBeGreaterThan(1);
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = path.join(dir.path, `data-${round}`);
      const go = path.join(dir.path, `go-${round}`);
      const children = Array.from({ length: CHILDREN }, () => startChild(dataDir, go));
      await Promise.all(children.map((c) => c.ready));
      writeFileSync(go, '');
      const results = await Promise.all(children.map((c) => c.done));
      for (const r of results) {
        expect(r.result || r.stderr, `round ${round}`).toBe(JSON.stringify({ ok: true, version: expectedVersion }));
        expect(r.code).toBe(0);
      }
      const db = openDb(dataDir);
      expect(db.pragma('user_version', { simple: true })).toBe(expectedVersion);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'restore_journal'").get()).toEqual({
        n: 1,
      });
      db.close();
    }
  });
});
