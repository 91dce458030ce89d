/**
 * A second tree-shaking pass over an esbuild bundle, with rolldown, in
 * place: `index.mjs` and its source map are rewritten, the map still
 * pointing at the original sources.
 *
 * Why: the AWS SDK's generated schema modules (`dist-es/schemas/
 * schemas_0.js`, one per client) write their traits with computed keys,
 * `{ [_hH]: _xarc }`, where `_hH` is a module constant. esbuild treats a
 * computed key as a possible side effect (its `toString` could run code)
 * and so keeps every schema of the client, used or not: 550 KiB for EC2 in
 * preflight, 65 KiB for S3 in every phase that reads the plan (esbuild
 * issue 4373, aws-sdk-js-v3 issue 7607; the generator fix, literal keys,
 * is smithy-typescript pull request 1889, not released). rolldown's
 * analysis knows those constants are strings and drops the schemas nothing
 * references; the rest of the output is printed as it was (whitespace
 * removed, nothing renamed or compressed again).
 *
 * The stack runs this as a `NodejsFunction` `afterBundling` command hook
 * (`infra/constructs/phase-function.ts`): `node infra/tree-shake.ts
 * <index.mjs>`, with the Node that runs the CDK app (24, which strips the
 * types) and host paths, so bundling must stay local, as it is with the
 * project's esbuild installed (CDK falls back to Docker only without it).
 * The benchmark calls {@link treeShakeBundle} directly.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const MAP_COMMENT = /\n?\/\/# sourceMappingURL=[^\n]*\s*$/;

/** Rewrites `file` (an ESM bundle with `file.map` next to it) in place. */
export async function treeShakeBundle(file: string): Promise<void> {
  const code = readFileSync(file, 'utf8').replace(MAP_COMMENT, '\n');
  const map = readFileSync(`${file}.map`, 'utf8');
  const bundle = await rolldown({
    input: file,
    platform: 'node',
    // Everything the bundle still imports is a Node builtin.
    external: (id) => id !== file,
    treeshake: true,
    logLevel: 'warn',
    plugins: [
      {
        // esbuild's map goes in with the code, so rolldown's map leads
        // back to the original sources.
        name: 'esbuild-output',
        load: (id) => (id === file ? { code, map } : null),
      },
    ],
  });
  try {
    await bundle.write({
      file,
      format: 'esm',
      sourcemap: true,
      minify: {
        compress: false,
        mangle: false,
        codegen: { removeWhitespace: true },
      },
    });
  } finally {
    await bundle.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    throw new Error('usage: node infra/tree-shake.ts <bundle.mjs>...');
  }
  for (const file of files) await treeShakeBundle(resolve(file));
}
