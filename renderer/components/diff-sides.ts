import type { Snapshot } from '../../shared/types';

/** The diff screen's shared shapes, kept apart so its parts do not import the screen back (no cycle). */

export interface SelectedFile {
  volume: string;
  path: string;
}

/** The two sides of a comparison in time order: "added" always means added over time. */
export interface DiffSides {
  /** The older side (the diff's "before"). */
  from: Snapshot;
  /** The newer side: another snapshot, or `current` (the live volumes). */
  to: Snapshot | 'current';
}

/** The older snapshot goes first, so the direction reads forward in time whichever was picked. */
export function orderSides(snapshot: Snapshot, other: Snapshot | 'current' | undefined): DiffSides {
  if (other === undefined || other === 'current') return { from: snapshot, to: 'current' };
  return other.createdAt < snapshot.createdAt ? { from: other, to: snapshot } : { from: snapshot, to: other };
}
