#!/usr/bin/env node
// The `licorn` command: starts the bundle `npm run build` makes (dist/cli/licorn.js), which
// starts faster than the TypeScript sources would.
let cli;
try {
  cli = await import('../dist/cli/licorn.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(`licorn: ${new URL('../dist/cli/licorn.js', import.meta.url).pathname} is missing: run npm run build\n`);
  process.exit(2);
}
process.exitCode = await cli.runLicorn(process.argv);
