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
  const sizes = engineVolumeSizes(docker)
    .then((known) => {
      let total = 0;
      for (const name of names) {
        const size = known.get(name);
        if (size === undefined || size < 0) return null;
        total += size;
      }
      return total;
    })
    .catch(() => null);
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
  const known = await engineVolumeSizes(docker);
  return [...names].reduce((sum, name) => sum + Math.max(0, known.get(name) ?? 0), 0);
}

/** Each volume's size as the Engine reports it (`GET /system/df`); -1 where it did not size it. */
async function engineVolumeSizes(docker: Docker): Promise<Map<string, number>> {
  const df = (await docker.df()) as { Volumes?: { Name: string; UsageData?: { Size: number } | null }[] };
  return new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
}
