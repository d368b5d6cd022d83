import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const PACK = /^([0-9a-f]{32})\.pack$/;
const TEMP = /^\.([0-9a-f]{32})\.pack\.tmp$/;

/**
 * Where packs live: `<dataDir>/chunks/packs/<id>.pack`, written as `.<id>.pack.tmp` first. Names
 * are built only from ids this store made.
 */
export class PackFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'chunks', 'packs');
  }

  newId(): string {
    return randomBytes(16).toString('hex');
  }

  pathOf(packId: string): string {
    assertPackId(packId);
    return path.join(this.dir, `${packId}.pack`);
  }

  tempPathOf(packId: string): string {
    assertPackId(packId);
    return path.join(this.dir, `.${packId}.pack.tmp`);
  }

  async makeDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Pack files and temp files on disk, by id. */
  async list(): Promise<{ packs: string[]; temps: string[] }> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const packs = names.flatMap((n) => PACK.exec(n)?.[1] ?? []);
    const temps = names.flatMap((n) => TEMP.exec(n)?.[1] ?? []);
    return { packs, temps };
  }

  async remove(packId: string): Promise<void> {
    await rm(this.pathOf(packId), { force: true });
  }

  async removeTemp(packId: string): Promise<void> {
    await rm(this.tempPathOf(packId), { force: true });
  }
}

function assertPackId(id: string): void {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`bad pack id ${id}`);
}
