import type Docker from 'dockerode';
import { runHelperFollowing } from './helper-run';

/**
 * A capture's helper lists its volumes before any of them is read: for each, the SHA-256 of one
 * `stat` line per entry (inode, links, type and mode, owner, size, device numbers, mtime and
 * ctime to the nanosecond, name). Every change to an entry's contents or metadata moves its ctime,
 * which nothing inside a container can set back, so a volume that lists the same as when it was
 * last captured holds what that capture read (docs/decisions.md, "An unchanged volume is not
 * read again"). The listing is hashed inside the helper, so only a line per volume comes back,
 * and one on stderr with its entries and its regular files' bytes (the capture's progress total).
 *
 * A helper image without these tools, or whose `stat` does not print nanoseconds, lists nothing:
 * every volume is then read, as before. So does a volume that changes while it is listed (a file
 * gone between `find` and `stat` fails the pipe).
 */
const SCRIPT = `
set -o pipefail
for v in "$@"; do
  if cd "/volsnap/$v" && stat -c '%y %z' . | grep -q '^[^ ]* [0-9:]*\\.[0-9]\\{9\\} [^ ]* [^ ]* [0-9:]*\\.[0-9]\\{9\\} ' &&
    find . -exec stat -c '%i %h %f %u %g %s %t %T %y %z %n' {} + |
    awk -v v="$v" '{ print } substr($3, 1, 1) == "8" { s += $6 } END { printf "volsnap-size %s %d %.0f\\n", v, NR, s > "/dev/stderr" }' |
    sha256sum; then :; else echo unlisted; fi
done
echo "volsnap-listed 0"
`;

/** The helper's command and environment (UTC without a zone file: a third of the listing's time goes to reading one per entry otherwise). */
export function listingCommand(volumes: string[]): { cmd: string[]; env: string[] } {
  return { cmd: ['sh', '-c', SCRIPT, 'volsnap-list', ...volumes], env: ['TZ=UTC0'] };
}

/** What the helper listed of a volume. */
export interface VolumeListing {
  digest: string;
  /** Its entries and its regular files' bytes, when the helper said them. */
  size?: { entries: number; fileBytes: number };
}

/**
 * Starts the capture's helper (made with `listingCommand`) and returns each listed volume's
 * digest. Anything but the exact answer lists nothing: the output is the helper image's, not ours.
 * A cancel stops the helper, which then lists nothing.
 */
export async function listVolumes(
  helper: Docker.Container,
  volumes: string[],
  signal: AbortSignal,
): Promise<Map<string, VolumeListing>> {
  if (signal.aborted) return new Map();
  const stop = () => void helper.kill().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const run = await runHelperFollowing(helper, 'listing', { exitWord: 'volsnap-listed' });
    return run.code === 0 ? parseListing(run.stdout, run.stderr, volumes) : new Map();
  } catch {
    return new Map();
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/**
 * The digests in the helper's output, a line per volume in order and the end line; none if it is
 * anything else. A listed volume's size comes from its one `volsnap-size` line on stderr, if any.
 */
export function parseListing(stdout: string, stderr: string, volumes: string[]): Map<string, VolumeListing> {
  const lines = stdout.split('\n');
  const listed = new Map<string, VolumeListing>();
  if (lines.length !== volumes.length + 2 || lines[volumes.length] !== 'volsnap-listed 0' || lines.at(-1) !== '')
    return listed;
  const sizes = sizeLines(stderr);
  for (const [i, volume] of volumes.entries()) {
    const digest = /^([0-9a-f]{64}) {2}-$/.exec(lines[i]!)?.[1];
    const size = sizes.get(volume);
    if (digest) listed.set(volume, size ? { digest, size } : { digest });
    else if (lines[i] !== 'unlisted') return new Map();
  }
  return listed;
}

/** The `volsnap-size <volume> <entries> <bytes>` lines; a volume named twice gets none. */
function sizeLines(stderr: string): Map<string, { entries: number; fileBytes: number }> {
  const sizes = new Map<string, { entries: number; fileBytes: number }>();
  const twice = new Set<string>();
  for (const line of stderr.split('\n')) {
    const [, volume, entries, bytes] = /^volsnap-size (\S+) (\d{1,15}) (\d{1,15})$/.exec(line) ?? [];
    if (volume === undefined) continue;
    if (sizes.has(volume)) twice.add(volume);
    sizes.set(volume, { entries: Number(entries), fileBytes: Number(bytes) });
  }
  for (const volume of twice) sizes.delete(volume);
  return sizes;
}
