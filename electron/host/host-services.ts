import type { EngineClient as Docker } from '../docker/engine';
import { createServices, type Services } from '../services';
import { SpaceReserve } from '../store/space-reserve';

/**
 * The services of a long-lived host (the app, `volsnap serve`). On a full disk the catalog would
 * open read-only (db.ts, openOnFullDisk) and the app could not delete a snapshot, which is what a
 * person opens it for then: the host gives up the space reserve (space-reserve.ts) first.
 */
export function openHostServices(options: { dataDir: string; docker?: Docker }): Services {
  new SpaceReserve(options.dataDir).releaseIfFull();
  return createServices(options);
}
