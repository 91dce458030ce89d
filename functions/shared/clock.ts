/**
 * The wall clock. Cores never call `new Date()` themselves: they take a
 * `Clock`, so the rehearsal can run them on a virtual clock.
 */
import type { Clock } from './ports.ts';

export const systemClock: Clock = {
  now: () => new Date(),
};
