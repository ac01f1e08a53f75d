import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { pamServiceFile } from '../../server/core/auth/pam-service-file.ts';
import { startLicornd, type LicorndProcess } from './licornd-process.ts';
import { runSu } from './su-through-pty.ts';

const projectDir = join(import.meta.dirname, '../..');

// The machine files a real-machine test could touch; the host's must never change.
export const watchedEtcFiles = [
  'passwd',
  'shadow',
  'group',
  'gshadow',
  'subuid',
  'subgid',
  'login.defs',
  'pam.d/licorn',
  'shells',
  '.pwd.lock',
  'passwd-',
  'shadow-',
  'group-',
  'gshadow-',
];

// The namespace's mounts: the /etc copy over /etc, tmpfs /home and /var (where licornd keeps
// its sessions, audit log and status history), and the project and node bound inside the temp
// dir first, so that a clone under /home (or node from nvm) stays reachable. Each must be
// private (a mount here never shows on the host), checked before saying ready. The holder
// then waits for its stdin to close: the namespace lives as long as it, or a process in it.
const holderScript = `set -eu
dir=$1; project=$2; node=$3
mount --bind "$project" "$dir/project"
mount --bind "$node" "$dir/node"
mount --bind "$dir/etc" /etc
mount -t tmpfs -o mode=0755 licorn-test-home /home
mount -t tmpfs -o mode=0755 licorn-test-var /var
mkdir -p /var/lib/licorn /var/log/licorn /var/mail /var/tmp
chmod 1777 /var/tmp
for target in /etc /home /var "$dir/project"; do
  propagation=$(findmnt -no PROPAGATION --mountpoint "$target")
  [ "$propagation" = private ] || { echo "mount $target is $propagation, not private" >&2; exit 1; }
done
echo ready
exec cat >/dev/null`;

// What a command run in the namespace gave.
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// An HTTPS client of the daemon: a cookie jar and the session's CSRF token.
export interface WebClient {
  cookie: string;
  csrf: string;
}

// licornd --root / in a private mount namespace, with the peers a test needs.
export interface RealMachine {
  dir: string;
  url: string;
  daemon: LicorndProcess;
  // Runs a command inside the namespace (bounded: SIGKILL after `timeoutMs`).
  run(command: string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  // A file of the namespace's /etc (the copy), as the peers see it.
  readEtc(file: string): Promise<string>;
  // What `getent passwd|group|shadow <key>` answers inside, or null.
  getent(database: string, key: string): Promise<string | null>;
  // `su <login> -c 'echo su-ok'` run by an unprivileged user through a pty, typing
  // `password` when asked; whether the shell ran, and what the terminal showed.
  su(login: string, password: string): Promise<{ ok: boolean; prompted: boolean; output: string }>;
  // A long-running process started as `login` inside the namespace (setpriv resolves the name
  // through the namespace's /etc), killed by `stop` if still there.
  startAs(login: string, command: string[]): ChildProcess;
  stop(): Promise<void>;
}

// The admin account every real machine has, with its password.
export const realAdmin = { login: 'rmadmin', password: 'Real-machine-1234' };

// What a test file may change of its real machine: licornd's failure delay (seconds, 0.2
// unless said), and TOML lines added to its configuration.
export interface RealMachineOptions {
  failDelay?: number;
  config?: string;
}

// Starts the namespace and licornd --root / in it, with an admin (`rmadmin` in `admins`).
// Everything started is torn down if a step fails.
export async function startRealMachine(options: RealMachineOptions = {}): Promise<RealMachine> {
  await removeStaleDirs();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-real-'));
  const children: ChildProcess[] = [];
  let holder: ChildProcess | null = null;
  let daemon: LicorndProcess | null = null;
  const stop = async () => {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGTERM');
      const timer = setTimeout(() => daemon!.child.kill('SIGKILL'), 5000);
      await daemon.exited();
      clearTimeout(timer);
    }
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const gone = new Promise((resolve) => holder!.once('exit', resolve));
      holder.stdin!.end();
      const timer = setTimeout(() => holder!.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await cp('/etc', join(dir, 'etc'), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    await writeFile(join(dir, 'etc/pam.d/licorn'), pamServiceFile);
    await rm(join(dir, 'etc/licorn'), { recursive: true, force: true });
    await mkdir(join(dir, 'project'));
    await writeFile(join(dir, 'node'), '');
    holder = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        '--',
        'unshare',
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        holderScript,
        'sh',
        dir,
        projectDir,
        process.execPath,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    await waitForReady(holder);
    await writeFile(join(dir, 'holder.pid'), `${holder.pid}\n`);
    const nsenter = ['nsenter', `--mount=/proc/${holder.pid}/ns/mnt`, '--'];
    const run: RealMachine['run'] = (command, options = {}) => runBounded([...nsenter, ...command], options, children);
    const check = async (command: string[], input?: string) => {
      const result = await run(command, { input });
      if (result.code !== 0) throw new Error(`${command.join(' ')} exited ${result.code}: ${result.stderr}`);
    };
    await check(['groupadd', 'admins']);
    await check(['useradd', '-m', '-G', 'admins', '-s', '/bin/sh', realAdmin.login]);
    await check(['chpasswd'], `${realAdmin.login}:${realAdmin.password}\n`);
    await writeFile(
      join(dir, 'licorn.conf'),
      `auth.fail_delay = ${options.failDelay ?? 0.2}\n${options.config ?? ''}\n`,
    );
    const args = ['--root', '/', '--config', join(dir, 'licorn.conf'), '--tls-dir', join(dir, 'certs'), '--port', '0'];
    // The local socket in the test's directory: /run is the host's, shared with other runs.
    args.push('--cli-socket', join(dir, 'licornd.sock'), '--cli-inside-socket', join(dir, 'inside.sock'));
    daemon = startLicornd(args, {
      command: [...nsenter, 'setpriv', '--pdeathsig', 'KILL', '--', join(dir, 'node')],
      cwd: join(dir, 'project'),
    });
    const url = await withDeadline(daemon.listening(), 30_000, 'licornd --root / did not listen');
    return {
      dir,
      url,
      daemon,
      run,
      stop,
      readEtc: async (file) => (await run(['cat', `/etc/${file}`])).stdout,
      getent: async (database, key) => {
        const result = await run(['getent', database, key]);
        return result.code === 0 ? result.stdout.trim() : null;
      },
      su: (login, password) => runSu(nsenter, children, login, password),
      startAs: (login, command) => {
        const who = ['--reuid', login, '--regid', login, '--init-groups', '--pdeathsig', 'KILL', '--'];
        const child = spawn(nsenter[0]!, [...nsenter.slice(1), 'setpriv', ...who, ...command], { stdio: 'ignore' });
        children.push(child);
        return child;
      },
    };
  } catch (error) {
    const output = daemon ? `\nlicornd said: ${daemon.output()}` : '';
    await stop();
    throw new Error(`${(error as Error).message}${output}`, { cause: error });
  }
}

// Removes the temp dirs (copies of /etc, shadow included) of runs killed before their
// teardown: those whose namespace holder is gone. A run being set up has no pid file yet.
async function removeStaleDirs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith('licorn-real-')) continue;
    const pid = Number(await readFile(join(tmpdir(), name, 'holder.pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(pid) && !existsSync(`/proc/${pid}`))
      await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

// Resolves once the namespace holder says ready; rejects with its stderr if it exits first.
function waitForReady(holder: ChildProcess): Promise<void> {
  let stderr = '';
  holder.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  return withDeadline(
    new Promise((resolve, reject) => {
      holder.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      holder.on('exit', (code) =>
        reject(new Error(`the mount namespace could not be set up (exit ${code}): ${stderr}`)),
      );
    }),
    15_000,
    'the mount namespace did not get ready',
  );
}

// Runs a command with a deadline, feeding it `input`; never rejects.
function runBounded(
  command: string[],
  options: { input?: string; timeoutMs?: number },
  children: ChildProcess[],
): Promise<RunResult> {
  return new Promise((resolve) => {
    const settings = {
      timeout: options.timeoutMs ?? 15_000,
      killSignal: 'SIGKILL' as const,
      encoding: 'utf8' as const,
    };
    const child = execFile(command[0]!, command.slice(1), settings, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
    children.push(child);
    // A command that does not read its input (or died) is not an error here.
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  });
}

// `promise`, or a rejection after `ms`.
function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// A digest of each watched host /etc file ("absent" when it does not exist).
export async function getHostEtcDigests(): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const file of watchedEtcFiles) {
    digests[file] = await readFile(join('/etc', file)).then(
      (bytes) => createHash('sha256').update(bytes).digest('hex'),
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'absent' : `unreadable ${error.code}`),
    );
  }
  return digests;
}

// The host's mounts that come from a real-machine test (its temp dir, or its tmpfs names):
// there must never be any.
export async function getLeakedMounts(): Promise<string[]> {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  const marks = ['licorn-real-', 'licorn-test-home', 'licorn-test-var'];
  return lines.filter((line) => marks.some((mark) => line.includes(mark)));
}

// Vitest hooks for a test file on the real machine: one namespace and daemon for the file;
// after each test, the host's /etc is byte-identical to before and no mount leaked.
export function useRealMachine(options: RealMachineOptions = {}): { machine: RealMachine } {
  const state = { machine: undefined as unknown as RealMachine };
  let hostEtc: Record<string, string>;
  const checkHost = async () => {
    expect(await getHostEtcDigests(), 'the host /etc changed').toEqual(hostEtc);
    expect(await getLeakedMounts(), 'a mount leaked to the host').toEqual([]);
  };
  beforeAll(async () => {
    hostEtc = await getHostEtcDigests();
    state.machine = await startRealMachine(options);
    await checkHost();
  });
  afterEach(checkHost);
  afterAll(async () => {
    await state.machine?.stop();
    await checkHost();
  });
  return state;
}
