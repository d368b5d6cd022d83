import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { VolsnapError } from '../../../shared/errors';

/** The host folder an extract writes into: checked before anything is written, emptied again on failure. */

/** The target must be an empty folder or not exist yet; returns whether we created it. */
export async function prepareTarget(to: string): Promise<boolean> {
  const info = await stat(to).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw targetError(to, error);
  });
  if (info !== null) {
    if (!info.isDirectory())
      throw new VolsnapError(
        'InvalidInput',
        `${to} exists and is not a folder. Choose a new or empty folder with --to.`,
      );
    const inside = await readdir(to).catch((error: NodeJS.ErrnoException) => {
      throw targetError(to, error);
    });
    if (inside.length > 0)
      throw new VolsnapError(
        'InvalidInput',
        `${to} is not empty (it holds ${inside.length} entr${inside.length === 1 ? 'y' : 'ies'}). Extract into a new or empty folder, so nothing of yours is overwritten.`,
      );
  }
  try {
    await mkdir(to, { recursive: true });
    await access(to, constants.W_OK);
  } catch (error) {
    throw targetError(to, error as NodeJS.ErrnoException);
  }
  return info === null;
}

export async function undoTarget(to: string, created: boolean): Promise<void> {
  if (created) return void (await rm(to, { recursive: true, force: true }));
  for (const name of await readdir(to).catch(() => [] as string[]))
    await rm(path.join(to, name), { recursive: true, force: true });
}

function targetError(to: string, error: NodeJS.ErrnoException): VolsnapError {
  if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'EROFS')
    return new VolsnapError(
      'InvalidInput',
      `Cannot write to ${to}: permission denied. Choose a folder you can write to with --to.`,
    );
  return new VolsnapError('InvalidInput', `Cannot use ${to} as the target folder (${error.code ?? error.message}).`);
}
