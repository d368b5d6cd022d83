import { describe, expect, it } from 'vitest';
import { BackgroundFlush } from './background-flush';

const MiB = 1024 * 1024;

describe('BackgroundFlush', () => {
  it('flushes every 32 MiB written, one flush at a time, and settles once they ended', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const flushes = new BackgroundFlush(async () => {
      started.push(Date.now());
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    for (let i = 0; i < 100; i++) flushes.written(MiB);
    await flushes.settled();
    expect(started).toHaveLength(3);
    expect(most).toBe(1);
    expect(running).toBe(0);
  });

  it('fails `settled` with a failed flush, which the final fsync on the same file may never report again', async () => {
    const diskError = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    let calls = 0;
    const flushes = new BackgroundFlush(async () => {
      calls++;
      if (calls === 1) throw diskError;
    });
    flushes.written(32 * MiB);
    flushes.written(64 * MiB);
    await expect(flushes.settled()).rejects.toBe(diskError);
    // Nothing is flushed after a failure, and it stays failed.
    expect(calls).toBe(1);
    await expect(flushes.settled()).rejects.toBe(diskError);
  });
});
