/**
 * Every function, bundled with the stack's esbuild options into a directory
 * with no node_modules near it, must load in a fresh Node process: that is
 * what Lambda does with the asset. (Sizes and times are benchmark figures,
 * not asserted here.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, importMs, largestPackages } from '../../bench/bundles.ts';
import { PHASES } from '../../infra/bundling.ts';

const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it.each(PHASES)(
    'should bundle %s standalone, without what it does not use, and import it',
    async (phase) => {
      const { file, metafile } = await bundle(phase, join(dir, phase));
      const code = readFileSync(file, 'utf8');
      // Error names are the ASL contract; minification must keep them
      // (every handler's shell throws ValidationError on a bad event). The
      // second tree-shaking pass prints strings in backquotes.
      expect(code).toMatch(/["'`]ValidationError["'`]/);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map/);
      // Mappings only: Node parses the map at every cold start.
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
      expect(map.mappings.length).toBeGreaterThan(0);
      expect(map.sourcesContent).toBeUndefined();
      expect(importMs(file)).toBeGreaterThan(0);
      // The size report names packages with their share of the bundle.
      expect(largestPackages(file, 1)).toMatch(/^\S+ \d+K$/);
      // What reaches the output; `metafile.inputs` also lists what esbuild
      // read and then shook out.
      const inputs = Object.values(metafile.outputs).flatMap((o) =>
        Object.entries(o.inputs)
          .filter(([, i]) => i.bytesInOutput > 0)
          .map(([path]) => path),
      );
      // A named `import { z } from 'zod'` anywhere brings every locale back.
      // English is zod's default and always there.
      expect(
        inputs.filter((p) => /zod\/v4\/locales\/(?!en\.js)/.test(p)),
      ).toEqual([]);
      // The functions' schemas are zod/mini (functions/shared/domain/zod.ts):
      // classic zod's methods are all kept once anything imports it.
      expect(inputs.filter((p) => p.includes('/zod/v4/classic/'))).toEqual([]);
      // Only preflight reads subnets and security groups.
      expect(inputs.some((p) => p.includes('@aws-sdk/client-ec2/'))).toBe(
        phase === 'preflight',
      );
      // The probe needs the Kafka Admin client, not the schema registry.
      expect(inputs.filter((p) => /node_modules\/avsc\//.test(p))).toEqual([]);
    },
  );

  it('should build the runtime-SDK alternative that loads where only the SDK resolves', async () => {
    const out = join(dir, 'runtime-sdk');
    const { file, metafile } = await bundle('record-failure', out, 'runtime');
    const external = Object.values(metafile.inputs)
      .flatMap((i) => i.imports)
      .filter((i) => i.external && !/^(node:|<)/.test(i.path))
      .map((i) => i.path.split('/')[0]);
    expect(external).toContain('@aws-sdk');
    expect(
      external.filter((scope) => scope !== '@aws-sdk' && scope !== '@smithy'),
    ).toEqual([]);
    // bundle() links what Lambda's runtime provides, and nothing else.
    expect(readdirSync(join(out, 'node_modules')).sort()).toEqual([
      '@aws-sdk',
      '@smithy',
    ]);
    expect(importMs(file)).toBeGreaterThan(0);
  });

  it('should fail loudly when a bundle cannot load', () => {
    expect(() => importMs(join(dir, 'missing', 'index.mjs'))).toThrow(
      /importing .*missing\/index\.mjs failed: /,
    );
  });
});
