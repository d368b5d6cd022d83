import { readFile } from 'node:fs/promises';
import type { ChunkProblem } from './format-two-check';
import { layoutEntries } from '../chunked/layout-entries';
import { decodeLayout } from '../chunked/layout-file';
import type { ArchiveFiles } from '../../store/archive-files';
import type { ChunkUser, ChunkUsers } from '../../store/chunks/chunk-users';
import type { DamagedChunk } from '../../../shared/types';

/**
 * What each damaged chunk loses across the whole store: every snapshot that uses it (from
 * their chunk lists) and, from those snapshots' layouts, every file whose contents include it. Each
 * layout is read once however many damaged chunks it holds.
 */
export async function describeDamage(
  deps: { files: ArchiveFiles; users: ChunkUsers },
  problems: ChunkProblem[],
): Promise<DamagedChunk[]> {
  const found = deps.users.of(problems.map((p) => Buffer.from(p.hash, 'hex')));
  const users = new Map(problems.map((p, i) => [p.hash, found[i]!]));
  const wanted = new Set(problems.map((p) => p.hash));
  // "<snapshot>/<position>" → chunk → files of that volume holding it.
  const holders = new Map<string, Map<string, string[]>>();
  for (const user of new Map([...users.values()].flat().map((u) => [u.snapshotId, u])).values()) {
    for (const volume of user.volumes) {
      holders.set(`${user.snapshotId}/${volume.position}`, await filesHolding(deps.files, user, volume, wanted));
    }
  }
  return problems.map(({ hash, problem }) => ({
    hash,
    problem,
    snapshots: (users.get(hash) ?? []).map((user) => ({
      snapshotId: user.snapshotId,
      snapshotName: user.snapshotName,
      files: user.volumes.flatMap((volume) =>
        (holders.get(`${user.snapshotId}/${volume.position}`)?.get(hash) ?? []).map((path) => ({
          volumeName: volume.volumeName,
          path,
        })),
      ),
    })),
  }));
}

/** The files of one volume whose chunk lists include any of `wanted`, by chunk. */
async function filesHolding(
  files: ArchiveFiles,
  user: ChunkUser,
  volume: ChunkUser['volumes'][number],
  wanted: Set<string>,
): Promise<Map<string, string[]>> {
  const byChunk = new Map<string, string[]>();
  let entries;
  try {
    entries = layoutEntries(
      decodeLayout(await readFile(files.pathOf(user.snapshotId, volume.archiveFile))),
      volume.volumeName,
    );
  } catch {
    // A layout that cannot be read names no files; the snapshot is still named as using the chunk.
    return byChunk;
  }
  for (const entry of entries) {
    for (const hex of new Set(entry.file?.chunks ?? [])) {
      if (wanted.has(hex)) byChunk.set(hex, [...(byChunk.get(hex) ?? []), entry.path]);
    }
  }
  return byChunk;
}
