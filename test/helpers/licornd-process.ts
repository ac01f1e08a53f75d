import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { collectOutput, type ChildEnd } from './child-output.ts';

const projectDir = join(import.meta.dirname, '../..');

// A licornd started as its own process, as `npm start` runs it.
export interface LicorndProcess {
  child: ChildProcess;
  output(): string;
  // Resolves with the URL once it listens; rejects with its output if it exits first.
  listening(): Promise<string>;
  exited(): Promise<ChildEnd>;
}

const running = new Set<ChildProcess>();

// Starts licornd as shipped (dist/server/main.js, built by the global setup) with `args`,
// without the machine's LICORN_* variables. `command` runs node another way (in a mount
// namespace: real-machine.ts), from the project seen at `cwd`. The demo's loop devices are
// off unless `demoVolumes` (a daemon a failed test kills with SIGKILL would leave them).
export function startLicornd(
  args: string[],
  options: { command?: string[]; cwd?: string; demoVolumes?: boolean } = {},
): LicorndProcess {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LICORN_')));
  const [command, ...prefix] = options.command ?? [process.execPath];
  const cwd = options.cwd ?? projectDir;
  const child = spawn(command!, [...prefix, join(cwd, 'dist/server/main.js'), ...args], {
    cwd,
    env: { ...env, LICORN_LOG_LEVEL: 'warn', LICORN_DEMO_VOLUMES: String(options.demoVolumes ?? false) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const output = collectOutput(child, 'exit');
  return {
    child,
    output: output.stdout,
    exited: () => output.ended,
    listening: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = /listening on (https:\/\/\S+?)\/? /.exec(output.stdout());
          if (match) resolve(match[1]!);
        };
        child.stdout!.on('data', check);
        check();
        void output.ended.then(({ code, stderr, stdout }) =>
          reject(new Error(`licornd exited ${code}: ${stderr}${stdout}`)),
        );
      }),
  };
}

// Kills every licornd a test started and did not stop (a failed test must not leave one).
export function killAllLicornd(): void {
  for (const child of running) child.kill('SIGKILL');
}

// A temp directory per test file for licornd started as shipped: `base()` is the flags of a
// sandboxed daemon there (empty config, demo root, certificates, port 0); every daemon the
// file started is killed and the directory removed after it.
export function useLicorndDirectory(prefix: string): { dir(): string; base(): string[] } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    await writeFile(join(dir, 'empty.conf'), '');
  });
  afterAll(async () => {
    killAllLicornd();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    base: () => [
      ...['--config', join(dir, 'empty.conf'), '--root', join(dir, 'demo')],
      ...['--tls-dir', join(dir, 'certs'), '--port', '0'],
    ],
  };
}
