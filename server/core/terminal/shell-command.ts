import { accessSync, constants, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// What a terminal runs, and as whom: the program and its arguments, the whole environment
// (nothing of the daemon's), where it starts, and what the page says about it.
export interface ShellCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  // The account the shell runs as, and a sentence for the page.
  runsAs: string;
  description: string;
  // A directory made for this shell alone (sandbox); null on the real machine.
  scratchDir: string | null;
  // Removes the scratch directory once the shell ended.
  removeScratch(): Promise<void>;
}

export interface ShellCommandOptions {
  login: string;
  // The account's shell as the managed files say (only used on the real machine, by runuser).
  isRealMachine: boolean;
  // The account's shell in the sandbox's files: used when the host has it too.
  shell: string;
}

const run = promisify(execFile);

// The environment every terminal starts with: a terminal type and a UTF-8 locale.
const baseEnv = { TERM: 'xterm-256color', LANG: 'C.UTF-8' };
const userPath = '/usr/local/bin:/usr/bin:/bin';

// The shells the host accepts (/etc/shells), read when a sandbox terminal starts.
function getHostShells(): string[] {
  try {
    return readFileSync('/etc/shells', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('/'));
  } catch {
    return [];
  }
}

// A sandbox account's shell when the host lists and has it, else /bin/sh.
function getSandboxShell(shell: string): string {
  const candidate = shell === '' ? '/bin/sh' : shell;
  if (!getHostShells().includes(candidate)) return '/bin/sh';
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return '/bin/sh';
  }
}

// The host's `nobody` account (uid and primary gid), read from the host's own /etc/passwd.
function getNobody(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('the host has no "nobody" account in /etc/passwd');
  return { uid: Number(uid), gid: Number(gid) };
}

// Builds the command of a terminal for `login`:
// - on the real machine (the daemon is root), `runuser -l <login>`: a login shell through
//   PAM's session (service runuser-l), with the account's uid, gid, supplementary groups,
//   home and shell; runuser clears the environment but for TERM, and LANG is passed on;
// - in a sandbox the accounts are not real: the shell runs as the daemon's own user when it
//   is not root, or as `nobody` (no groups, no new privileges) when it is, in a scratch
//   directory made for it.
export async function getShellCommand(options: ShellCommandOptions): Promise<ShellCommand> {
  if (options.isRealMachine) {
    return {
      file: '/usr/sbin/runuser',
      args: ['-l', '-w', 'LANG', options.login],
      env: { ...baseEnv, PATH: userPath },
      cwd: '/',
      runsAs: options.login,
      description: `a login shell of ${options.login}`,
      scratchDir: null,
      removeScratch: async () => {},
    };
  }
  const shell = getSandboxShell(options.shell);
  const scratchDir = await mkdtemp(join(tmpdir(), 'licorn-terminal-'));
  try {
    const isRoot = process.getuid?.() === 0;
    const runsAs = isRoot ? 'nobody' : userInfo().username;
    const env = { ...baseEnv, PATH: userPath, HOME: scratchDir, USER: runsAs, LOGNAME: runsAs, SHELL: shell };
    const description =
      `sandbox: the accounts are not real, so this shell runs as ${runsAs} ` +
      `(not ${options.login}) in ${scratchDir}`;
    if (!isRoot) {
      const removeScratch = () => rm(scratchDir, { recursive: true, force: true });
      return { file: shell, args: ['-l'], env, cwd: scratchDir, runsAs, description, scratchDir, removeScratch };
    }
    const nobody = getNobody();
    await chown(scratchDir, nobody.uid, nobody.gid);
    const asNobody = [`--reuid=${nobody.uid}`, `--regid=${nobody.gid}`, '--clear-groups', '--no-new-privs', '--'];
    // Removed as nobody, never as root: a process of the shell still running could swap a
    // directory inside for a symlink to /etc between root's lstat and unlink.
    const removeScratch = async () => {
      await run('/usr/bin/setpriv', [...asNobody, 'rm', '-rf', '--one-file-system', scratchDir]).catch(() => {});
    };
    const args = [...asNobody, shell, '-l'];
    return { file: '/usr/bin/setpriv', args, env, cwd: scratchDir, runsAs, description, scratchDir, removeScratch };
  } catch (error) {
    await rm(scratchDir, { recursive: true, force: true });
    throw error;
  }
}
