import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog, type NewSnapshot } from './catalog';
import { openDb, type Db } from './db';
import { EngineRegistry } from './engine-registry';
import { tempDir } from '../../test/engine';

function newSnapshot(id: string, workloadId: string): NewSnapshot {
  return {
    id,
    name: id,
    note: '',
    workloadId,
    workloadName: workloadId.split(':')[1]!,
    createdAt: new Date().toISOString(),
    trigger: 'manual',
    mode: 'pause',
    expiresAt: null,
    provenance: { engineVersion: 'test', engineHost: 'test', containers: [], mounts: [] },
  };
}

const A = { id: 'engine-a', name: 'alpha', endpoint: 'unix:///a.sock' };
const B = { id: 'engine-b', name: 'bravo', endpoint: 'unix:///b.sock' };

describe('engine registry', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let catalog: Catalog;
  let registry: EngineRegistry;

  beforeEach(() => {
    dir = tempDir();
    db = openDb(dir.path);
    catalog = new Catalog(db);
    registry = new EngineRegistry(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('leaves rows from before engines were recorded without an engine', () => {
    catalog.insertCapturing(newSnapshot('old-1', 'compose:app'));
    expect(catalog.get('old-1')).toMatchObject({ engineId: null, engineName: null });
  });

  it("stamps a capture and adopts only its own workload's engine-less snapshots", () => {
    catalog.insertCapturing(newSnapshot('old-app', 'compose:app'));
    catalog.insertCapturing(newSnapshot('old-other', 'compose:other'));
    catalog.insertCapturing(newSnapshot('new-app', 'compose:app'));
    registry.stamp('new-app', 'compose:app', A);
    expect(catalog.get('new-app')).toMatchObject({ engineId: 'engine-a', engineName: 'alpha' });
    expect(catalog.get('old-app')).toMatchObject({ engineId: 'engine-a', engineName: 'alpha' });
    expect(catalog.get('old-other')).toMatchObject({ engineId: null });
    // A later capture on another engine never takes snapshots that already have one.
    catalog.insertCapturing(newSnapshot('b-app', 'compose:app'));
    registry.stamp('b-app', 'compose:app', B);
    expect(catalog.get('old-app')!.engineId).toBe('engine-a');
    expect(catalog.get('b-app')!.engineId).toBe('engine-b');
  });

  it('remembers the last engine seen at each endpoint', () => {
    expect(registry.lastKnown(A.endpoint)).toBeUndefined();
    registry.remember(A);
    registry.remember(B);
    registry.remember({ ...A, id: 'engine-a-after-reset' });
    expect(registry.lastKnown(A.endpoint)).toEqual({ ...A, id: 'engine-a-after-reset' });
    expect(registry.lastKnown(B.endpoint)).toEqual(B);
  });

  it('lists without writing while another process holds the catalog, once the engine is known', () => {
    registry.remember(A);
    // Another process (the CLI, a capture) in the middle of a write; this one would wait 10 s for it.
    const other = openDb(dir.path);
    other.prepare('BEGIN IMMEDIATE').run();
    db.pragma('busy_timeout = 0');
    try {
      expect(() => registry.remember(A)).not.toThrow();
      // A reset engine at the same endpoint is news: it waits for the write lock like any write.
      expect(() => registry.remember({ ...A, id: 'engine-a-after-reset' })).toThrow(/locked|busy/i);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
  });
});
