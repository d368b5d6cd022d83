import { VolsnapError } from './errors';

/** The longest snapshot name, in characters; the contract's schemas and the dialogs use it too. */
export const SNAPSHOT_NAME_MAX = 120;

/** A snapshot name as stored: trimmed, printable, not id-like; `InvalidInput` otherwise. */
export function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new VolsnapError('InvalidInput', 'A snapshot name cannot be empty.');
  if (trimmed.length > SNAPSHOT_NAME_MAX)
    throw new VolsnapError('InvalidInput', `A snapshot name can have at most ${SNAPSHOT_NAME_MAX} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    throw new VolsnapError('InvalidInput', 'A snapshot name cannot contain control characters.');
  if (/^[0-9a-f]{16}$/.test(trimmed))
    throw new VolsnapError('InvalidInput', 'A snapshot name cannot look like a snapshot id.');
  return trimmed;
}
