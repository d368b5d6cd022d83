import type { EngineClient as Docker } from '../docker/engine';
import { readEngineIdentity } from '../docker/engine-identity';
import { engineEndpoint } from '../docker/engine';
import type { EngineIdentity, EngineRegistry } from '../store/engine-registry';
import { VolsnapError } from '../../shared/errors';
import type { Snapshot } from '../../shared/types';

/** The engine lists are scoped to: asked now, or the last one seen at this endpoint while it is down. */
export interface EngineView {
  engine: EngineIdentity | null;
  online: boolean;
}

/** Which snapshots belong to the connected engine, so a list never mixes two engines' volumes. */
export class EngineScope {
  constructor(
    private readonly docker: Docker,
    private readonly registry: EngineRegistry,
  ) {}

  async current(): Promise<EngineView> {
    try {
      const engine = await readEngineIdentity(this.docker);
      rememberIfWritable(this.registry, engine);
      return { engine, online: true };
    } catch (error) {
      if (!(error instanceof VolsnapError) || error.kind !== 'EngineUnavailable') throw error;
      return { engine: this.registry.lastKnown(engineEndpoint()) ?? null, online: false };
    }
  }

  /**
   * The current engine's snapshots and those from before engines were recorded. An engine never
   * seen (down since before its first capture) has no snapshots of its own yet: only the older ones show.
   */
  async filter(snapshots: Snapshot[]): Promise<{ snapshots: Snapshot[]; view: EngineView }> {
    // Nothing to scope (an empty store, or only snapshots from before engines were recorded): no
    // need to ask the engine, which keeps `volsnap list` fast and quiet (issue 11 item 8).
    if (snapshots.every((s) => s.engineId === null)) return { snapshots, view: { engine: null, online: true } };
    const view = await this.current();
    const id = view.engine?.id ?? null;
    return { snapshots: snapshots.filter((s) => s.engineId === null || s.engineId === id), view };
  }
}

/**
 * Remembering the engine is a cache for lists while it is down: a store that cannot be written
 * (its disk is full, see electron/store/disk-full.ts) must still list what it holds.
 */
function rememberIfWritable(registry: EngineRegistry, engine: EngineIdentity): void {
  try {
    registry.remember(engine);
  } catch {
    // Listed without updating the cache; the next writable run records it.
  }
}
