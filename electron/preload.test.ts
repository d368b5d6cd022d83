import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BRIDGE_EVENT_NAMES, COMMAND_CHANNELS } from '../shared/bridge-channels';
import { COMMAND_NAMES, EVENT_NAMES, contract } from '../shared/contract';

// The sandboxed preload is bundled whole (scripts/build.mjs): whatever it imports ships in it. It once
// imported the contract for a list of names and carried zod and every input schema (760 KB).
describe('preload bundle', () => {
  it('carries the channel names only: no zod, no schemas, a few KB', async () => {
    const result = await build({
      entryPoints: ['electron/preload.ts'],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['electron'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.includes('node_modules'))).toEqual([]);
    expect(inputs.filter((file) => file.endsWith('shared/contract.ts'))).toEqual([]);
    const bytes = result.outputFiles[0]!.contents.byteLength;
    expect(bytes).toBeLessThan(16 * 1024);
  });

  it('names the same channel for every command, and the same events, as the contract', () => {
    expect(Object.keys(COMMAND_CHANNELS).sort()).toEqual([...COMMAND_NAMES].sort());
    for (const name of COMMAND_NAMES) expect(COMMAND_CHANNELS[name]).toBe(contract[name].name);
    expect([...BRIDGE_EVENT_NAMES].sort()).toEqual([...EVENT_NAMES].sort());
  });
});
