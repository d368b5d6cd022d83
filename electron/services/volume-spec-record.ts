import type { EngineClient as Docker } from '../docker/engine';
import { inspectVolume } from '../docker/volumes';
import type { Db } from '../store/db';
import { VolumeSpecs } from '../store/volume-specs';

/**
 * Records how each captured volume was made (driver, driver options, labels), so a restore after
 * the volume was removed (`docker compose down -v`) makes it again as `docker compose up` expects.
 */
export async function recordVolumeSpecs(docker: Docker, db: Db, snapshotId: string, names: string[]): Promise<void> {
  const specs = [];
  for (const name of names) {
    const volume = await inspectVolume(docker, name);
    if (volume) specs.push({ volumeName: name, driver: volume.driver, options: volume.options, labels: volume.labels });
  }
  new VolumeSpecs(db).record(snapshotId, specs);
}
