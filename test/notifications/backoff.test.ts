/** The retry schedule: doubling from the base, capped, half of each step random. */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/notifications/dispatcher';

describe('backoffMs', () => {
  const settings = { backoffBaseMs: 1000, backoffMaxMs: 60_000 };
  it('doubles per failed attempt, between half the step and the step', () => {
    for (const [attempt, step] of [[1, 1000], [2, 2000], [3, 4000], [4, 8000]] as const) {
      expect(backoffMs(settings, attempt, () => 0)).toBe(step / 2);
      expect(backoffMs(settings, attempt, () => 0.999999)).toBe(step);
    }
  });
  it('is capped at the maximum, however many attempts failed', () => {
    expect(backoffMs(settings, 7, () => 0.999999)).toBe(60_000);
    expect(backoffMs(settings, 1000, () => 0)).toBe(30_000);
  });
  it('spreads retries of rows that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(settings, 3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(2000);
  });
});
