import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { say, type CoreMessage } from '../messages.ts';

// What a terminal runs, and as whom: the program and its arguments, the whole environment
// (nothing of the daemon's), where it starts, and what the page says about it.
export interface ShellCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  // The account the shell runs as, and a sentence for the page (in its reader's language).
  runsAs: string;
  description: CoreMessage;
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
  // The account's uid in the sandbox's files: picks its host uid (getSandboxUid).
  uid: number;
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

// Host uids of sandbox accounts' terminals (daemon as root): 0x7ffe0000 + the low 16 bits
// of the account's sandbox uid. Listed in no passwd, owning nothing on the host but the
// terminals' scratch directories; each account has its own, so one account's shell cannot
// signal, trace or read another's, nor write in its directory.
export const sandboxUidBase = 0x7ffe0000;

// The host uid a sandbox account's terminals run as; throws if the host's passwd or group
// lists it (the range is then not free on this host).
export function getSandboxUid(sandboxUid: number): number {
  const uid = sandboxUidBase + (sandboxUid & 0xffff);
  for (const file of ['/etc/passwd', '/etc/group']) {
    const taken = readFileSync(file, 'utf8')
      .split('\n')
      .some((line) => line.split(':')[2] === String(uid));
    if (taken) throw new Error(`uid ${uid} for sandbox terminals is taken in the host's ${file}`);
  }
  return uid;
}

// A new process of the sandbox's shells runs in its own pid namespace (and a /proc that
// shows only it): when its first process (the shell) ends, the kernel kills everything it
// started, setsid() and double forks included; unshare's own end (SIGHUP from
// the pty, the daemon's SIGKILL) kills the shell first (--kill-child).
const ownPidNamespace = ['/usr/bin/unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '--'];

// Builds the command of a terminal for `login`:
// - on the real machine (the daemon is root), `runuser -l <login>`: a login shell through
//   PAM's session (service runuser-l), with the account's uid, gid, supplementary groups,
//   home and shell; runuser clears the environment but for TERM, and LANG is passed on; in a
//   pid namespace of its own (ownPidNamespace), so what it started (setsid, nohup, tmux)
//   ends with it, as no logind may be there to do it;
// - in a sandbox the accounts are not real: the shell runs as the daemon's own user when it
//   is not root, or as the account's own host uid (getSandboxUid: no groups, no new
//   privileges) in a pid namespace of its own when it is, in a scratch directory made for it.
export async function getShellCommand(options: ShellCommandOptions): Promise<ShellCommand> {
  if (options.isRealMachine) {
    return {
      file: ownPidNamespace[0]!,
      args: [...ownPidNamespace.slice(1), '/usr/sbin/runuser', '-l', '-w', 'LANG', options.login],
      env: { ...baseEnv, PATH: userPath },
      cwd: '/',
      runsAs: options.login,
      description: say('terminals.loginShell', { login: options.login }),
      scratchDir: null,
      removeScratch: async () => {},
    };
  }
  const shell = getSandboxShell(options.shell);
  const scratchDir = await mkdtemp(join(tmpdir(), 'licorn-terminal-'));
  try {
    if (process.getuid?.() !== 0) {
      const runsAs = userInfo().username;
      const env = { ...baseEnv, PATH: userPath, HOME: scratchDir, USER: runsAs, LOGNAME: runsAs, SHELL: shell };
      const description = say('terminals.sandboxAsDaemon', { runsAs, login: options.login, dir: scratchDir });
      const removeScratch = () => rm(scratchDir, { recursive: true, force: true });
      return { file: shell, args: ['-l'], env, cwd: scratchDir, runsAs, description, scratchDir, removeScratch };
    }
    const uid = getSandboxUid(options.uid);
    // The scratch directory's parent stays root's (0711): the shell's home inside is made,
    // 0700 and the terminal's uid's, before anything of that uid runs.
    await chmod(scratchDir, 0o711);
    const home = join(scratchDir, 'home');
    await mkdir(home, { mode: 0o700 });
    await chown(home, uid, uid);
    const asUid = [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--'];
    // Emptied as that uid, never as root: a process of the shell still running could swap a
    // directory inside for a symlink to /etc between root's lstat and unlink. With PATH alone:
    // a process of the same uid may read this one's environment.
    const removeScratch = async () => {
      const emptyArgs = [...asUid, 'find', home, '-xdev', '-mindepth', '1', '-delete'];
      await run('/usr/bin/setpriv', emptyArgs, { env: { PATH: userPath } }).catch(() => {});
      // Root removes only the emptied home (which that uid cannot swap: its parent is root's)
      // and the parent, never recursing where that uid may write.
      await rmdir(home).catch(() => {});
      await rmdir(scratchDir).catch(() => {});
    };
    const args = [...ownPidNamespace.slice(1), '/usr/bin/setpriv', ...asUid, shell, '-l'];
    const runsAs = `uid ${uid}`;
    // The uid as digits, never as a count ("100 000" in French).
    const description = say('terminals.sandboxAsUid', { uid: String(uid), login: options.login, dir: home });
    const env = { ...baseEnv, PATH: userPath, HOME: home, USER: options.login, LOGNAME: options.login, SHELL: shell };
    return { file: ownPidNamespace[0]!, args, env, cwd: home, runsAs, description, scratchDir: home, removeScratch };
  } catch (error) {
    await rm(scratchDir, { recursive: true, force: true });
    throw error;
  }
}
