// licornd's daemon (loaded by main.ts): reads the configuration, prepares the root, starts the
// HTTPS server and stops it cleanly on SIGINT/SIGTERM. Everything else lives in
// server/web/app.ts and server/core/.
import { loadConfig } from './config/load-config.ts';
import { renderConfigKeysHelp } from './config/config-keys-text.ts';
import { ConfigError } from './config/config-error.ts';
import { CoreError } from './core/errors.ts';
import { prepareSandboxRoot } from './core/demo/prepare-demo-root.ts';
import { startDemoVolumes } from './core/demo/start-demo-volumes.ts';
import { loadTls } from './web/tls/load-tls.ts';
import { describeInotifyInstall, installInotifyLimits } from './core/shares/inotify-install.ts';
import { buildApp } from './web/app.ts';
import { trimMalloc } from './native/native.ts';

// One line on stderr, then exit: what an admin reads when the daemon cannot start.
function fail(message: string): never {
  process.stderr.write(`licornd: ${message}\n`);
  process.exit(1);
}

// `licornd install [flags]`: what the machine needs once, outside the daemon (today the
// sysctl.d file of the inotify limits the shares' watcher wants), printed line by line.
async function install(argv: string[]): Promise<void> {
  const config = loadConfig({ argv });
  if (config.isRealMachine && process.getuid?.() !== 0) fail('install on root "/" needs to run as root');
  const done = await installInotifyLimits({ root: config.root, isRealMachine: config.isRealMachine });
  for (const line of describeInotifyInstall(done)) process.stdout.write(`licornd install: ${line}\n`);
}

async function main(): Promise<void> {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(renderConfigKeysHelp());
    return;
  }
  if (process.argv[2] === 'install') return install(process.argv.slice(3));
  const config = loadConfig({ argv: process.argv.slice(2) });
  if (config.isRealMachine && process.getuid?.() !== 0)
    fail('root "/" manages the real machine and needs to run as root');
  const credentials = config.isRealMachine ? null : await prepareSandboxRoot(config.root);
  const tls = await loadTls(config.tls);
  // Attached before the core starts, so that its first discovery lists them.
  const demoVolumes = await startDemoVolumes(config);
  const app = await buildApp(config, { tls, logger: { level: config.log.level } }).catch(async (error: unknown) => {
    await demoVolumes.detach();
    throw error;
  });

  // Handlers go in before the "listening" line: a supervisor (or a test) may send SIGTERM
  // the moment it reads that line, and without a handler the default action kills us.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, close sockets and wait for requests in flight (and their writes).
    const forced = setTimeout(() => fail('shutdown took longer than 10 s; exiting anyway'), 10_000);
    forced.unref();
    await app.close();
    await demoVolumes.detach();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    await app.listen({ host: config.listen, port: config.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      fail(`port ${config.port} on ${config.listen} is busy; choose another with --port or port = N`);
    if (code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.listen}: no such local address (--listen)`);
    if (code === 'EACCES')
      fail(`not allowed to listen on ${config.listen}:${config.port} (ports below 1024 need root)`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
      fail(`cannot listen on ${config.listen}: no such host name (--listen)`);
    }
    throw error;
  }
  // The local sockets (the licorn command's, get inside's): a refusal stops the start cleanly.
  const listenLocally = async () => {
    if (config.cli.socket) await app.localServer.listen(config.cli.socket);
    if (config.cli.insideSocket) await app.insideServer.listen(config.cli.insideSocket);
  };
  await listenLocally().catch(async (error: unknown) => {
    await app.close();
    await demoVolumes.detach();
    throw error;
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.listen.includes(':') ? `[${config.listen}]` : config.listen;
  // One write: a supervisor (or a test) that reads the "listening" line has the others too.
  const lines: string[] = [];
  if (tls.generated) {
    const why = tls.renewed ? ` (the previous one was replaced: ${tls.renewed})` : '';
    lines.push(`generated a self-signed certificate in ${config.tls.dir}${why}`);
  }
  if (credentials) {
    const login = `log in as "${credentials.login}" with password "${credentials.password}" (shown once)`;
    lines.push(`created the demo in ${config.root}; ${login}`);
  }
  if (demoVolumes.message) lines.push(demoVolumes.message);
  const what = config.isRealMachine ? 'this machine' : `sandbox ${config.root}`;
  lines.push(`listening on https://${host}:${port}/ (${what})`);
  if (config.cli.socket) lines.push(`local socket ${config.cli.socket}`);
  if (config.cli.insideSocket) lines.push(`get inside on ${config.cli.insideSocket}`);
  process.stdout.write(lines.map((line) => `licornd: ${line}\n`).join(''));
  // The start's garbage (bundle, configuration, first reads) freed, its pages go back.
  trimMalloc();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof CoreError) fail(error.message);
  // Still one line for what nothing above foresaw; LICORN_DEBUG=1 shows where it came from.
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? `${error.message}${code ? ` (${code})` : ''}` : String(error);
  if (process.env.LICORN_DEBUG) process.stderr.write(`${(error as Error).stack ?? error}\n`);
  fail(`cannot start: ${message.split('\n')[0]}`);
});
