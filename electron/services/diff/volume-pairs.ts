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
  const matches = new Map<B, A>();
  const claim = (volume: B, match: A | undefined) => {
    if (match === undefined || !free.has(match) || matches.has(volume)) return;
    free.delete(match);
    matches.set(volume, match);
  };
  for (const volume of before) for (const m of volume.mounts) claim(volume, byMount.get(mountKey(m)));
  for (const volume of before)
    claim(
      volume,
      [...free].find((a) => a.volumeName === volume.volumeName),
    );
  return [
    ...before.map((volume) => ({ before: volume, after: matches.get(volume) ?? null })),
    ...[...free].map((volume) => ({ before: null, after: volume })),
  ];
}

function mountKey(mount: { owner: string; destination: string }): string {
  return `${mount.owner}\u0000${mount.destination}`;
}
