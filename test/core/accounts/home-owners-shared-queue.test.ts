import { chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Red team of issue 18's kept home owners (home-owners.ts): libuv has one inotify queue per
// process, shared by every fs.watch (the accounts' etc watch too). Its overflow drops the
// base's events while the base's own events stay few: counting only those cannot tell.

describe('a create with homes present, the inotify queue overflowed', () => {
  const box = useAccountsSandbox();
  const { create } = box;

  it('skips one re-owned in place while a queue the etc watch filled dropped its event', async () => {
    const shared = join(box.s.root, 'home/shared-flood');
    await mkdir(shared);
    const uid = await create('flood1');
    // Made while the event loop is held: the etc watch's events fill the process's one
    // inotify queue (libuv's), and the chown's IN_ATTRIB is dropped. The base's mtime does
    // not move: only the events could tell.
    const size = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    const flood = join(box.s.root, 'etc');
    for (let index = 0; index <= size; index += 1) mkdirSync(join(flood, `flood${index}`));
    chownSync(shared, uid + 1, 100);
    try {
      expect(await create('flood2')).toBe(uid + 2);
    } finally {
      for (let index = 0; index <= size; index += 1) rmSync(join(flood, `flood${index}`), { recursive: true });
    }
  });
});
