import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { primeAccounts } from '../../helpers/open-accounts-once.ts';

// Red team (twelfth session): a create killed after appending passwd, on an ext4 disk that
// comes back under another device number (as after a reboot: sdX order, dm-N minors, btrfs
// and overlay anonymous devices). The recovery knows the files by name and content.
const run = promisify(execFile);
const child = join(import.meta.dirname, '../../helpers/append-create-child.ts');
const files = ['passwd', 'shadow', 'subuid', 'subgid'];
const skip = shouldSkipLoopTests();

let s: Sandbox;
const loops = new LoopDevices();
beforeAll(async () => {
  s = await createSandbox();
  // A first transaction makes what stays for good (etc/licorn/, the journal, the lock file).
  await primeAccounts(s.root);
}, 60_000);
afterAll(async () => {
  await loops.cleanUp(s.dir);
  await s.remove();
});

const read = (root: string) => Promise.all(files.map((name) => readFile(join(root, 'etc', name))));

it.skipIf(skip)(
  'the same disk mounted from another loop device after a torn create: undone',
  async () => {
    const image = join(s.dir, 'disk.img');
    const mountPoint = join(s.dir, 'mnt');
    await createImage(image, 'ext4');
    await mkdir(mountPoint);
    const first = await loops.attach(image);
    await run('mount', [`/dev/${first}`, mountPoint]);
    const root = join(mountPoint, 'root');
    await cp(s.root, root, { recursive: true });
    const before = await read(root);
    const killed = spawn(process.execPath, ['--import', 'tsx', child, root, 'account', 'ann'], {
      env: { ...process.env, LICORN_TEST_KILL_AT: 'appended passwd' },
      stdio: 'ignore',
    });
    expect(await new Promise((resolve) => killed.once('exit', (_code, signal) => resolve(signal)))).toBe('SIGKILL');
    const devBefore = (await stat(join(root, 'etc', 'passwd'))).dev;
    expect((await read(root))[0]!.equals(before[0]!), 'passwd torn before the reboot').toBe(false);
    // Written to the image before the umount, which may leave the filesystem mounted: a mount
    // namespace another test makes meanwhile (`unshare -m`: private-etc, real-machine) holds a
    // copy of this mount, unflushed, and the second device then read the image without the
    // lock files' contents (busy for 15 s in two CI runs).
    await run('sync', ['--file-system', mountPoint]);
    await run('umount', [mountPoint]);
    // The first stays attached: the same image comes back under another number.
    const second = await loops.attach(image);
    await run('mount', [`/dev/${second}`, mountPoint]);
    expect((await stat(join(root, 'etc', 'passwd'))).dev).not.toBe(devBefore);
    await (await AccountsService.open({ root, events: new EventBus() })).close();
    const after = await read(root);
    files.forEach((name, index) => {
      expect(after[index]!.equals(before[index]!), `${name} all before`).toBe(true);
    });
    await run('umount', [mountPoint]);
  },
  120_000,
);
