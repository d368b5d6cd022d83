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

/**
 * Starts a created helper and follows its output: `onLine` sees each stdout line as it comes.
 * Returns once a line begins with `until` and a space (the helper still runs: it holds something
 * until the caller removes it) or once the helper exited (`code` is then its exit code).
 */
export async function runHelperFollowing(
  helper: Docker.Container,
  what: string,
  options: { until?: string; onLine?(line: string): void },
): Promise<HelperOutput & { running: boolean }> {
  await engineCall(`start the ${what} helper`, () => helper.start());
  const logs = (await engineCall(`read the ${what} helper's output`, () =>
    helper.logs({ stdout: true, stderr: true, follow: true }),
  )) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let received = Buffer.alloc(0);
  let lines = 0;
  const reachedMark = await new Promise<boolean>((resolve, reject) => {
    logs.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const complete = demux(received).stdout.split('\n').slice(0, -1);
      try {
        for (const line of complete.slice(lines)) {
          options.onLine?.(line);
          if (options.until !== undefined && line.startsWith(`${options.until} `)) resolve(true);
        }
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      lines = complete.length;
    });
    logs.on('end', () => resolve(false));
    logs.on('error', reject);
  });
  logs.destroy();
  if (reachedMark) return { code: 0, running: true, ...demux(received) };
  const { StatusCode } = (await engineCall(`wait for the ${what} helper`, () => helper.wait())) as {
    StatusCode: number;
  };
  return { code: StatusCode, running: false, ...demux(received) };
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
