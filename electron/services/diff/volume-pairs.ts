/** A volume on one side of a diff, with the mounts through which it can be recognised. */
export interface VolumeRef {
  volumeName: string;
  /** `owner` (compose service or container name) + mount destination of each of its mounts. */
  mounts: { owner: string; destination: string }[];
}

export interface VolumePair<B extends VolumeRef, A extends VolumeRef> {
  before: B | null;
  after: A | null;
}

/**
 * Matches the volumes of two sides the way restore finds its targets: by owner + mount
 * destination first (a compose project recreated elsewhere gets new volume names), then by
 * volume name. Unmatched volumes come out as one-sided pairs; before's order is kept.
 */
export function pairVolumes<B extends VolumeRef, A extends VolumeRef>(before: B[], after: A[]): VolumePair<B, A>[] {
  const free = new Set(after);
  const byMount = new Map<string, A>();
  for (const volume of after) for (const m of volume.mounts) byMount.set(mountKey(m), volume);
  const pairs: VolumePair<B, A>[] = [];
  const unmatched: B[] = [];
  for (const volume of before) {
    const match = volume.mounts.map((m) => byMount.get(mountKey(m))).find((a) => a !== undefined && free.has(a));
    if (match) {
      free.delete(match);
      pairs.push({ before: volume, after: match });
    } else unmatched.push(volume);
  }
  for (const volume of unmatched) {
    const match = [...free].find((a) => a.volumeName === volume.volumeName);
    if (match) free.delete(match);
    pairs.push({ before: volume, after: match ?? null });
  }
  for (const volume of free) pairs.push({ before: null, after: volume });
  return pairs;
}

function mountKey(mount: { owner: string; destination: string }): string {
  return `${mount.owner}\u0000${mount.destination}`;
}
