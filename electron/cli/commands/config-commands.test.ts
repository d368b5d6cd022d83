import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../main';
import { defaultDataDir } from '../../services/data-dir';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { tempDir } from '../../../test/engine';

/** Runs `volsnap …` in this process and captures what a terminal would show. */
async function volsnap(...args: string[]) {
  const out = { stdout: '', stderr: '' };
  // runCli writes with `write` only; a string sink stands in for the terminal.
  const sink = (key: keyof typeof out) =>
    ({ write: (chunk: string) => ((out[key] += chunk), true) }) as unknown as NodeJS.WriteStream & { fd: 1 & 2 };
  const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}

describe('volsnap config', () => {
  const data = tempDir('volsnap-config-');
  const saved = { ...process.env };
  let configDir: string;

  beforeEach(() => {
    configDir = path.join(data.path, `config-${Math.random().toString(36).slice(2)}`);
    process.env.VOLSNAP_CONFIG_DIR = configDir;
    delete process.env.VOLSNAP_DATA_DIR;
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  afterAll(() => data.remove());

  const store = () => path.join(data.path, 'store');

  it('shows every setting with its default, and the data dir in use', async () => {
    const r = await volsnap('--data-dir', store(), '--json', 'config', 'get');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ dataDir: store(), engine: null, ...DEFAULT_SETTINGS });
    const human = await volsnap('--data-dir', store(), 'config', 'get', 'keepLast');
    expect(human.stdout.trim()).toMatch(/^keepLast\s+20$/);
  });

  it('stores values as JSON when they parse and as text otherwise', async () => {
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'keepLast', '5')).code).toBe(0);
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'helperImage', 'busybox:1.36')).code).toBe(0);
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'maxAgeDays', 'null')).code).toBe(0);
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'keepInTrayOnClose', 'false')).code).toBe(0);
    const r = await volsnap('--data-dir', store(), '--json', 'config', 'get');
    expect(JSON.parse(r.stdout)).toMatchObject({
      keepLast: 5,
      helperImage: 'busybox:1.36',
      maxAgeDays: null,
      keepInTrayOnClose: false,
    });
  });

  it('refuses an invalid value with the reason and keeps the old one', async () => {
    await volsnap('--data-dir', store(), 'config', 'set', 'defaultMode', 'stop');
    for (const [key, value] of [
      ['keepLast', '0'],
      ['keepLast', '"many"'],
      ['defaultMode', 'freeze'],
      ['launchAtLogin', 'yes'],
    ] as const) {
      const r = await volsnap('--data-dir', store(), 'config', 'set', key, value);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^volsnap: Invalid value for ${key}: .+ The old value is kept\\.`));
    }
    // A negative number reads as an option unless it follows `--`.
    const negative = await volsnap('--data-dir', store(), 'config', 'set', 'keepLast', '--', '-3');
    expect(negative.stderr).toContain('Invalid value for keepLast');
    const r = await volsnap('--data-dir', store(), '--json', 'config', 'get');
    expect(JSON.parse(r.stdout)).toMatchObject({ keepLast: 5, defaultMode: 'stop', launchAtLogin: false });
  });

  it('rejects unknown keys and malformed command lines as usage errors', async () => {
    const unknown = await volsnap('--data-dir', store(), 'config', 'set', 'colour', 'blue');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown setting "colour". Settings: dataDir, engine, helperImage');
    expect((await volsnap('--data-dir', store(), 'config', 'set', 'keepLast')).code).toBe(2);
    expect((await volsnap('--data-dir', store(), 'config', 'frobnicate')).code).toBe(2);
  });

  it('points the app and the CLI at another data dir through config.json', async () => {
    const chosen = path.join(data.path, 'chosen');
    const r = await volsnap('config', 'set', 'dataDir', chosen);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'))).toEqual({ dataDir: chosen });
    expect(defaultDataDir()).toBe(chosen);
    const get = await volsnap('--json', 'config', 'get', 'dataDir');
    expect(JSON.parse(get.stdout)).toEqual({ dataDir: chosen });
    // VOLSNAP_DATA_DIR still wins, and the CLI says so.
    process.env.VOLSNAP_DATA_DIR = store();
    const overridden = await volsnap('config', 'set', 'dataDir', chosen);
    expect(overridden.stderr).toContain(`VOLSNAP_DATA_DIR is set, so this shell keeps using ${store()}`);
  });

  it('refuses a data dir it cannot write to and keeps the old pointer', async () => {
    const chosen = path.join(data.path, 'good');
    await volsnap('config', 'set', 'dataDir', chosen);
    const blocker = path.join(data.path, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const r = await volsnap('config', 'set', 'dataDir', path.join(blocker, 'store'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Cannot write to the data directory .*a-file\/store \(ENOTDIR\)\. Choose a writable folder/,
    );
    expect(defaultDataDir()).toBe(chosen);
    // The same clear message, not a SQLite error, when a command opens the store there.
    const list = await volsnap('--data-dir', path.join(blocker, 'store'), 'list');
    expect(list.stderr).toMatch(/^volsnap: Cannot write to the data directory/);
  });

  it('refuses a damaged config.json instead of silently showing an empty store', async () => {
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'config.json'), '{"dataDir": "relative/path"');
    const r = await volsnap('list');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('config.json should be {"dataDir": "<absolute folder>"}');
  });
});
