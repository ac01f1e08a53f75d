import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { createImage, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { useVolumesCore } from './volumes-fixture.ts';

const run = promisify(execFile);

// End to end: changes made by outside tools (as in an admin's shell), never through the core
// and with no refresh() called, reach the bus as volume events through the service's watcher.
describe.skipIf(shouldSkipLoopTests()).sequential('volumes follow outside changes', () => {
  const context = useVolumesCore();
  // Whether the event was emitted since the test began (a loopN detached is soon reused).
  let since = 0;
  const hasEvent = (name: string, data: Record<string, unknown>) => () =>
    context.fixture.events
      .slice(since)
      .some(
        (event) =>
          event.name === name && Object.entries(data).every(([key, value]) => event.data[key as never] === value),
      );

  // Whether the core said since then that `name` now reads another backing file: `losetup -f`
  // hands a freed number straight on, and other files attach loops in parallel, so the core's
  // last reading may have found that number serving another file's loop (then it changes, not
  // adds or removes; 3 failures in 9 runs beside a loop attached and detached in turn).
  const hasNewLoopFile = (name: string) =>
    context.fixture.events.slice(since).some((event) => {
      const data = event.data as { name?: string; fields?: string[] };
      return event.name === 'volume-changed' && data.name === name && Boolean(data.fields?.includes('loopFile'));
    });
  // The core reads `name` as `file`'s loop, and said so: added, or changed from another file's.
  const isAnnounced = (name: string, file: string) => () =>
    context.core.volumes.get(name)?.loopFile === file && (hasEvent('volume-added', { name })() || hasNewLoopFile(name));
  // The core no longer reads `name` as `file`'s loop, and said so: removed, or changed to another's.
  const isGone = (name: string, file: string) => () =>
    context.core.volumes.get(name)?.loopFile !== file &&
    (hasEvent('volume-removed', { name })() || hasNewLoopFile(name));

  beforeEach(() => {
    since = context.fixture.events.length;
  });

  it('a loop device attached by losetup is added, detached is removed', async () => {
    const file = await createImage(join(context.fixture.images, 'plugged.img'), 'ext4', ['-L', 'Plugged']);
    const name = await context.fixture.loops.attach(file);
    await waitUntil(isAnnounced(name, file), `${name} added as ${file}`);
    expect(context.core.volumes.get(name)).toMatchObject({ fsType: 'ext4', label: 'Plugged', loopFile: file });
    // Events from here on: the same name's removal may already be in the list (another test's
    // loop device of that name, detached as this one was attached, when files run in parallel).
    since = context.fixture.events.length;
    await run('losetup', ['-d', `/dev/${name}`]);
    await waitUntil(isGone(name, file), `${name} removed`);
  });

  it('a filesystem made by mkfs on an attached device shows its type and label', async () => {
    const file = join(context.fixture.images, 'blank.img');
    await writeFile(file, '');
    await truncate(file, 16 * 1024 * 1024);
    const name = await context.fixture.loops.attach(file);
    await waitUntil(isAnnounced(name, file), `${name} added as ${file}`);
    expect(context.core.volumes.get(name)).toMatchObject({ fsType: null, state: 'no-filesystem' });
    await run('mkfs.ext4', ['-q', '-F', '-L', 'Fresh', `/dev/${name}`]);
    await waitUntil(() => context.core.volumes.get(name)?.label === 'Fresh', `label Fresh on ${name}`);
    expect(context.core.volumes.get(name)).toMatchObject({ fsType: 'ext4', state: 'unmounted' });
    expect(hasEvent('volume-changed', { name })()).toBe(true);
  });

  it('a mount and an umount in a shell are volume-mounted and volume-unmounted', async () => {
    const file = await createImage(join(context.fixture.images, 'shell.img'), 'ext4');
    const name = await context.fixture.loops.attach(file);
    await waitUntil(isAnnounced(name, file), `${name} added as ${file}`);
    const target = join(context.fixture.sandbox.dir, 'shell-mount');
    await mkdir(target);
    await run('mount', [`/dev/${name}`, target]);
    await waitUntil(hasEvent('volume-mounted', { name, mountPoint: target }), `volume-mounted for ${name}`);
    expect(context.core.volumes.get(name)).toMatchObject({ state: 'mounted', mountPoint: target });
    await run('umount', [target]);
    await waitUntil(hasEvent('volume-unmounted', { name, mountPoint: target }), `volume-unmounted for ${name}`);
    expect(context.core.volumes.get(name)).toMatchObject({ state: 'unmounted', mountPoint: null });
  });

  it("a core's watcher thread runs while it is open and stops when it closes", async () => {
    const before = countWatchThreads();
    const other = await context.fixture.openCore();
    expect(countWatchThreads()).toBe(before + 1);
    await other.close();
    expect(countWatchThreads()).toBe(before);
  });
});

// This process's block watcher threads (block_watch.c names them).
function countWatchThreads(): number {
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'licorn-blkwatch';
    } catch {
      return false;
    }
  }).length;
}
