import type { EngineCandidate } from '../../shared/contract';

/** An engine's identity in the picker's list: its name and where it is reached. */
export function engineKey(engine: Pick<EngineCandidate, 'name' | 'endpoint'>): string {
  return `${engine.name}\n${engine.endpoint}`;
}

/**
 * The option the picker's keyboard focus is on: the engine the user moved to (`chosenKey`), wherever
 * a refreshed list puts it, else the engine in use, else the first. The list can be asked again while
 * it is open (opened after a switch it shows the list from before, then the fresh one; the host's
 * `engine:changed` refreshes every list) and its order follows which engine is in use: an index kept
 * across that would land on another engine under the user's hand.
 */
export function activeIndex(rows: EngineCandidate[], chosenKey: string | null): number {
  const chosen = chosenKey === null ? -1 : rows.findIndex((engine) => engineKey(engine) === chosenKey);
  if (chosen >= 0) return chosen;
  return Math.max(
    0,
    rows.findIndex((engine) => engine.current),
  );
}
