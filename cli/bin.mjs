#!/usr/bin/env node
// Entry point of the `msk-cutover` command. The project runs on Node 24 (the
// `node` devDependency puts it first on PATH for npm scripts and npx); the CLI
// is TypeScript, loaded through tsx so there is no build step to forget.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `msk-cutover needs Node.js 24 (found ${process.version}). Run it with ` +
      '`npx msk-cutover` or an npm script from the project root, which use ' +
      'the Node 24 that `npm ci` installs.\n',
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
