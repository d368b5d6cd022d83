import { expect, it, describe } from 'vitest';
import { startOne, unsettledReason } from './containers';
import { describeEngine, testDocker, uniqueName } from '../../../test/engine';
import { VolsnapError } from '../../../shared/errors';

/**
 * The error dockerode (docker-modem) builds when dockerd 20.10 answers a start with the task that
 * survived a killed Engine: captured from the private engine after SIGKILLing dockerd mid-start
 * (`POST /containers/<id>/start` → 500 `{"message":"task <id>: already exists"}`).
 */
function staleTaskError(): Error {
  const id = 'a8317685b25feb8c04d27c691a8b310e901e64d4cbfb94a6d873fef6652e2299';
  const json = { message: `task ${id}: already exists` };
  return Object.assign(new Error(`(HTTP code 500) server error - ${json.message} `), {
    reason: 'server error',
    statusCode: 500,
    json,
  });
}

function recorder() {
  const sleeps: number[] = [];
  const retries: string[] = [];
  return {
    sleeps,
    retries,
    options: {
      sleep: (ms: number) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      onRetry: (name: string, attempt: number, reason: string) => retries.push(`${name} ${attempt} ${reason}`),
    },
  };
}

describe('starting containers after the Engine was killed', () => {
  it('knows the stale-task refusal and nothing else as "still settling"', () => {
    expect(unsettledReason(staleTaskError())).toMatch(/task of a start from before the Engine stopped/);
    const portTaken = Object.assign(new Error('(HTTP code 500) server error - port is already allocated '), {
      statusCode: 500,
      json: {
        message:
          'driver failed programming external connectivity: Bind for 0.0.0.0:5432 failed: port is already allocated',
      },
    });
    expect(unsettledReason(portTaken)).toBeNull();
    expect(unsettledReason(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeNull();
  });

  it('retries a stale-task refusal with growing waits and says so', async () => {
    const r = recorder();
    let calls = 0;
    const outcome = await startOne(
      { name: 'db-1' },
      () => (++calls < 3 ? Promise.reject(staleTaskError()) : Promise.resolve()),
      r.options,
    );
    expect(outcome).toBe('retried');
    expect(r.sleeps).toEqual([250, 500]);
    expect(r.retries).toHaveLength(2);
    expect(r.retries[0]).toMatch(/^db-1 1 Docker still holds the task/);
  });

  it('gives up after about 30 s with what to do, and fails other errors at once', async () => {
    const r = recorder();
    const error = await startOne({ name: 'db-1' }, () => Promise.reject(staleTaskError()), r.options).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VolsnapError);
    expect((error as VolsnapError).message).toMatch(
      /db-1.*already exists.*retried for \d+ s.*Restart the Docker Engine.*volsnap recover/s,
    );
    const total = r.sleeps.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(total).toBeGreaterThanOrEqual(20_000);

    const other = recorder();
    const portTaken = Object.assign(new Error('(HTTP code 500) server error - port is already allocated '), {
      statusCode: 500,
      json: { message: 'port is already allocated' },
    });
    await expect(startOne({ name: 'web-1' }, () => Promise.reject(portTaken), other.options)).rejects.toThrow(
      /could not start container web-1: port is already allocated/,
    );
    expect(other.sleeps).toEqual([]);
  });
});

describeEngine('starting a container that was removed', () => {
  it('reports it gone (the real 404 of the Engine), without retrying', async () => {
    const docker = testDocker();
    const r = recorder();
    const outcome = await startOne(
      { name: 'gone-1' },
      () => docker.getContainer(uniqueName('vsgone')).start(),
      r.options,
    );
    expect(outcome).toBe('gone');
    expect(r.sleeps).toEqual([]);
  });
});
