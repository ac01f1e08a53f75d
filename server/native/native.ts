import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { projectDir } from '../project-dir.ts';

interface LicornNative {
  crypt(phrase: string, setting: string): Promise<string>;
  gensalt(prefix: string, count?: number): string;
  tryLockFile(path: string): number;
  unlockFile(fd: number): void;
  markCloseOnExec(): void;
  pamLogin(service: string, user: string, remoteHost: string, password: string): Promise<PamResult>;
  pamAccount(service: string, user: string, remoteHost: string): Promise<PamResult>;
  pamChangePassword(
    service: string,
    user: string,
    remoteHost: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<PamResult>;
  watchBlockDevices(options: NativeBlockWatchOptions, callback: (batch: BlockChangeBatch) => void): NativeBlockWatch;
  stopBlockWatch(handle: object): void;
  getPeerCredentials(fd: number): PeerCredentials;
}

// Who connected to a Unix socket (SO_PEERCRED): the process and its user and group ids.
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

// Where the native block watcher looks; an empty or missing path is not watched.
export interface NativeBlockWatchOptions {
  devDir?: string;
  uuidDir?: string;
  mountInfo?: string;
  // Also listen to udev's own events (netlink group 2): when udev runs.
  udev?: boolean;
}

// What one wake-up of the watcher thread saw: kernel names of block devices that changed,
// whether the mount table changed, whether anything may have (events dropped, odd names).
export interface BlockChangeBatch {
  names: string[];
  mounts: boolean;
  everything: boolean;
}

// A running watcher thread: its handle for stopBlockWatch and the sources it could open
// (`uevent` or `udev`, `mountinfo`, `dev`, `by-uuid`).
export interface NativeBlockWatch {
  handle: object;
  sources: string[];
}

// What one PAM transaction answered: the step it stopped at (or ended with), PAM's result
// code by name (`success`, `auth-err`, `new-authtok-reqd`, `acct-expired`, `authtok-err`…,
// `error` for the others), and the messages PAM's modules sent, one a line.
export interface PamResult {
  step: 'start' | 'authenticate' | 'account' | 'chauthtok';
  code: string;
  messages: string;
}

const require = createRequire(import.meta.url);

// The addon built by node-gyp from licorn_native.c on `npm ci` (binding.gyp at the top).
const native = require(join(projectDir, 'build/Release/licorn_native.node')) as LicornNative;

// At most this many hashes and PAM transactions run at once on libuv's 4 worker threads; the
// rest wait here, in JavaScript. Queued in libuv instead, 1,500 hashes of an import would
// starve file reads for everyone, and a stop would wait for all of them (libuv drains its
// queue at exit); waiting here, they are simply dropped when the process exits.
const runOnWorker = pLimit(Math.max(1, Math.min(3, availableParallelism())));

// Hashes a passphrase with libxcrypt on a worker thread. `setting` is a full hash to verify
// against or a fresh setting from createHashSetting().
export function hashPassphrase(phrase: string, setting: string): Promise<string> {
  return runOnWorker(() => native.crypt(phrase, setting));
}

// Makes a random setting (salt and cost) for a method prefix such as `$y$` or `$6$`;
// count 0 lets libxcrypt choose its default cost.
export function createHashSetting(prefix: string, count = 0): string {
  return native.gensalt(prefix, count);
}

// Takes the fcntl write lock lckpwdf(3) uses on `path` without waiting: the descriptor to
// give back to releaseFileLock(), or null when another process holds it.
export function tryFileLock(path: string): number | null {
  const fd = native.tryLockFile(path);
  return fd < 0 ? null : fd;
}

// Marks every descriptor from 3 up close-on-exec (what the daemon inherited, or a library
// opened without O_CLOEXEC): run before forking a terminal's shell, which must get only 0–2.
export function markDescriptorsCloseOnExec(): void {
  native.markCloseOnExec();
}

// Releases a lock taken by tryFileLock().
export function releaseFileLock(fd: number): void {
  native.unlockFile(fd);
}

// pam_authenticate then, if it succeeded, pam_acct_mgmt for `user` of `service`, with
// PAM_RHOST set, on a worker thread. PAM's own failure delay is skipped: the caller pads.
export function runPamLogin(service: string, user: string, remoteHost: string, password: string): Promise<PamResult> {
  return runOnWorker(() => native.pamLogin(service, user, remoteHost, password));
}

// pam_acct_mgmt alone for `user` of `service` (no password asked), with PAM_RHOST set, on a
// worker thread: whether the account may use the machine now (the local socket, API tokens).
export function runPamAccount(service: string, user: string, remoteHost: string): Promise<PamResult> {
  return runOnWorker(() => native.pamAccount(service, user, remoteHost));
}

// pam_chauthtok for `user` as the account itself would run `passwd`: the current password
// checked, the minimum age and the stack's checks of the new one applied, PAM's hash written.
export function runPamPasswordChange(
  service: string,
  user: string,
  remoteHost: string,
  oldPassword: string,
  newPassword: string,
): Promise<PamResult> {
  return runOnWorker(() => native.pamChangePassword(service, user, remoteHost, oldPassword, newPassword));
}

// Starts the addon's block device and mount watcher thread (block_watch.c); `callback` gets
// one batch per wake-up on the event loop. Stop it with stopBlockWatch().
export function startBlockWatch(
  options: NativeBlockWatchOptions,
  callback: (batch: BlockChangeBatch) => void,
): NativeBlockWatch {
  return native.watchBlockDevices(options, callback);
}

// Stops a watcher thread and closes its descriptors before returning.
export function stopBlockWatch(watch: NativeBlockWatch): void {
  native.stopBlockWatch(watch.handle);
}

// The peer credentials of a connected Unix socket's descriptor, as the kernel recorded them
// at connect(2); throws (code EBADF, ENOTSOCK…) for anything else.
export function getPeerCredentials(fd: number): PeerCredentials {
  return native.getPeerCredentials(fd);
}
