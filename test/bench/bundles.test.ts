/**
 * Every function, bundled with the stack's esbuild options into a directory
 * with no node_modules near it, must load in a fresh Node process: that is
 * what Lambda does with the asset. (Sizes and times are benchmark figures,
 * not asserted here.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, importMs, largestPackages } from '../../bench/bundles.ts';
import { PHASES } from '../../infra/bundling.ts';

const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it.each(PHASES)(
    'should bundle %s standalone and import it in a fresh Node',
    async (phase) => {
      const { file, metafile } = await bundle(phase, join(dir, phase));
      const code = readFileSync(file, 'utf8');
      // Error names are the ASL contract; minification must keep them
      // (every handler's shell throws ValidationError on a bad event).
      expect(code).toContain('"ValidationError"');
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map/);
      expect(importMs(file)).toBeGreaterThan(0);
      // The size report names packages with their share of the bundle.
      expect(largestPackages(metafile, 1)).toMatch(/^\S+ \d+K$/);
    },
  );

  it('should fail loudly when a bundle cannot load', () => {
    expect(() => importMs(join(dir, 'missing', 'index.mjs'))).toThrow(
      /importing .*missing\/index\.mjs failed: /,
    );
  });
});
