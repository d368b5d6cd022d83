import type Docker from 'dockerode';

/** Waiting longer than this for the sizes would delay the capture more than a missing estimate hurts. */
const USAGE_DEADLINE_MS = 2_000;

/**
 * The bytes the named volumes use on the engine now (`GET /system/df`, which Docker Desktop's VM
 * answers too), for a capture's progress estimate; null when unknown, not computed in time, or
 * any volume is missing. The Engine walks every volume for this, so it gets a deadline.
 */
export async function volumeUsage(
  docker: Docker,
  names: string[],
  deadlineMs = USAGE_DEADLINE_MS,
): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), deadlineMs);
  });
  const sizes = (async () => {
    const df = (await docker.df()) as {
      Volumes?: { Name: string; UsageData?: { Size: number } | null }[];
    };
    let total = 0;
    for (const name of names) {
      const size = df.Volumes?.find((v) => v.Name === name)?.UsageData?.Size;
      if (size === undefined || size < 0) return null;
      total += size;
    }
    return total;
  })().catch(() => null);
  try {
    return await Promise.race([sizes, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The bytes the named volumes use together (`GET /system/df`), volumes the Engine does not size
 * counting 0. Rejects when the Engine cannot answer (a remote engine without df): the caller estimates.
 */
export async function volumesSize(docker: Docker, names: Set<string>): Promise<number> {
  const df = (await docker.df()) as { Volumes?: { Name: string; UsageData?: { Size: number } | null }[] };
  return (df.Volumes ?? [])
    .filter((v) => names.has(v.Name))
    .reduce((sum, v) => sum + Math.max(0, v.UsageData?.Size ?? 0), 0);
}
