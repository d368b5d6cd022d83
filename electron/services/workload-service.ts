import type { EngineClient as Docker } from '../docker/engine';
import { discoverWorkloads, toWorkloadDto, type DiscoveredWorkload } from '../docker/workloads';
import type { Catalog } from '../store/catalog';
import { VolsnapError } from '../../shared/errors';
import type { Workload } from '../../shared/types';

/** Workloads as the user sees them: discovery from the Engine plus what the catalog knows. */
export class WorkloadService {
  constructor(
    private readonly docker: Docker,
    private readonly catalog: Catalog,
  ) {}

  /** `engineId`: count only that engine's snapshots (and older ones without an engine) in each workload's stats. */
  async list(engineId?: string, options: { showAnonymous?: boolean } = {}): Promise<Workload[]> {
    // Anonymous volumes no container mounts are many and rarely wanted: only on request (`--all`).
    const discovered = await discoverWorkloads(this.docker, { anonymous: options.showAnonymous === true });
    const stats = this.catalog.workloadStats(engineId);
    return discovered.map((w) =>
      toWorkloadDto(w, {
        lastSnapshotAt: stats.get(w.id)?.lastSnapshotAt ?? null,
        snapshotBytes: stats.get(w.id)?.storedBytes ?? 0,
      }),
    );
  }

  /** Finds a workload by id (`compose:x`, `container:y`, `volume:z`) or by name; `NotFound` with the choices otherwise. */
  async resolve(ref: string): Promise<DiscoveredWorkload> {
    const all = await discoverWorkloads(this.docker, { anonymous: true });
    const byId = all.find((w) => w.id === ref);
    if (byId) return byId;
    const byName = all.filter((w) => w.name === ref);
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) {
      throw new VolsnapError(
        'InvalidInput',
        `"${ref}" names several workloads (${byName.map((w) => w.id).join(', ')}); use the id.`,
      );
    }
    const known = all.map((w) => w.id).join(', ') || 'none';
    throw new VolsnapError('NotFound', `No workload "${ref}" on this engine. Workloads: ${known}.`);
  }
}
