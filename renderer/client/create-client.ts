import { COMMAND_NAMES, type VolsnapBridge, type VolsnapClient } from '../../shared/contract';
import { VolsnapError, type Result } from '../../shared/errors';

/** Turns a bridge (Electron preload or the web host's socket) into the client the UI uses: results unwrapped, errors thrown as `VolsnapError`. */
export function createClient(bridge: VolsnapBridge): VolsnapClient {
  const client: Record<string, unknown> = {
    on: bridge.on.bind(bridge),
  };
  for (const name of COMMAND_NAMES) {
    const call = bridge[name] as (input: unknown) => Promise<Result<unknown>>;
    client[name] = async (input: unknown) => unwrap(await call(input));
  }
  return Object.freeze(client) as VolsnapClient;
}

function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new VolsnapError(result.error.kind, result.error.message);
}
