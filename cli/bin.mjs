#!/usr/bin/env node
// Entry point of the `msk-cutover` command. The project runs on Node 24 (the
// `node` devDependency puts it first on PATH for npm scripts and npx); the CLI
// is TypeScript, loaded through tsx so there is no build step to forget.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `msk-cutover needs Node.js 24 (found ${process.version}). Run it with ` +
      '`npx msk-cutover` or an npm script from the project root, which use ' +
      'the Node 24 that `npm ci` installs.\n',
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { terminalValue } = await import('./format/terminal-text.ts');
// The reader of our output went away (`msk-cutover rehearse | head`): stop
// quietly, with the shell's code for SIGPIPE (128 + 13), instead of a stack
// trace. Exiting runs the `exit` handlers that remove temporary files.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
}
// Last resort: a fault that escaped every command still ends with one line.
const fatal = (err) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `msk-cutover: unexpected failure: ${terminalValue(message)}\n`,
  );
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
