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
import { bundle, importMs } from '../../bench/bundles.ts';
import { bundlingFor, PHASES } from '../../infra/bundling.ts';

const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it.each(PHASES)(
    'should bundle %s standalone and import it in a fresh Node',
    async (phase) => {
      const file = await bundle(phase, join(dir, phase));
      const code = readFileSync(file, 'utf8');
      // Error names are the ASL contract; minification must not rename them.
      expect(bundlingFor(phase).keepNames).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map/);
      expect(importMs(file)).toBeGreaterThan(0);
    },
  );

  it('should fail loudly when a bundle cannot load', () => {
    expect(() => importMs(join(dir, 'missing', 'index.mjs'))).toThrow(
      /importing .*missing\/index\.mjs failed: /,
    );
  });
});
