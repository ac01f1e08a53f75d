import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run, useAccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { HomeOwners } from '../../../server/core/accounts/home-owners.ts';

// Issue 18: a create lstat-ed every directory under the homes base to skip the UIDs that
// still own one (an orphan home: userdel without -r, a restored /home); with 100,000 homes
// that was 100,000 calls per create. The owners are now kept and read again only where the
// base's watch says they changed. A UID owned by an orphan home is still never handed out,
// whatever made the orphan between two creates: here shadow-utils' and coreutils' own
// commands (mkdir, chown, mv, rm), as an admin would run them.

describe('a create with homes present', () => {
  const box = useAccountsSandbox();
  const { create } = box;

  it('skips a UID whose orphan home was made outside (mkdir, chown) since the last create', async () => {
    const uid = await create('before1');
    const orphan = join(box.s.root, 'home/orphan1');
    await run('mkdir', [orphan]);
    await run('chown', [`${uid + 1}:100`, orphan]);
    expect(await create('after1')).toBe(uid + 2);
  });

  it('skips one re-owned in place (chown of an existing directory: the base does not change)', async () => {
    const shared = join(box.s.root, 'home/shared-in-place');
    await mkdir(shared);
    const uid = await create('before2');
    const base = await stat(join(box.s.root, 'home'));
    await run('chown', [`${uid + 1}:100`, shared]);
    // Nothing under the base was added or removed: only the watch tells the owner moved.
    expect((await stat(join(box.s.root, 'home'))).mtimeMs).toBe(base.mtimeMs);
    expect(await create('after2')).toBe(uid + 2);
  });

  it('skips one moved in from elsewhere, and one made by useradd -m then orphaned by userdel', async () => {
    const uid = await create('before3');
    const elsewhere = join(box.s.root, 'srv-moved');
    await mkdir(elsewhere);
    await run('chown', [`${uid + 1}:100`, elsewhere]);
    await run('mv', [elsewhere, join(box.s.root, 'home/moved-in')]);
    expect(await create('after3')).toBe(uid + 2);
    // useradd -m makes the home, userdel without -r leaves it: its UID is the orphan's.
    await run('useradd', ['--prefix', box.s.root, '-m', '-N', '-g', 'users', 'leaver']);
    await box.s.waitForEvent(
      (event) => event.name === 'account-added' && (event.data as { login?: string }).login === 'leaver',
      'leaver',
    );
    const leaver = box.s.service.getAccount('leaver')!.uid;
    await run('userdel', ['--prefix', box.s.root, 'leaver']);
    await box.s.waitForEvent(
      (event) => event.name === 'account-removed' && (event.data as { login?: string }).login === 'leaver',
      'gone',
    );
    // The files' top is below the orphan's UID again: the allocator would pick it.
    expect(await create('after4')).not.toBe(leaver);
  });
});

describe('HomeOwners', () => {
  let sandbox: Sandbox;
  let owners: HomeOwners;
  let base: string;
  beforeAll(async () => {
    sandbox = await createSandbox();
    base = join(sandbox.root, 'home');
  });
  afterEach(() => owners?.close());
  afterAll(() => sandbox?.remove());

  const made = async (name: string, uid: number) => {
    await mkdir(join(base, name));
    await run('chown', [String(uid), join(base, name)]);
  };

  it('reads the base whole once, then only what changed, and follows every kind of change', async () => {
    owners = new HomeOwners();
    await made('one', 41001);
    await owners.read(base);
    expect(owners.owns(41001)).toBe(true);
    expect(owners.wholeReads).toBe(1);
    await made('two', 41002);
    await run('chown', ['41003', join(base, 'one')]);
    await owners.read(base);
    expect([41001, 41002, 41003].map((uid) => owners.owns(uid))).toEqual([false, true, true]);
    await run('mv', [join(base, 'two'), join(base, 'deux')]);
    await run('rm', ['-r', join(base, 'one')]);
    await owners.read(base);
    expect([41002, 41003].map((uid) => owners.owns(uid))).toEqual([true, false]);
    // A file or a link owned by a UID is no home.
    await run('touch', [join(base, 'file')]);
    await run('chown', ['41004', join(base, 'file')]);
    await run('ln', ['-s', 'deux', join(base, 'link')]);
    await run('chown', ['-h', '41005', join(base, 'link')]);
    await owners.read(base);
    expect([41004, 41005].map((uid) => owners.owns(uid))).toEqual([false, false]);
    await run('rm', ['-r', join(base, 'deux'), join(base, 'file'), join(base, 'link')]);
    await owners.read(base);
    expect(owners.owns(41002)).toBe(false);
    expect(owners.wholeReads).toBe(1);
  });

  it('reads it whole again when the base is another directory, and has none when it is gone', async () => {
    owners = new HomeOwners();
    await made('kept', 41010);
    await owners.read(base);
    await rename(base, `${base}.old`);
    await owners.read(base);
    expect(owners.owns(41010)).toBe(false);
    await mkdir(base);
    await made('fresh', 41011);
    await owners.read(base);
    expect(owners.owns(41011)).toBe(true);
    // Another directory put at the path between two reads (a restored /home).
    await rename(base, `${base}.second`);
    await rename(`${base}.old`, base);
    await owners.read(base);
    expect([41010, 41011].map((uid) => owners.owns(uid))).toEqual([true, false]);
    expect(owners.wholeReads).toBe(3);
  });

  it('reads it whole again after more events than the kernel queues (the overflow libuv drops)', async () => {
    owners = new HomeOwners();
    const crowd = join(sandbox.root, 'crowd');
    await mkdir(crowd);
    await owners.read(crowd);
    // Made while the event loop is held: the kernel's queue overflows and drops the rest,
    // the last directory's creation and chown among them.
    const size = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    for (let index = 0; index <= size; index += 1) mkdirSync(join(crowd, `d${index}`));
    chownSync(join(crowd, `d${size}`), 41030, 41030);
    await owners.read(crowd);
    expect(owners.owns(41030)).toBe(true);
    expect(owners.wholeReads).toBe(2);
    await rm(crowd, { recursive: true });
  });

  it('lists the base whole at every read when not watching', async () => {
    owners = new HomeOwners({ watching: false });
    await owners.read(base);
    await run('chown', ['41020', join(base, 'kept')]);
    await owners.read(base);
    expect(owners.owns(41020)).toBe(true);
    expect(owners.wholeReads).toBe(2);
  });
});
