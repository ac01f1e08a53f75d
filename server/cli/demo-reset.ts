// `npm run demo:reset`: deletes the demo sandbox and creates a fresh one, printing the new
// admin login once. Refuses the real machine and any directory that is not a demo.
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.ts';
import { createDemoRoot, demoMarkerFile } from '../core/demo/create-demo-root.ts';

function fail(message: string): never {
  process.stderr.write(`demo:reset: ${message}\n`);
  process.exit(1);
}

try {
  const config = loadConfig({ argv: process.argv.slice(2) });
  if (config.isRealMachine) fail('root is "/": the real machine is never reset');
  const exists = await access(config.root).then(
    () => true,
    () => false,
  );
  if (exists) {
    const isDemo = await access(join(config.root, demoMarkerFile)).then(
      () => true,
      () => false,
    );
    if (!isDemo) fail(`${config.root} is not a demo sandbox (no ${demoMarkerFile}); remove it yourself if you mean it`);
    await rm(config.root, { recursive: true, force: true });
  }
  const credentials = await createDemoRoot(config.root);
  process.stdout.write(
    `demo:reset: created a fresh demo in ${config.root}; ` +
      `log in as "${credentials.login}" with password "${credentials.password}" (shown once)\n`,
  );
  process.stdout.write('demo:reset: restart licornd if it is running\n');
} catch (error) {
  fail((error as Error).message);
}
