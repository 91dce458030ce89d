import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { largestFunctions } from '../../support/function-size.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DIR = `${ROOT}cli/rehearsal`;
/** Above this a function is read as several things at once: split it. */
const MAX_LINES = 150;

describe('cli/rehearsal function sizes', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${DIR}/${f}`);
  const sizes = largestFunctions(files, ROOT);

  it('should measure every function of the folder', () => {
    // The measure itself: a known function is found with a plausible length.
    const linkIn = sizes.find((s) => s.name === 'linkIn');
    expect(linkIn?.lines).toBeGreaterThan(2);
    expect(linkIn?.lines).toBeLessThan(10);
    expect(sizes.length).toBeGreaterThan(100);
  });

  it(`should keep every function under ${MAX_LINES} lines`, () => {
    const over = sizes
      .filter((s) => s.lines > MAX_LINES)
      .map(
        (s) =>
          `${s.file.slice(ROOT.length)}:${s.line} ${s.name} (${s.lines} lines)`,
      );
    expect(over).toEqual([]);
  });
});
