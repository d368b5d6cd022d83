import { describe, expect, it } from 'vitest';
import { ProgressTotal } from './progress-total';

/** A live capture streams before the Engine sizes the volumes; its progress must never name another total. */
describe('ProgressTotal', () => {
  const later = () => {
    let answer!: (bytes: number | null) => void;
    const live = new Promise<number | null>((resolve) => (answer = resolve));
    return { live, answer };
  };

  it('holds the latest report until the live figure comes, then shows it with that figure', async () => {
    const { live, answer } = later();
    const total = new ProgressTotal(live, () => 1000);
    const shown: [number, number | null][] = [];
    total.report((bytes) => shown.push([1, bytes]));
    total.report((bytes) => shown.push([2, bytes]));
    expect(shown).toEqual([]);
    answer(5_000_000);
    await total.known;
    total.report((bytes) => shown.push([3, bytes]));
    expect(shown).toEqual([
      [2, 5_000_000],
      [3, 5_000_000],
    ]);
  });

  it('falls back to the estimate when the Engine has no figure, and drops what is held once closed', async () => {
    const unknown = later();
    const estimated = new ProgressTotal(unknown.live, () => 1000);
    const shown: (number | null)[] = [];
    estimated.report((bytes) => shown.push(bytes));
    unknown.answer(null);
    await estimated.known;
    expect(shown).toEqual([1000]);

    const closing = later();
    const closed = new ProgressTotal(closing.live, () => 1000);
    closed.report((bytes) => shown.push(bytes));
    closed.close();
    closing.answer(42);
    await closed.known;
    closed.report((bytes) => shown.push(bytes));
    expect(shown).toEqual([1000]);
  });
});
