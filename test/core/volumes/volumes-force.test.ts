import { execFile, spawn } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../server/core/errors.ts';
import { quoted, say } from '../../../server/core/messages.ts';
import { createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { useVolumesCore } from './volumes-fixture.ts';

const actor = { login: 'admin', address: '127.0.0.1' };

// The kernel's options of the mount at `mountPoint` (per-mount and superblock ones).
async function getKernelFlags(mountPoint: string): Promise<Set<string>> {
  const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === mountPoint);
  if (!line) throw new Error(`${mountPoint} is not in mountinfo`);
  const fields = line.split(' ');
  return new Set([...fields[5]!.split(','), ...fields.at(-1)!.split(',')]);
}

async function getAudit(file: string): Promise<Record<string, string>[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The red team's findings on forced unmounts, eject, mount options, rights and floods.
describe.skipIf(shouldSkipLoopTests()).sequential('volumes: force, eject and rights (red team)', () => {
  const context = useVolumesCore();

  async function attachNew(label: string): Promise<string> {
    const name = await context.fixture.loops.attach(
      await createImage(join(context.fixture.images, `${label}.img`), 'ext4', ['-L', label]),
    );
    await context.core.volumes.refresh({ name });
    return name;
  }

  it('M5: mounts a loop device nosuid,nodev (a setuid program on an image gives no root)', async () => {
    const name = await attachNew('Suid');
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    const flags = await getKernelFlags(mountPoint!);
    expect(flags).toContain('nosuid');
    expect(flags).toContain('nodev');
    await context.core.volumes.unmount(name, actor);
  });

  it('M3: force ends a holder that ignores SIGTERM with SIGKILL, and says so', async () => {
    const name = await attachNew('Stubborn');
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    const script = 'trap "" TERM; exec 3>data; while sleep .2; do echo x >&3; done';
    const holder = spawn('bash', ['-c', script], { cwd: mountPoint!, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      holder.once('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await waitUntil(() => holder.pid !== undefined, 'the holder to start');
      const volume = await context.core.volumes.unmount(name, actor, { force: true });
      expect(volume.state).toBe('unmounted');
      // Ended by SIGKILL (a zombie until this process reaps it: its exit, not kill(pid, 0)).
      expect(await exited).toBe('SIGKILL');
      const done = (await getAudit(context.fixture.auditFile))
        .filter((e) => e.action === 'volume-force-unmount')
        .at(-1)!;
      expect(done).toMatchObject({ outcome: 'done', target: name });
      expect(done.detail).toContain(`SIGKILL to pid ${holder.pid} (bash, root)`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('M3: a holder that cannot be ended: detached lazily and reported; eject refused until it closes', async () => {
    const name = await attachNew('Lazy');
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    // licornd itself holds a file there (it never signals itself): as a process in D state would.
    const handle = await open(join(mountPoint!, 'kept'), 'w');
    try {
      const error = (await context.core.volumes
        .unmount(name, actor, { force: true })
        .catch((e: unknown) => e)) as CoreError;
      expect(error).toBeInstanceOf(CoreError);
      expect(error.code).toBe('in-use');
      expect(error.message).toMatch(
        new RegExp(`detached lazily, still in use by ${mountPoint} \\(pid ${process.pid} `),
      );
      expect(context.core.volumes.get(name)!.state).toBe('unmounted');
      const refused = (await context.core.volumes.eject(name, actor).catch((e: unknown) => e)) as CoreError;
      expect(refused).toMatchObject({ code: 'in-use' });
      expect(refused.message).toContain('still alive');
      expect(await LoopDevices.getBackingFile(name)).toContain('Lazy.img');
      const audit = await getAudit(context.fixture.auditFile);
      expect(audit).toContainEqual(expect.objectContaining({ action: 'volume-force-unmount', outcome: 'failed' }));
      expect(audit).toContainEqual(expect.objectContaining({ action: 'volume-eject', outcome: 'refused' }));
    } finally {
      await handle.close();
    }
    await context.core.volumes.eject(name, actor);
    // Detached: the number may already serve another file's loop (losetup -f, in parallel).
    expect((await LoopDevices.getBackingFile(name)) ?? '').not.toContain('Lazy.img');
  });

  it("L2: a licorn-wmi member's force may not end root's processes; nothing is signalled", async () => {
    const name = await attachNew('Rooted');
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    const sleeper = spawn('sleep', ['1000'], { cwd: mountPoint!, stdio: 'ignore' });
    try {
      const member = { login: 'dnguyen', address: '127.0.0.1' };
      const error = (await context.core.volumes
        .unmount(name, member, { force: true })
        .catch((e: unknown) => e)) as CoreError;
      expect(error).toMatchObject({ code: 'permission-denied', field: 'force' });
      expect(error.message).toContain(`pid ${sleeper.pid} (sleep, root)`);
      expect(isAlive(sleeper.pid!)).toBe(true);
      expect(context.core.volumes.get(name)!.mountPoint).toBe(mountPoint);
    } finally {
      sleeper.kill('SIGKILL');
    }
    await waitUntil(() => !isAlive(sleeper.pid!) || sleeper.exitCode !== null || sleeper.signalCode !== null, 'exit');
    await context.core.volumes.unmount(name, actor, { force: true });
  });

  it('M4: rights are checked when the queued action runs, not when it was asked', async () => {
    const name = await attachNew('Demoted');
    let admin = true;
    const checked = {
      ...actor,
      checkRights: () => {
        if (!admin)
          throw new CoreError('permission-denied', say('web.volumes.noLongerAdmin', { login: quoted('root') }), {
            field: 'session',
          });
      },
    };
    const mounting = context.core.volumes.mount(name, checked);
    admin = false; // demoted while the action waits in the queue
    await expect(mounting).rejects.toMatchObject({ code: 'permission-denied' });
    expect(context.core.volumes.get(name)!.state).toBe('unmounted');
  });

  it('L4: refuses to change the reserved marker of a volume whose UUID a clone shares', async () => {
    const uuid = '6f1c7a52-8d44-4d0b-9a55-3f0c2c1b7e11';
    const first = await context.fixture.loops.attach(
      await createImage(join(context.fixture.images, 'a.img'), 'ext4', ['-U', uuid]),
    );
    const clone = await context.fixture.loops.attach(
      await createImage(join(context.fixture.images, 'b.img'), 'ext4', ['-U', uuid]),
    );
    await context.core.volumes.refresh({ name: first });
    await context.core.volumes.refresh({ name: clone });
    const error = (await context.core.volumes.setReserved(clone, true, actor).catch((e: unknown) => e)) as CoreError;
    expect(error).toMatchObject({ code: 'conflict' });
    expect(error.message).toContain(`/dev/${first} shares its UUID ${uuid}`);
    expect(context.core.volumes.get(first)!.reserved).toBe(false);
  });

  it('L7: a flood refused by the full queue is audited as one line with the count', async () => {
    const name = await attachNew('Flood');
    const auditLines = async () => (await readFile(context.fixture.auditFile, 'utf8')).trim().split('\n').length;
    const before = await auditLines();
    const asks = Array.from({ length: 100 }, () => context.core.volumes.setReserved(name, true, actor).catch((e) => e));
    const outcomes = await Promise.all(asks);
    const refused = outcomes.filter((outcome) => outcome instanceof CoreError && outcome.code === 'busy');
    expect(refused.length).toBeGreaterThan(60);
    const added = (await auditLines()) - before;
    expect(added).toBeLessThan(outcomes.length - refused.length + 5);
    const lines = await getAudit(context.fixture.auditFile);
    expect(lines).toContainEqual(expect.objectContaining({ action: 'volume-queue-full', outcome: 'refused' }));
  });
});

describe.skipIf(shouldSkipLoopTests()).sequential('volumes: holders in a btrfs subvolume (red team L1)', () => {
  const context = useVolumesCore();

  it('names a process whose cwd or open file is in a subvolume (its own anonymous device)', async () => {
    const file = await createImage(join(context.fixture.images, 'sub.img'), 'btrfs', ['-L', 'Subs']);
    const name = await context.fixture.loops.attach(file);
    await context.core.volumes.refresh({ name });
    const { mountPoint } = await context.core.volumes.mount(name, actor);
    const sub = join(mountPoint!, 'sub');
    await promisify(execFile)('btrfs', ['subvolume', 'create', sub]);
    await writeFile(join(sub, 'log'), 'x\n');
    const inside = spawn('sleep', ['1000'], { cwd: sub, stdio: 'ignore' });
    const reader = spawn('bash', ['-c', 'exec 3<"$1"; exec sleep 1000', 'bash', join(sub, 'log')], {
      cwd: '/',
      stdio: 'ignore',
    });
    try {
      const error = (await context.core.volumes.unmount(name, actor).catch((e: unknown) => e)) as CoreError;
      expect(error).toMatchObject({ code: 'in-use' });
      expect(error.details).toContainEqual({ pid: inside.pid, command: 'sleep', login: 'root' });
      expect(error.details).toContainEqual({ pid: reader.pid, command: 'sleep', login: 'root' });
      const volume = await context.core.volumes.unmount(name, actor, { force: true });
      expect(volume.state).toBe('unmounted');
    } finally {
      inside.kill('SIGKILL');
      reader.kill('SIGKILL');
    }
  });
});
