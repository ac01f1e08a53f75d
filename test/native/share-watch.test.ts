import { chmod, chown, link, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  getShareWatchFigures,
  setShareRule,
  type ShareWatch,
  type ShareWatchBatch,
} from '../../server/native/native.ts';
import { createTestShare, findWrongAcls, readAcls, run, runAs, type TestShare } from '../helpers/share-acl-check.ts';
import { describeShareWatch, isWalkDone, useShareWatch } from '../helpers/share-watch.ts';
import { waitUntil, waitUntilAsync } from '../helpers/wait-until.ts';

// The native share watcher on the real filesystem of the temporary directory, with real
// ACLs (checked with getfacl against entries given the same rule by setfacl), acting as a
// member of the shares' group with setpriv. Needs root (setpriv, chown, other UIDs).

const member = { uid: 61100, gid: 61001 };
const alphaGids = { group: 61001, responsibles: 61002, guests: 61003, admins: 61000 };
const betaGids = { group: 61011, responsibles: 61012, guests: 61013, admins: 61000 };

const sw = useShareWatch('licorn-sharewatch-');
let outside: string;
let alpha: TestShare;
let beta: TestShare;
let watch: ShareWatch;
const batches: ShareWatchBatch[] = [];

const wrongIn = (share: TestShare, path: string, recursive = true) => findWrongAcls(share, path, recursive);
// Waits until everything under `path` has the share's rule (a deadline, no fixed sleep).
async function waitForRule(share: TestShare, path: string, recursive = true, timeoutMs = 10_000): Promise<void> {
  let wrong: string[] = [];
  await waitUntilAsync(
    async () => (wrong = await wrongIn(share, path, recursive)).length === 0,
    `the share's rule on ${path}`,
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; still wrong: ${wrong.slice(0, 5).join('; ')}`);
  });
}
// Waits until the walk of share `id` has reported itself done since batch `from`.
const isWalkDoneSince = (id: number, from = 0) => isWalkDone(batches.slice(from), id);
// A file created after `what` and corrected: the watcher has handled the events before it.
async function waitForEventsHandled(share: TestShare): Promise<void> {
  const sentinel = join(share.rule.path, `sentinel-${Date.now()}-${Math.random()}`);
  await runAs(member, `umask 077; : > '${sentinel}'`);
  await waitForRule(share, sentinel, false);
}
describeShareWatch('share watch', () => {
  beforeAll(async () => {
    outside = join(sw.dir, 'outside');
    await mkdir(outside);
    await chown(outside, member.uid, member.gid);
    alpha = await createTestShare(1, join(sw.dir, 'shares/alpha'), alphaGids, false, sw.dir);
    beta = await createTestShare(2, join(sw.dir, 'shares/beta'), betaGids, true, sw.dir);
    await chmod(join(sw.dir, 'shares'), 0o755);
    // What was there before the watcher: corrected by the first walk (repair).
    await mkdir(join(alpha.rule.path, 'old/deeper'), { recursive: true });
    await writeFile(join(alpha.rule.path, 'old/deeper/private'), 'x', { mode: 0o600 });
    // A member's file: root's own files get the rule only when made inside the share (F1).
    await chown(join(alpha.rule.path, 'old/deeper/private'), member.uid, member.gid);
    ({ watch } = sw.start(batches));
    setShareRule(watch, alpha.rule, { repair: true });
    setShareRule(watch, beta.rule, { repair: true });
    await waitUntil(() => isWalkDoneSince(1) && isWalkDoneSince(2), 'the first walks');
  });

  it('corrects what was in a share when its repair walk runs, and reports it', async () => {
    expect(await wrongIn(alpha, alpha.rule.path)).toEqual([]);
    expect(await wrongIn(beta, beta.rule.path)).toEqual([]);
    const done = batches.flatMap((batch) => batch.progress).find((item) => item.id === 1 && item.done)!;
    expect(done).toMatchObject({ scanned: 3, cancelled: false });
    expect(done.fixed).toBeGreaterThanOrEqual(4);
    expect(getShareWatchFigures(watch).watches).toBe(4);
  });

  it('gives a file created inside a share the rule, and keeps an executable one executable', async () => {
    await runAs(
      member,
      `umask 077; : > '${alpha.rule.path}/created'; : > '${alpha.rule.path}/run'; chmod 700 '${alpha.rule.path}/run'`,
    );
    await waitForRule(alpha, join(alpha.rule.path, 'created'), false);
    await waitForRule(alpha, join(alpha.rule.path, 'run'), false);
    expect((await stat(join(alpha.rule.path, 'run'))).mode & 0o100).toBe(0o100);
  });

  it('corrects a file moved in from outside, a chmod 600 and a setfacl -b by its owner', async () => {
    await runAs(member, `umask 077; : > '${outside}/moved'; mv '${outside}/moved' '${alpha.rule.path}/moved'`);
    await waitForRule(alpha, join(alpha.rule.path, 'moved'), false);
    await runAs(member, `chmod 600 '${alpha.rule.path}/moved'`);
    await waitForRule(alpha, join(alpha.rule.path, 'moved'), false);
    await runAs(member, `setfacl -b '${alpha.rule.path}/moved'`);
    await waitForRule(alpha, join(alpha.rule.path, 'moved'), false);
    expect((await readAcls(join(alpha.rule.path, 'moved'), false)).size).toBe(1);
  });

  it('gives every entry of a 1,000-entry tree copied in with cp -r the rule', async () => {
    const tree = join(outside, 'tree');
    const script = [
      'umask 077',
      `for d in $(seq 1 100); do mkdir -p '${tree}'/d$d/sub`,
      `for f in $(seq 1 8); do : > '${tree}'/d$d/sub/f$f; done; done`,
      `cp -r '${tree}' '${alpha.rule.path}/tree'`,
    ].join('; ');
    await runAs(member, script);
    const { stdout } = await run('find', [join(alpha.rule.path, 'tree')]);
    expect(stdout.trim().split('\n')).toHaveLength(1001);
    await waitForRule(alpha, join(alpha.rule.path, 'tree'));
  });

  it("gives a directory or a file renamed across shares the other share's rule", async () => {
    await mkdir(join(alpha.rule.path, 'crossing/inner'), { recursive: true });
    await writeFile(join(alpha.rule.path, 'crossing/inner/file'), 'x');
    await writeFile(join(alpha.rule.path, 'lone'), 'x');
    // Members' files: root's own file moved from alpha keeps alpha's entries and is refused in beta.
    for (const file of ['crossing/inner/file', 'lone'])
      await chown(join(alpha.rule.path, file), member.uid, member.gid);
    await waitForRule(alpha, join(alpha.rule.path, 'crossing'));
    await waitForRule(alpha, join(alpha.rule.path, 'lone'), false);
    await run('mv', [join(alpha.rule.path, 'crossing'), join(beta.rule.path, 'crossing')]);
    await run('mv', [join(alpha.rule.path, 'lone'), join(beta.rule.path, 'lone')]);
    await waitForRule(beta, join(beta.rule.path, 'crossing'));
    await waitForRule(beta, join(beta.rule.path, 'lone'), false);
    // Still watched, now as beta's: what is made in it gets beta's rule.
    await writeFile(join(beta.rule.path, 'crossing/inner/later'), 'x', { mode: 0o600 });
    await waitForRule(beta, join(beta.rule.path, 'crossing/inner/later'), false);
  });

  // The targets live in the test's own directory, never /etc: a regression must not change
  // the machine's files (a root-owned 0600 file plays /etc/shadow).
  it("never follows a symlink, and leaves FIFOs and hard links to root's files alone", async () => {
    const target = join(outside, 'target');
    await writeFile(target, 'secret', { mode: 0o600 });
    await chown(target, member.uid, member.gid);
    const rootFile = join(sw.dir, 'root-file');
    await writeFile(rootFile, 'root', { mode: 0o600 });
    const shadow = join(sw.dir, 'shadow');
    await writeFile(shadow, 'root:*:1::::::\n', { mode: 0o640 });
    const getState = async () =>
      Promise.all(
        [target, rootFile, shadow].map(async (path) => [(await stat(path)).mode, await readAcls(path, false)]),
      );
    const was = await getState();
    await runAs(
      member,
      `ln -s '${target}' '${alpha.rule.path}/to-target'; ln -s '${shadow}' '${alpha.rule.path}/to-shadow'`,
    );
    await runAs(member, `mkfifo -m 600 '${alpha.rule.path}/fifo'`);
    await link(rootFile, join(alpha.rule.path, 'root-link'));
    await runAs(member, `chmod 600 '${alpha.rule.path}/fifo'; touch -h '${alpha.rule.path}/to-target'`);
    await waitForEventsHandled(alpha);
    expect(await getState()).toEqual(was);
    // The FIFO keeps what the kernel gave it (the default ACL masked by mode 600), not the
    // rule's (whose mask would have made it 660).
    expect((await stat(join(alpha.rule.path, 'fifo'))).mode & 0o7777).toBe(0o600);
    expect([...(await readAcls(join(alpha.rule.path, 'fifo'), false)).values()][0]).toContain('mask::---');
  });

  // Red team F1: a member moved root's 0600 file out of their home into a share, and the
  // watcher made it readable to the group. F5: a hard link from another share took this
  // share's ACL (the other share's members lost their file, this share's read it).
  it("never gives the rule to root's file moved in, nor to a file with another link", async () => {
    const secret = join(outside, 'root-secret');
    await writeFile(secret, 'ROOT SECRET', { mode: 0o600 });
    const before = await readAcls(secret, false);
    await runAs(member, `mv '${secret}' '${alpha.rule.path}/loot'`);
    const betaFile = join(beta.rule.path, 'beta-file');
    await writeFile(betaFile, 'beta', { mode: 0o600 });
    await chown(betaFile, member.uid, member.gid);
    await waitForRule(beta, betaFile, false);
    const betaAcl = await readAcls(betaFile, false);
    await link(betaFile, join(alpha.rule.path, 'stolen-link'));
    await waitForEventsHandled(alpha);
    expect((await stat(join(alpha.rule.path, 'loot'))).mode & 0o7777).toBe(0o600);
    expect([...(await readAcls(join(alpha.rule.path, 'loot'), false)).values()]).toEqual([...before.values()]);
    expect([...(await readAcls(betaFile, false)).values()]).toEqual([...betaAcl.values()]);
    // Said in a batch (at most every 50 ms), maybe after the sentinel's fix.
    const refusedPaths = () =>
      batches
        .flatMap((batch) => batch.errors)
        .filter((error) => error.message.includes('not given'))
        .map((error) => error.path);
    await waitUntil(
      () => ['loot', 'stolen-link'].every((name) => refusedPaths().includes(join(alpha.rule.path, name))),
      'both refusals said',
    );
  });

  // Red team F10: a member's write lease on her file made the watcher's open fail
  // (EWOULDBLOCK), and it never tried again. The fix opens nothing for I/O (O_PATH).
  it('corrects a file its owner holds a write lease on, while the lease is held', async () => {
    const leased = join(alpha.rule.path, 'leased');
    await runAs(member, `: > '${leased}'`);
    await waitForRule(alpha, leased, false);
    const script = [
      'import fcntl, os, sys, time',
      `p = ${JSON.stringify(leased)}`,
      'fd = os.open(p, os.O_RDONLY)',
      'fcntl.fcntl(fd, 1024, fcntl.F_WRLCK)',
      'os.chmod(p, 0o600)',
      'end = time.time() + 5',
      'while time.time() < end and os.stat(p).st_mode & 0o070 == 0: time.sleep(0.01)',
      'print("corrected" if os.stat(p).st_mode & 0o070 else "wrong")',
    ].join('\n');
    const who = ['--reuid', String(member.uid), '--regid', String(member.gid), '--clear-groups'];
    const { stdout } = await run('setpriv', [...who, '--', '/usr/bin/python3', '-c', script]);
    expect(stdout.trim()).toBe('corrected');
    await waitForRule(alpha, leased, false);
  });

  it('never loops on its own changes: one fix per new file, none for a touch', async () => {
    await waitForEventsHandled(alpha);
    const fixed = getShareWatchFigures(watch).fixed;
    await runAs(member, `touch '${alpha.rule.path}/created'`);
    await waitForEventsHandled(alpha);
    // The sentinel's own fix, and nothing else however long we wait for the next one.
    expect(getShareWatchFigures(watch).fixed).toBe(fixed + 1);
    await waitForEventsHandled(alpha);
    expect(getShareWatchFigures(watch).fixed).toBe(fixed + 2);
  });

  it('unwatches a directory moved out of the shares', async () => {
    await mkdir(join(alpha.rule.path, 'leaving/a/b'), { recursive: true });
    await waitForRule(alpha, join(alpha.rule.path, 'leaving'));
    await waitUntil(() => getShareWatchFigures(watch).watches > 3, 'the new directories watched');
    const watches = getShareWatchFigures(watch).watches;
    await run('mv', [join(alpha.rule.path, 'leaving'), join(outside, 'left')]);
    await waitUntil(() => getShareWatchFigures(watch).watches === watches - 3, 'three watches fewer');
    await writeFile(join(outside, 'left/a/b/after'), 'x', { mode: 0o600 });
    await waitForEventsHandled(alpha);
    expect(await wrongIn(alpha, join(outside, 'left/a/b/after'), false)).toHaveLength(1);
  });
});
