import { describe, expect, it } from 'vitest';
import { createClient } from './create-client';
import type { VolsnapBridge } from '../../shared/contract';
import { VolsnapError } from '../../shared/errors';

/** A bridge answering two commands from fixed results; every other command is absent. */
function fakeBridge(): VolsnapBridge {
  return {
    getSettings: async () => ({ ok: true, value: { keepLast: 3 } }),
    showSnapshot: async () => ({ ok: false, error: { kind: 'NotFound', message: 'No snapshot "x".' } }),
    on: () => () => undefined,
  } as unknown as VolsnapBridge;
}

describe('createClient', () => {
  it('unwraps values and throws errors as VolsnapError with their kind and message', async () => {
    const client = createClient(fakeBridge());
    await expect(client.getSettings({})).resolves.toEqual({ keepLast: 3 });
    const error = await client.showSnapshot({ snapshot: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VolsnapError);
    expect(error).toMatchObject({ kind: 'NotFound', message: 'No snapshot "x".' });
  });

  it('is frozen: the UI cannot swap a command', () => {
    expect(Object.isFrozen(createClient(fakeBridge()))).toBe(true);
  });
});
