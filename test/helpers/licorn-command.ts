import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { collectOutput, type ChildEnd } from './child-output.ts';

const projectDir = join(import.meta.dirname, '../..');
// The command as shipped: the launcher, which starts dist/cli/licorn.js (built by the global setup).
export const licornBin = join(projectDir, 'bin/licorn.js');

// What a run of `licorn` did.
export type LicornResult = ChildEnd;

// Who runs the command: root (the test itself), or an account's uid and gid (setpriv, no
// supplementary groups, no capabilities), as a person logged in on the machine would.
export type RunAs = { uid: number; gid: number } | null;

// The command line that starts `licorn args` as `as`, against the daemon's socket.
export function getLicornCommand(socketPath: string, args: string[], as: RunAs = null): string[] {
  const command = [process.execPath, licornBin, '--socket', socketPath, ...args];
  if (!as) return command;
  return ['setpriv', '--reuid', String(as.uid), '--regid', String(as.gid), '--clear-groups', '--', ...command];
}

// How to run it: as whom, what on its standard input, which variables more.
export interface LicornOptions {
  as?: RunAs;
  input?: string;
  env?: Record<string, string>;
}

// Starts `licorn args` (stdin a pipe, closed unless `input` is given, so `--password-stdin` reads it).
export function startLicorn(socketPath: string, args: string[], options: LicornOptions = {}): ChildProcess {
  const [command, ...rest] = getLicornCommand(socketPath, args, options.as ?? null);
  // Without LICORN_* nor the language from the machine (but those given: the daemon answers in
  // English unless a test asks otherwise), and without a terminal: tables come plain.
  const inherited = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('LICORN_') && !['LC_ALL', 'LC_MESSAGES', 'LANG'].includes(name),
  );
  const env = { ...Object.fromEntries(inherited), ...options.env };
  const child = spawn(command!, rest, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(options.input);
  return child;
}

// Runs `licorn args` to its end.
export function runLicorn(socketPath: string, args: string[], options: LicornOptions = {}) {
  const child = startLicorn(socketPath, args, options);
  const { ended } = collectOutput(child);
  return new Promise<LicornResult>((resolve, reject) => {
    child.on('error', reject);
    void ended.then(resolve);
  });
}
