import type Docker from 'dockerode';
import { engineCall } from './engine';
import { removeHelper } from './helper';
import { HELPER_LABEL } from './workloads';

/** What a helper container printed and how it exited. */
export interface HelperOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts a created helper, waits for its exit and reads its output (`what` names it in errors). */
export async function runHelperToEnd(helper: Docker.Container, what: string): Promise<HelperOutput> {
  await engineCall(`start the ${what} helper`, () => helper.start());
  const { StatusCode } = (await engineCall(`wait for the ${what} helper`, () => helper.wait())) as {
    StatusCode: number;
  };
  const logs = await engineCall(`read the ${what} helper's output`, () =>
    helper.logs({ stdout: true, stderr: true, follow: false }),
  );
  return { code: StatusCode, ...demux(logs) };
}

/**
 * Removes every helper of a job, killing one that still runs: its renames are atomic and its
 * scripts idempotent, so recovery can simply run them again.
 */
export async function removeJobHelpers(docker: Docker, jobId: string): Promise<void> {
  const helpers = await engineCall('list helper containers', () =>
    docker.listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=${jobId}`] } }),
  );
  await Promise.all(helpers.map((h) => removeHelper(docker.getContainer(h.Id))));
}

/** Splits Docker's multiplexed log buffer (no TTY) into stdout and stderr. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (let offset = 0; offset + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    if (buffer[offset] === 2) stderr += payload;
    else stdout += payload;
    offset += 8 + size;
  }
  return { stdout, stderr };
}
