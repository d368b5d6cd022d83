import Docker from 'dockerode';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, invokeCommand } from './handlers';
import { createServices } from '../services';
import { tempDir } from '../../test/engine';

const dir = tempDir();
const services = createServices({
  dataDir: path.join(dir.path, 'data'),
  // An engine that is not there: handlers must answer, not crash.
  docker: new Docker({ socketPath: path.join(dir.path, 'no-engine.sock') }),
});
const handlers = createHandlers(services);

afterAll(() => {
  services.close();
  dir.remove();
});

describe('invokeCommand', () => {
  it('refuses unknown command names, including Object.prototype ones', async () => {
    for (const name of ['nope', 'toString', '__proto__', 'snapshots:list']) {
      const result = await invokeCommand(handlers, name, {});
      expect(result).toEqual({ ok: false, error: { kind: 'InvalidInput', message: `Unknown command "${name}".` } });
    }
  });

  it('rejects bad payloads with zod reasons, as data', async () => {
    const result = await invokeCommand(handlers, 'restoreSnapshot', { snapshot: '', confirm: 5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('InvalidInput');
    expect(result.error.message).toMatch(/^Invalid input for restore:start: snapshot: .*; confirm: /);
    expect(await invokeCommand(handlers, 'listJobs', 'not an object')).toMatchObject({
      ok: false,
      error: { kind: 'InvalidInput' },
    });
  });

  it('reports a down engine as a status, and as EngineUnavailable where the engine is needed', async () => {
    const status = await invokeCommand(handlers, 'engineStatus', {});
    expect(status).toMatchObject({ ok: true, value: { ok: false, version: null } });
    if (status.ok) expect((status.value as { message: string }).message).toContain('Cannot reach the Docker Engine');
    expect(await invokeCommand(handlers, 'listWorkloads', {})).toMatchObject({
      ok: false,
      error: { kind: 'EngineUnavailable' },
    });
  });

  it('keeps the old setting when a value is refused, and returns all settings on success', async () => {
    expect(await invokeCommand(handlers, 'setSetting', { key: 'maxAgeDays', value: -3 })).toMatchObject({
      ok: false,
      error: { kind: 'InvalidInput' },
    });
    expect(await invokeCommand(handlers, 'setSetting', { key: 'maxAgeDays', value: 30 })).toMatchObject({
      ok: true,
      value: { maxAgeDays: 30, keepLast: 20 },
    });
  });

  it('maps service errors to their kind (NotFound for an unknown snapshot)', async () => {
    expect(await invokeCommand(handlers, 'showSnapshot', { snapshot: 'missing' })).toMatchObject({
      ok: false,
      error: { kind: 'NotFound' },
    });
  });
});
