import { ipcMain } from 'electron';
import { isTrustedFrame, type AppLocation } from './app-origin';
import { invokeCommand, type Handlers } from '../host/handlers';
import { COMMAND_NAMES, contract } from '../../shared/contract';
import type { Result } from '../../shared/errors';

const REFUSED: Result<never> = {
  ok: false,
  error: { kind: 'Unsupported', message: 'Refused: this call did not come from the Volsnap window.' },
};

/**
 * Registers one `ipcMain.handle` per contract command, on the command's own name as channel.
 * Every call is checked to come from our page's top frame, then parsed with the contract's zod
 * schema and run by `invokeCommand`; the answer is always a result envelope, never a throw.
 * This is the only module that imports ipcMain. Returns the unregister function.
 */
export function registerIpc(options: {
  handlers: Handlers;
  location: AppLocation;
  log: (message: string) => void;
}): () => void {
  for (const key of COMMAND_NAMES) {
    const channel = contract[key].name;
    ipcMain.handle(channel, async (event, input: unknown): Promise<Result<unknown>> => {
      if (!isTrustedFrame(event.senderFrame, options.location)) {
        options.log(`refused IPC ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return REFUSED;
      }
      return invokeCommand(options.handlers, key, input);
    });
  }
  return () => {
    for (const key of COMMAND_NAMES) ipcMain.removeHandler(contract[key].name);
  };
}
