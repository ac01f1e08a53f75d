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
  tuneMalloc(mmapThreshold: number): boolean;
  trimMalloc(): boolean;
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
  findHolderPids(
    procDir: string,
    major: number,
    minor: number,
    mountIds: number[],
    pids: number[] | null,
  ): Promise<number[]>;
  readDevices(requests: [DeviceReadOp, string][], callback: (index: number, answer: object | null) => void): object;
  abandonDeviceReads(handle: object): void;
  readSysfsBlocks(names?: string[]): Promise<SysfsBlockEntry[]>;
  getPeerCredentials(fd: number): PeerCredentials;
  startShareWatch(callback: (batch: ShareWatchBatch) => void): object;
  setShareRule(handle: object, rule: ShareRule, repair: boolean): void;
  removeShare(handle: object, id: number): void;
  cancelShareRepair(handle: object, id: number): void;
  setShareWatchBudget(handle: object, max: number): void;
  getShareWatchFigures(handle: object): ShareWatchFigures;
  stopShareWatch(handle: object): void;
}

// What a device read does: libblkid's probe of a device, statfs(2) of a mount point, stat(2).
export type DeviceReadOp = 'probe' | 'statfs' | 'stat';

// One device's libblkid values, raw bytes by libblkid's names (TYPE, USAGE, LABEL,
// LABEL_FATBOOT, UUID, PART_ENTRY_UUID, PART_ENTRY_NAME); only those found are present.
export type ProbeAnswer = Partial<Record<string, Buffer>>;
// statfs(2)'s counts of a mounted filesystem, in blocks of blockSize bytes.
export interface StatfsAnswer {
  blocks: number;
  free: number;
  available: number;
  blockSize: number;
}
// stat(2) of a file: "major:minor" when it is a block device node, its mtime ("sec.nsec").
export interface StatAnswer {
  rdev?: string;
  mtime: string;
}

// One entry of /sys/class/block as read (null: the file is absent); `link` is the entry's target.
export interface SysfsBlockEntry {
  name: string;
  link: string | null;
  dev: string | null;
  size: string | null;
  partition: string | null;
  ro: string | null;
  removable: string | null;
  diskseq: string | null;
  backingFile: string | null;
  holders: string[];
  slaves: string[];
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

// glibc's malloc as the daemon sets it at start, for many TLS connections (bench/README.md,
// fourteenth session): mmap threshold 64 KiB. Node's TLS layer reads each connection into a
// 64 KiB buffer (libuv's suggested read size) that it keeps for the connection's life and
// fills a few hundred bytes of. Taken from the heap, such a buffer reused after other
// connections closed is resident whole; mmapped, only its touched pages are, and it goes back
// at close. (glibc's default threshold starts at 128 KiB and rises as large blocks are freed.)
// Set by licornd's entry (server/malloc-start.ts) before the daemon's bundle loads.
export const mallocSettings = { mmapThreshold: 64 * 1024 };

// Applies mallocSettings; false where glibc refused them (or is not the C library).
export function tuneMalloc(): boolean {
  return native.tuneMalloc(mallocSettings.mmapThreshold);
}

// Gives the system back every page malloc holds free (malloc_trim(0)): what the daemon's start
// allocated and freed (reading and compiling the bundle, the configuration, the TLS material)
// stays resident otherwise, in holes glibc does not return by itself. Whether any was.
export function trimMalloc(): boolean {
  return native.trimMalloc();
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

// The PIDs (of `pids`, else of every process) whose open files, current or root directory or
// mapped files lie on the filesystem `major:minor` or one of its mounts (`mountIds`, at most
// 64), found on a worker thread without asking the filesystem anything (holder_scan.c).
export function findHolderPids(
  major: number,
  minor: number,
  mountIds: readonly number[],
  pids: readonly number[] | null = null,
): Promise<number[]> {
  return native.findHolderPids('/proc', major, minor, [...mountIds].slice(0, 64), pids ? [...pids] : null);
}

// Starts a thread that runs `requests` one after another (device_reads.c): `onAnswer` gets each
// answer (null: failed, nothing found) by index, then -1 when the thread ends. Abandon it with
// abandonDeviceReads(): it stops after the request it is on (perhaps never, on a hung device).
export function startDeviceReads(
  requests: [DeviceReadOp, string][],
  onAnswer: (index: number, answer: object | null) => void,
): object {
  return native.readDevices(requests, onAnswer);
}

// Gives up on a thread started by startDeviceReads(): it no longer keeps the process alive.
export function abandonDeviceReads(handle: object): void {
  native.abandonDeviceReads(handle);
}

// The entries of /sys/class/block (those named, or all), read in one call on a libuv worker thread.
export function readSysfsBlocks(names?: string[]): Promise<SysfsBlockEntry[]> {
  return native.readSysfsBlocks(names);
}

// The peer credentials of a connected Unix socket's descriptor, as the kernel recorded them
// at connect(2); throws (code EBADF, ENOTSOCK…) for anything else.
export function getPeerCredentials(fd: number): PeerCredentials {
  return native.getPeerCredentials(fd);
}

// One POSIX ACL entry as the kernel stores it (posix_acl_xattr_entry); `id` for user/group.
export interface AclEntry {
  tag: 'user-obj' | 'user' | 'group-obj' | 'group' | 'mask' | 'other';
  perm: number; // 0..7 (r=4, w=2, x=1)
  id?: number;
}

// What everything inside one share must carry (REFERENCE.md "Groups and roles").
export interface ShareRule {
  id: number; // the core's key for this share (stable while it is watched)
  path: string; // absolute path of the share's directory
  directoryAcl: AclEntry[]; // system.posix_acl_access of directories (the share included)
  directoryDefaultAcl: AclEntry[]; // system.posix_acl_default of directories
  fileAcl: AclEntry[]; // regular files whose owner has no x bit
  executableFileAcl: AclEntry[]; // regular files whose owner has the x bit (kept)
  sticky: boolean; // directories get the sticky bit (a share that is not permissive)
}

// What the watcher thread reports, at most every 50 ms (one callback on the event loop).
export interface ShareWatchBatch {
  // Walks and repairs in progress or finished since the last batch, per share.
  progress: { id: number; scanned: number; fixed: number; done: boolean; cancelled: boolean }[];
  fixed: number; // entries corrected because of events since the last batch
  overflows: number; // IN_Q_OVERFLOW seen since the last batch (each rescans the shares)
  errors: { id: number; path: string; message: string }[]; // at most 100 per batch
  // Shares whose own directory's ACL or mode was changed by someone else (root: an admin's
  // `setfacl`): not put back by the watcher; the core decides (shares-service.ts).
  rootsChanged: number[];
  // Shares whose own directory was moved, removed or unwatched: the core looks at the path
  // again (a directory restored there is given the rule again; red team F7).
  rootsMoved: number[];
}

// The watcher's figures for the daemon's status. `queued`: events waiting in the kernel's
// queue (its byte count over 32, an event with a short name).
export interface ShareWatchFigures {
  watches: number;
  queued: number;
  overflows: number;
  fixed: number;
  scanning: number;
  budget: number; // the most directories watched (shares.max_watches; 0: none)
  refused: number; // directories refused a watch by the budget since start
}

// A running share watcher (share_watch.c): one inotify instance and its thread.
export interface ShareWatch {
  readonly handle: object;
}

// Starts the share watcher thread; `callback` gets its batches on the event loop. It does
// not keep the process alive; stop it with stopShareWatch().
export function startShareWatch(callback: (batch: ShareWatchBatch) => void): ShareWatch {
  return { handle: native.startShareWatch(callback) };
}

// Adds or updates a share: every directory is watched (a walk on the thread, reported through
// `progress`); with `repair`, every entry is also corrected to the rule during the walk (a
// permissive switch, a share repair, a repair resumed after a restart: idempotent).
export function setShareRule(watch: ShareWatch, rule: ShareRule, options: { repair: boolean }): void {
  native.setShareRule(watch.handle, rule, options.repair);
}

// Unwatches a share's tree (nothing in it is changed).
export function removeShare(watch: ShareWatch, id: number): void {
  native.removeShare(watch.handle, id);
}

// Sets the most directories the watcher watches (0: no budget); those watched already stay.
export function setShareWatchBudget(watch: ShareWatch, max: number): void {
  native.setShareWatchBudget(watch.handle, max);
}

// Stops correcting during a share's walk; the walk goes on watching only.
export function cancelShareRepair(watch: ShareWatch, id: number): void {
  native.cancelShareRepair(watch.handle, id);
}

// The watcher's figures now.
export function getShareWatchFigures(watch: ShareWatch): ShareWatchFigures {
  return native.getShareWatchFigures(watch.handle);
}

// Joins the watcher thread and closes its descriptors before returning.
export function stopShareWatch(watch: ShareWatch): void {
  native.stopShareWatch(watch.handle);
}
