import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { engineIdOf, type EngineInfo } from './engine-identity';

// Podman 4.3's /info answers a fresh random ID on every call (seen with scripts/check-podman.sh), so
// an id built from it would make each capture look like another engine's and refuse every restore.
// These are the fields two consecutive real Podman 4.3.1 /info answers carried.
const podmanInfo = (id: string): EngineInfo => ({
  ID: id,
  Name: 'vm',
  DockerRootDir: '/tmp/volsnap-podman/root',
  BuildahVersion: '1.28.2',
});

describe('engineIdOf', () => {
  it('gives Podman the same engine id on every /info answer, and tells two Podman stores apart', () => {
    const first = engineIdOf(podmanInfo('425358c9-f995-4887-bff5-847a51b9a047'), 'unix:///p.sock');
    const second = engineIdOf(podmanInfo('c387b5a7-1c09-4a55-8ac1-25b1934a4d19'), 'unix:///p.sock');
    expect(second).toBe(first);
    const other = engineIdOf({ ...podmanInfo('x'), DockerRootDir: '/var/lib/containers/storage' }, '');
    expect(other).not.toBe(first);
  });

  it("keeps Docker's own ID for the real engine, the same on every call", async () => {
    const docker = new Docker();
    const first = engineIdOf((await docker.info()) as EngineInfo, '');
    const info = (await docker.info()) as EngineInfo;
    expect(engineIdOf(info, '')).toBe(first);
    expect(first.startsWith(info.ID ?? '?')).toBe(true);
  });
});
