import { describe, expect, it } from 'vitest';
import { activeIndex, engineKey } from './engine-picker-active';
import type { EngineCandidate } from '../../shared/contract';

const engine = (name: string, current = false): EngineCandidate => ({
  name,
  endpoint: `unix:///run/${name}.sock`,
  source: 'context',
  current,
  reachable: true,
  version: '28.0.0',
  engineId: null,
  error: null,
});

describe("the engine picker's keyboard focus", () => {
  it('starts on the engine in use, else on the first', () => {
    expect(activeIndex([engine('alpha'), engine('bravo', true)], null)).toBe(1);
    expect(activeIndex([engine('alpha'), engine('bravo')], null)).toBe(0);
    expect(activeIndex([], null)).toBe(0);
  });

  it('stays on the engine the user moved to when the list comes back in another order', () => {
    // Open on a list from before a switch to bravo, arrow to alpha; then the fresh list puts bravo,
    // now in use, first. An index kept across the refresh would point at bravo again.
    const before = [engine('alpha', true), engine('bravo'), engine('default')];
    const moved = engineKey(before[0]!);
    const after = [engine('bravo', true), engine('alpha'), engine('default')];
    expect(after[activeIndex(after, moved)]!.name).toBe('alpha');
  });

  it('falls back to the engine in use when the one moved to is no longer listed', () => {
    const rows = [engine('alpha'), engine('bravo', true)];
    expect(activeIndex(rows, engineKey(engine('gone')))).toBe(1);
  });
});
