import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRestoreFixture, type RestoreFixture } from './restore-fixture.test-util';
import { describeEngine, tempDir } from '../../../test/engine';

// The Engine itself goes away in the middle of a restore: the restore fails, cannot roll back
// (no engine), and `volsnap recover` finishes the roll-back once the Engine is back. This stops and
// restarts an engine, so it uses one of its own, never the shared test engine.
const root = '/tmp/volsnap-engine-down';
const engineEnv = { ...process.env, VOLSNAP_ENGINE_ROOT: root };
const DOCKER_HOST = `unix://${root}/docker.sock`;

function engine(action: 'start' | 'stop'): void {
  execFileSync('bash', ['scripts/test-engine.sh', action], { env: engineEnv, stdio: 'ignore' });
}

/** Stops dockerd the way a crash or an update would (SIGKILL: a crash), leaving its containers and volumes in place. */
function killEngine(signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = Number(readFileSync(path.join(root, 'docker.pid'), 'utf8'));
  process.kill(pid, signal);
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    execFileSync('sleep', ['0.1']);
  }
  throw new Error('dockerd did not stop');
}

/** dockerd mounts its data root over itself; one killed with SIGKILL leaves that mount behind. */
function unmountDataRoot(): void {
  for (let i = 0; i < 5; i++) {
    try {
      execFileSync('umount', [path.join(root, 'data')], { stdio: 'ignore' });
    } catch {
      return; // nothing (more) mounted there
    }
  }
}

describeEngine('restore when the Engine stops in the middle', () => {
  let fixture: RestoreFixture;
  const scratch = tempDir('volsnap-stall-');

  beforeAll(async () => {
    engine('start');
    fixture = await createRestoreFixture(new Docker({ socketPath: `${root}/docker.sock` }));
  });
  afterAll(async () => {
    engine('start');
    await fixture?.remove();
    engine('stop');
    unmountDataRoot();
    rmSync(root, { recursive: true, force: true });
    scratch.remove();
  });

  it('fails the restore, then `volsnap recover` rolls it back once the Engine is back', async () => {
    const stall = path.join(scratch.path, 'stall');
    const restore = fixture.cli(['--json', 'restore', fixture.snapshot.id, '--confirm', fixture.snapshot.name], {
      DOCKER_HOST,
      VOLSNAP_STALL_AT: 'stage',
      VOLSNAP_STALL_FILE: stall,
    });
    for (let i = 0; i < 600 && !existsSync(stall); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(stall), 'the restore never reached its stage step').toBe(true);
    killEngine();
    rmSync(stall);
    const failed = await restore;
    expect(failed.code).toBe(1);
    const { error } = JSON.parse(failed.stderr) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('EngineUnavailable');
    expect(error.message).toMatch(/Cannot reach the Docker Engine/);
    expect(error.message).toMatch(/volsnap recover/);

    engine('start');
    const recovered = await fixture.cli(['--json', 'recover'], { DOCKER_HOST });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(await fixture.trees()).toEqual(fixture.oldTrees);
    expect(await fixture.assertSettled()).toEqual([]);
  });

  it('killed at "starting containers": the restore fails, then `volsnap recover` starts the workload', async () => {
    await fixture.resetOld();
    const stall = path.join(scratch.path, 'stall-start');
    const restore = fixture.cli(
      ['--json', 'restore', fixture.snapshot.id, '--confirm', fixture.snapshot.name, '--no-safety-snapshot'],
      { DOCKER_HOST, VOLSNAP_STALL_AT: 'start', VOLSNAP_STALL_FILE: stall },
    );
    for (let i = 0; i < 600 && !existsSync(stall); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(stall), 'the restore never reached its start step').toBe(true);
    killEngine('SIGKILL');
    rmSync(stall);
    const failed = await restore;
    expect(failed.code).toBe(1);
    const { error } = JSON.parse(failed.stderr) as { error: { message: string } };
    expect(error.message).toMatch(/volsnap recover/);

    engine('start');
    const recovered = await fixture.cli(['--json', 'recover'], { DOCKER_HOST });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect((JSON.parse(recovered.stdout) as { rolledForward: string[] }).rolledForward).toHaveLength(1);
    // The volumes were final before the start: exactly the snapshot, nothing of Volsnap's.
    expect(await fixture.trees()).toEqual(fixture.snapTrees);
    // dockerd itself restarts an `on-failure` container that had exited non-zero when it comes back
    // from a SIGKILL (it does so for a container no one touched, too): job-1 is Docker's doing.
    const problems = await fixture.assertSettled();
    expect(problems.filter((p) => !/-job-1: \{"status":"running","restartPolicy":"on-failure"\}/.test(p))).toEqual([]);
  });
});
