import { chmod, lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSharesSandbox, openTestShares } from '../../helpers/test-shares.ts';
import type { CoreEvent } from '../../../server/core/events/event-bus.ts';
import { SharesService } from '../../../server/core/shares/shares-service.ts';
import { startNativeShareWatcher } from '../../../server/core/shares/native-share-watcher.ts';
import { getRepairsJournalPath, writeRepairsJournal } from '../../../server/core/shares/share-repairs-journal.ts';
import type { ShareWatchBatch, StartShareWatcher } from '../../../server/core/shares/share-watcher.ts';

// The shares service over a sandbox, with the real native watcher (real files, real ACLs):
// links with membership, repairs in the background (progress, cancel, resume from the
// journal), the watcher told of renames and deletions, the inotify limits.
let s: AccountsSandbox;
let shares: SharesService;
const warnings: string[] = [];
// What the service asked of the watcher (the real one does it too).
const calls: { call: string; id: number; path?: string; repair?: boolean }[] = [];
// The last watcher's callback, for a test to hand the service a batch of its own.
let deliver: (batch: ShareWatchBatch) => void = () => {};
const recordingWatcher: StartShareWatcher = (callback) => {
  deliver = callback;
  const watcher = startNativeShareWatcher(callback);
  return {
    ...watcher,
    setShareRule(rule, options) {
      calls.push({ call: 'set', id: rule.id, path: rule.path, repair: options.repair });
      watcher.setShareRule(rule, options);
    },
    removeShare(id) {
      calls.push({ call: 'remove', id });
      watcher.removeShare(id);
    },
  };
};
const openShares = () =>
  openTestShares(s, {
    startWatcher: recordingWatcher,
    // A tiny fake threshold: two watches allowed.
    readLimits: async () => ({ maxUserWatches: 2, maxQueuedEvents: 16384 }),
    // Not a budget of 3/4 of those two watches.
    maxWatches: 1_000_000,
    warn: (message) => warnings.push(message),
  });

beforeAll(async () => {
  s = await createSharesSandbox();
  shares = await openShares();
});
afterAll(async () => {
  await shares.close();
  await s.remove();
});

const home = (login: string) => join(s.root, 'home', login);
const share = (name: string) => join(s.root, 'home/groups', name);
const gid = (name: string) => s.service.getGroup(name)!.gid;
const acl = async (path: string) =>
  (await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', path])).stdout;
// The ACL of every entry of a tree (21,000 files: a big output).
const treeAcl = async (path: string) =>
  (
    await run('getfacl', ['-R', '--numeric', '--omit-header', '--absolute-names', path], {
      maxBuffer: 1 << 28,
    })
  ).stdout;
const progressOf = (name: string, since: number) =>
  s.events
    .slice(since)
    .filter((event) => event.name === 'group-share-progress' && (event.data as { name: string }).name === name)
    .map((event) => (event as CoreEvent<'group-share-progress'>).data);
const waitForEnd = (name: string, since: number) =>
  s.waitForEvent(
    (event) =>
      s.events.indexOf(event) >= since &&
      event.name === 'group-share-progress' &&
      (event.data as { name: string }).name === name &&
      ((event.data as { done: boolean }).done || (event.data as { cancelled: boolean }).cancelled),
    `the end of ${name}'s repair`,
    60_000,
  );
// A tree of `dirs` directories of `files` files each, made by root in a share.
const makeTree = (path: string, prefix: string, dirs: number, files: number) =>
  run('sh', [
    '-c',
    `cd "$1" && for d in $(seq ${dirs}); do mkdir ${prefix}$d && (cd ${prefix}$d && touch $(seq ${files})); done`,
    'sh',
    path,
  ]);
// Waits for what the watcher's thread does (no event says it), looking again every 10 ms
// until a deadline.
async function waitFor(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the shares service', () => {
  it('warns once, at start, that the inotify limits are too low, with the sysctl.d line', async () => {
    await waitFor(() => shares.limitsWarning !== null, 'the limits checked');
    expect(shares.limitsWarning).toMatch(/\/etc\/sysctl\.d\/60-licorn\.conf: fs\.inotify\.max_user_watches = \d+/);
    expect(warnings.filter((warning) => warning.includes('sysctl.d'))).toHaveLength(1);
    expect(shares.getFigures().watches).toBeGreaterThan(0);
  });

  it('gave existing members their ~/G at start, and the watcher every share', async () => {
    expect(await readlink(join(home('dnguyen'), 'developers'))).toBe(share('developers'));
    expect(calls).toContainEqual({ call: 'set', id: gid('developers'), path: share('developers'), repair: false });
  });

  // Red team F2: the link was chowned by name after it was made; a member swapping the name
  // for a hard link in between got another's file. The link now stays root's (no chown).
  it("makes ~/G for a member added (root's), removes it when they leave, leaves a taken name alone", async () => {
    await s.service.createGroup({ name: 'linkcrew' });
    await s.service.setRole('linkcrew', 'dnguyen', 'member');
    await shares.settle();
    const link = join(home('dnguyen'), 'linkcrew');
    expect(await readlink(link)).toBe(share('linkcrew'));
    expect((await lstat(link)).uid).toBe(process.getuid!());
    // Reading through it, as the member.
    expect((await lstat(`${link}/`)).isDirectory()).toBe(true);

    await s.service.setRole('linkcrew', 'dnguyen', 'none');
    await shares.settle();
    expect(await lstat(link).catch(() => null)).toBeNull();

    await writeFile(join(home('hpetit'), 'linkcrew'), 'my notes\n');
    await s.service.setRole('linkcrew', 'hpetit', 'guest');
    await s.service.setRole('linkcrew', 'hpetit', 'responsible');
    await shares.settle();
    expect(await readFile(join(home('hpetit'), 'linkcrew'), 'utf8')).toBe('my notes\n');
    expect(warnings.filter((warning) => warning.includes('~hpetit/linkcrew is already taken'))).toHaveLength(1);
    await s.service.setRole('linkcrew', 'hpetit', 'none');
    await shares.settle();
    expect(await readFile(join(home('hpetit'), 'linkcrew'), 'utf8')).toBe('my notes\n');
  });

  it('follows a group renamed (watcher and links) and deleted (unwatched, links removed)', async () => {
    await s.service.setRole('linkcrew', 'dnguyen', 'guest');
    await s.service.renameGroup('linkcrew', 'linkteam');
    await shares.settle();
    const id = gid('linkteam');
    expect(calls.filter((call) => call.id === id).at(-1)).toMatchObject({ call: 'set', path: share('linkteam') });
    expect(await lstat(join(home('dnguyen'), 'linkcrew')).catch(() => null)).toBeNull();
    expect(await readlink(join(home('dnguyen'), 'linkteam'))).toBe(share('linkteam'));
    // The watcher holds the new path: a chmod 600 inside is put back to the rule.
    const file = join(share('linkteam'), 'after-rename');
    await writeFile(file, 'x');
    await chmod(file, 0o600);
    await waitFor(async () => (await acl(file)).includes(`group:${id}:r--`), 'the chmod corrected');

    await s.service.deleteGroup('linkteam');
    await shares.settle();
    expect(calls.at(-1)).toEqual({ call: 'remove', id });
    expect(await lstat(join(home('dnguyen'), 'linkteam')).catch(() => null)).toBeNull();
  });

  it('repairs the whole tree in the background after a permissive switch, with progress', async () => {
    await s.service.createGroup({ name: 'repcrew' });
    await makeTree(share('repcrew'), 'd', 20, 50);
    await writeFile(join(share('repcrew'), 'd1/tool.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const since = s.events.length;
    await s.service.setPermissive('repcrew', true);
    const end = (await waitForEnd('repcrew', since)).data as { done: boolean; scanned: number; fixed: number };
    expect(end.done).toBe(true);
    expect(end.scanned).toBeGreaterThanOrEqual(1021);
    expect(end.fixed).toBeGreaterThanOrEqual(1021);
    expect(progressOf('repcrew', since)[0]).toMatchObject({ scanned: 0, fixed: 0, done: false });
    const g = gid('repcrew');
    expect(await acl(join(share('repcrew'), 'd20/50'))).toContain(`group:${g}:rw-`);
    expect(await acl(join(share('repcrew'), 'd1/tool.sh'))).toContain(`group:${g}:rwx`);
    expect(await acl(join(share('repcrew'), 'd7'))).toContain(`default:group:${g}:rwx`);
    expect((await run('stat', ['-c', '%a', join(share('repcrew'), 'd7')])).stdout.trim()).toBe('2770');
    expect(await s.service.getPermissive('repcrew')).toBe(true);
    // The journal's writes are in order; the last one forgets the repair.
    await shares.settle();
    expect(await readFile(getRepairsJournalPath(s.root), 'utf8')).not.toContain(`"gid": ${g}`);
  });

  it('stops a repair cancelled: the rest keeps its old rights, the journal forgets it', async () => {
    await makeTree(share('repcrew'), 'e', 100, 100);
    const since = s.events.length;
    await s.service.setPermissive('repcrew', false);
    await shares.cancelRepair('repcrew');
    const end = (await waitForEnd('repcrew', since)).data as { cancelled: boolean; fixed: number };
    expect(end.cancelled).toBe(true);
    expect(end.fixed).toBeLessThan(11_000);
    expect(shares.getRepair('repcrew')).toBeNull();
    const stdout = await treeAcl(share('repcrew'));
    expect(stdout).toContain(`group:${gid('repcrew')}:rw-`);
    expect(await readFile(getRepairsJournalPath(s.root), 'utf8')).not.toContain(`"gid": ${gid('repcrew')}`);
    await expect(shares.cancelRepair('repcrew')).rejects.toMatchObject({ code: 'not-found', field: 'name' });
  });

  it('resumes after a restart the repair its journal holds', async () => {
    await shares.close();
    const g = gid('repcrew');
    // As a stop mid-repair leaves it: the journal names the share, the tree is half done.
    await writeRepairsJournal(getRepairsJournalPath(s.root), [{ gid: g, name: 'repcrew' }]);
    const since = s.events.length;
    shares = await openShares();
    const end = (await waitForEnd('repcrew', since)).data as { done: boolean };
    expect(end.done).toBe(true);
    const stdout = await treeAcl(share('repcrew'));
    expect(stdout).not.toContain(`group:${g}:rw-`);
    expect(stdout).toContain(`group:${g}:r--`);
    await shares.settle();
    expect(JSON.parse(await readFile(getRepairsJournalPath(s.root), 'utf8'))).toEqual({ repairs: [] });
  });

  // Licorn keeps no permissive flag but the share's default ACL: an admin's `setfacl -d` on
  // the share makes the group permissive (before: the watcher put the ACL back at once).
  it("follows a share's default ACL made permissive by hand: the group is permissive, the tree repaired", async () => {
    const watches = shares.getFigures().watches;
    await s.service.createGroup({ name: 'handcrew' });
    await shares.settle();
    // The watcher's thread holds the new share once its directory is watched and walked: a file made before
    // keeps what it inherited (a share's first walk only watches).
    await waitFor(async () => shares.getFigures().watches > watches && shares.getFigures().scanning === 0, 'watched');
    const g = gid('handcrew');
    await writeFile(join(share('handcrew'), 'notes'), 'x');
    await waitFor(async () => (await acl(join(share('handcrew'), 'notes'))).includes(`group:${g}:r--`), 'the rule');
    expect(await s.service.getPermissive('handcrew')).toBe(false);
    const since = s.events.length;
    await run('setfacl', ['-d', '-m', `g:${g}:rwx`, share('handcrew')]);
    await waitFor(async () => (await s.service.getPermissive('handcrew')) === true, 'the group made permissive');
    await waitForEnd('handcrew', since);
    expect(await acl(share('handcrew'))).toContain(`default:group:${g}:rwx`);
    expect(await acl(join(share('handcrew'), 'notes'))).toContain(`group:${g}:rw-`);
    expect(s.events.slice(since).some((event) => event.name === 'group-changed')).toBe(true);
    expect(warnings.some((warning) => warning.includes('changed by hand to a permissive one'))).toBe(true);
  });

  it("puts back a hand change of a share's own ACL that is not Licorn's permissive switch", async () => {
    const g = gid('handcrew');
    const before = await acl(share('handcrew'));
    await run('setfacl', ['-d', '-m', 'u:65534:rwx', share('handcrew')]);
    await waitFor(async () => !(await acl(share('handcrew'))).includes('default:user:65534'), 'the ACL put back');
    expect(await acl(share('handcrew'))).toBe(before);
    expect(await s.service.getPermissive('handcrew')).toBe(true);
    await run('setfacl', ['-b', share('handcrew')]);
    await waitFor(async () => (await acl(share('handcrew'))) === before, 'the ACL put back after setfacl -b');
    expect(before).toContain(`default:group:${g}:rwx`);
  });

  it("clears a share's error once a walk of it ends clean, and counts the shares in error", async () => {
    const g = gid('handcrew');
    const batch = (fields: Partial<ShareWatchBatch>): ShareWatchBatch => ({
      progress: [],
      fixed: 0,
      overflows: 0,
      errors: [],
      rootsChanged: [],
      rootsMoved: [],
      ...fields,
    });
    const error = { id: g, path: share('handcrew'), message: 'cannot watch: No space left on device' };
    const walk = (done: boolean) => ({ id: g, scanned: 1, fixed: 0, done, cancelled: false });
    deliver(batch({ errors: [error] }));
    expect(shares.getFigures().erred).toBe(1);
    // A walk first reported with the error is not proof: it may have begun before it.
    deliver(batch({ errors: [error], progress: [walk(false)] }));
    deliver(batch({ progress: [walk(true)] }));
    expect(shares.getFigures().erred).toBe(1);
    deliver(batch({ progress: [walk(false)] }));
    deliver(batch({ progress: [walk(true)] }));
    expect(shares.getFigures().erred).toBe(0);
    expect(warnings.filter((warning) => warning.includes('handcrew" is watched without errors again'))).toHaveLength(1);
    // Said again once it errs again.
    deliver(batch({ errors: [error] }));
    expect(warnings.filter((warning) => warning.includes('No space left on device'))).toHaveLength(2);
    expect(shares.getFigures().erred).toBe(1);
  });

  it('closes cleanly while the inotify limits are still being read (a short-lived core)', async () => {
    let answer: (limits: { maxUserWatches: number; maxQueuedEvents: number }) => void = () => {};
    const limitsRead = new Promise<{ maxUserWatches: number; maxQueuedEvents: number }>((resolve) => {
      answer = resolve;
    });
    let asked = false;
    const shortLived = await openTestShares(s, {
      readLimits: () => {
        asked = true;
        return limitsRead;
      },
      warn: (message) => warnings.push(message),
    });
    await waitFor(() => asked, 'the limits asked');
    await shortLived.close();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      answer({ maxUserWatches: 2, maxQueuedEvents: 16384 });
      // Two turns of the event loop: the check resumed and settled, or rejected.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(shortLived.limitsWarning).toBeNull();
  });
});
