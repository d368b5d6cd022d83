import type { Snapshot, Workload } from '../../shared/types';

/** A workload as far as it is known: the sidebar has it whole, the tray or palette only by id and name. */
export type WorkloadRef = Pick<Workload, 'id' | 'name'> & Partial<Workload>;

/** What the main pane shows. `open` asks the snapshots screen to open a dialog on arrival (palette, shortcuts). */
export type View =
  | { screen: 'overview' }
  | {
      screen: 'snapshots';
      workload: WorkloadRef;
      focusSnapshotId?: string;
      open?: 'restore' | 'capture';
      /** Changes on every navigation so the same target opened twice remounts (and reopens its dialog). */
      nonce?: number;
    }
  | { screen: 'diff'; workload: WorkloadRef; snapshot: Snapshot }
  | { screen: 'all-snapshots' }
  | { screen: 'jobs' }
  | { screen: 'storage' }
  | { screen: 'settings' };

/** The top-level screens the sidebar navigates to. */
export type Screen = 'overview' | 'all-snapshots' | 'jobs' | 'storage' | 'settings';

export type Navigate = (view: View) => void;
