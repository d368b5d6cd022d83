import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog';
import { openDb } from './db';
import { Leases } from './leases';
import { tempDir } from '../../test/engine';

/** Read leases on snapshots, through two connections to one data dir (two processes). */
describe('snapshot read leases', () => {
  function store(isAlive: (pid: number) => boolean = () => true) {
    const dir = tempDir();
    const db = openDb(dir.path);
    new Catalog(db).insertCapturing({
      id: 'aaaaaaaaaaaaaaaa',
      name: 'snap',
      note: '',
      workloadId: 'compose:app',
      workloadName: 'app',
      createdAt: new Date().toISOString(),
      trigger: 'manual',
      mode: 'live',
      expiresAt: null,
      provenance: { engineVersion: '', engineHost: '', containers: [], mounts: [] },
    });
    const other = openDb(dir.path);
    return {
      here: new Leases(db, isAlive).snapshots,
      otherProcess: new Leases(other, isAlive).snapshots,
      close() {
        db.close();
        other.close();
        dir.remove();
      },
    };
  }
  const snap = { id: 'aaaaaaaaaaaaaaaa', name: 'snap' };

  it('refuses a delete naming the reading job, in another process too, until the reader is done', () => {
    const s = store();
    try {
      const reading = s.here.hold(snap, { id: 'restorejob000001', kind: 'restore' });
      const verifying = s.here.hold(snap, { id: 'verifyjob0000001', kind: 'verify' });
      expect(s.otherProcess.heldIds()).toEqual(new Set([snap.id]));
      expect(() => s.otherProcess.forDelete(snap, 'deletejob0000001')).toThrow(
        /in use by a restore \(job restorejob000001/,
      );
      reading.release();
      expect(() => s.otherProcess.forDelete(snap, 'deletejob0000001')).toThrow(/in use by a verify/);
      verifying.release();
      const deleting = s.otherProcess.forDelete(snap, 'deletejob0000001');
      // No reader starts on a snapshot being deleted.
      expect(() => s.here.hold(snap, { id: 'diffjob000000001', kind: 'diff' })).toThrow(/being deleted/);
      deleting.release();
      expect(s.here.heldIds().size).toBe(0);
    } finally {
      s.close();
    }
  });

  it('ignores and sweeps the leases of dead processes, and refuses to hold a deleted snapshot', () => {
    const s = store(() => false);
    try {
      s.here.hold(snap, { id: 'restorejob000001', kind: 'restore' });
      expect(s.otherProcess.heldIds().size).toBe(0);
      expect(s.otherProcess.removeDead()).toBe(1);
      expect(() => s.here.hold({ id: 'bbbbbbbbbbbbbbbb', name: 'gone' }, { id: 'x', kind: 'diff' })).toThrow(
        /"gone" was deleted/,
      );
    } finally {
      s.close();
    }
  });
});
