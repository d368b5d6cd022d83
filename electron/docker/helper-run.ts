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
 * until the caller releases it) or once the helper exited. Its script prints `<exitWord> <code>` as
 * it ends (an EXIT trap): a helper the Engine removes as it exits (AutoRemove) cannot be asked for
 * its exit code afterwards, and its output is attached before the start for the same reason.
 */
export async function runHelperFollowing(
  helper: Docker.Container,
  what: string,
  options: { until?: string; exitWord: string; onLine?(line: string): void },
): Promise<HelperOutput & { running: boolean }> {
  const output = (await engineCall(`read the ${what} helper's output`, () =>
    helper.attach({ stream: true, stdout: true, stderr: true }),
  )) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let received = Buffer.alloc(0);
  let lines = 0;
  const reachedMark = new Promise<boolean>((resolve, reject) => {
    output.on('data', (data: Buffer) => {
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
    output.on('end', () => resolve(false));
    output.on('error', reject);
  });
  // Observed below once the helper started; if it never does, nobody waits for its output.
  reachedMark.catch(() => undefined);
  try {
    await engineCall(`start the ${what} helper`, () => helper.start());
    if (await reachedMark) return { code: 0, running: true, ...demux(received) };
  } finally {
    output.destroy();
  }
  const printed = demux(received);
  const exit = printed.stdout.split('\n').find((line) => line.startsWith(`${options.exitWord} `));
  // No exit line: the helper was killed (or never ran its script); -1 is no exit a script gives.
  return {
    code: exit === undefined ? -1 : Number(exit.slice(options.exitWord.length + 1)),
    running: false,
    ...printed,
  };
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
