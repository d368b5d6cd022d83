import { toErrorData } from '../../shared/errors';

/** What the app does when the data dir is unusable; main answers with native dialogs. */
export interface StoreRecovery<T> {
  open(dataDir: string): T;
  /** Shows the error; true when the user wants to choose another folder, false to quit. */
  askForAnother(dataDir: string, message: string): boolean;
  /** The folder the user picked, or null if they cancelled the picker. */
  pickFolder(): string | null;
  /** Remembers a folder that worked, so the CLI and the next start use it too. */
  remember(dataDir: string): void;
}

/**
 * Opens the store, and when the data dir is unusable (not writable, a damaged config.json, a
 * catalog that cannot be opened) keeps the app alive: it shows why and lets the user pick another
 * folder until one works or they quit. `locate` gives the default data dir and may throw.
 * Returns null when the user quits.
 */
export function openStore<T>(locate: () => string, recovery: StoreRecovery<T>): { value: T; dataDir: string } | null {
  let picked: string | null = null;
  for (;;) {
    let current = picked ?? '';
    try {
      current = picked ?? locate();
      const value = recovery.open(current);
      if (picked !== null) recovery.remember(picked);
      return { value, dataDir: current };
    } catch (error) {
      if (!recovery.askForAnother(current, toErrorData(error).message)) return null;
      picked = recovery.pickFolder() ?? picked;
    }
  }
}
