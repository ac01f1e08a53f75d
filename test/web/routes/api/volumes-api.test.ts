import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Volume } from '../../../../server/core/volumes/volume-schema.ts';
import { testPasswords } from '../../../helpers/sandbox.ts';
import { callApi, createTestApp, openApiSession, type ApiSession, type TestApp } from '../../../helpers/test-app.ts';
import { createBareImage, createImage, LoopDevices, shouldSkipLoopTests } from '../../../helpers/loop-devices.ts';

// Where the kernel says `device` (`/dev/loop7`) is mounted now.
async function getMountPoints(name: string): Promise<string[]> {
  const { dev } = { dev: (await readFile(`/sys/class/block/${name}/dev`, 'utf8')).trim() };
  return (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields[2] === dev)
    .map((fields) => fields[4]!);
}

describe.skipIf(shouldSkipLoopTests())('the volumes API on real loop devices', () => {
  const loops = new LoopDevices();
  const holders: ChildProcess[] = [];
  let t: TestApp;
  let admin: ApiSession;
  let member: ApiSession;
  const names = { ext4: '', vfat: '', bare: '' };
  const images = { ext4: '' };
  const call = (who: ApiSession, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    callApi(t.app, who, method, url, payload);

  beforeAll(async () => {
    t = await createTestApp([], async (sandbox) => {
      // Images inside the sandbox: the only loops a sandboxed daemon may act on.
      const dir = join(sandbox.root, 'var/images');
      await mkdir(dir, { recursive: true });
      images.ext4 = await createImage(join(dir, 'web-ext4.img'), 'ext4', ['-L', 'WebArchive']);
      names.ext4 = await loops.attach(images.ext4);
      names.vfat = await loops.attach(await createImage(join(dir, 'web-vfat.img'), 'vfat', ['-n', 'WEBKEY']));
      names.bare = await loops.attach(await createBareImage(join(dir, 'web-bare.img'), 8));
    });
    admin = await openApiSession(t.app, 'admin', testPasswords.admin);
    member = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
  });
  afterAll(async () => {
    holders.forEach((child) => child.kill('SIGKILL'));
    // Before the sandbox goes, with the images in it.
    await loops.cleanUp(t.sandbox.root);
    await t?.close();
  });

  it('lists every volume with the schema, the sandbox loops actionable and system volumes never', async () => {
    const answer = await call(admin, 'GET', '/api/v1/volumes');
    expect(answer.statusCode).toBe(200);
    const { writable, volumes } = answer.json() as { writable: { allowed: boolean }; volumes: Volume[] };
    expect(writable.allowed).toBe(true);
    const ext4 = volumes.find((volume) => volume.name === names.ext4);
    expect(ext4).toMatchObject({
      device: `/dev/${names.ext4}`,
      fsType: 'ext4',
      label: 'WebArchive',
      state: 'unmounted',
      system: false,
      mountPoint: null,
    });
    expect(ext4!.actions.find((action) => action.action === 'mount')).toMatchObject({ allowed: true });
    expect(volumes.find((volume) => volume.name === names.bare)).toMatchObject({
      fsType: null,
      state: 'no-filesystem',
    });
    for (const volume of volumes.filter((one) => one.system)) {
      expect(
        volume.actions.filter((action) => action.allowed),
        volume.name,
      ).toEqual([]);
      expect(volume.actions.every((action) => typeof action.reason === 'string' && action.reason !== '')).toBe(true);
    }
    expect((await call(member, 'GET', '/api/v1/volumes')).statusCode).toBe(403);
    expect((await call(admin, 'GET', `/api/v1/volumes/${names.vfat}`)).json()).toMatchObject({ label: 'WEBKEY' });
    expect((await call(admin, 'GET', '/api/v1/volumes/nonesuch9')).json()).toMatchObject({ code: 'not-found' });
    expect((await call(admin, 'GET', '/api/v1/volumes/..%2Fsda')).statusCode).toBe(400);
  });

  it('refuses a change without the CSRF token or from a plain member, mounting nothing', async () => {
    const noToken = await t.app.inject({
      method: 'POST',
      url: `/api/v1/volumes/${names.ext4}/mount`,
      headers: { cookie: admin.cookie },
      payload: {},
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ field: '_csrf' });
    expect((await call(member, 'POST', `/api/v1/volumes/${names.ext4}/mount`, {})).statusCode).toBe(403);
    expect(await getMountPoints(names.ext4)).toEqual([]);
  });

  it('mounts under the sandbox media directory, refuses a busy unmount naming the holder, then forces it', async () => {
    const mounted = await call(admin, 'POST', `/api/v1/volumes/${names.ext4}/mount`, {});
    expect(mounted.statusCode).toBe(200);
    const volume = mounted.json() as Volume;
    expect(volume).toMatchObject({ state: 'mounted', mountPoint: join(t.sandbox.root, 'media/WebArchive') });
    expect(await getMountPoints(names.ext4)).toEqual([volume.mountPoint]);

    // A process working in the mount holds it.
    const holder = spawn('sleep', ['600'], { cwd: volume.mountPoint!, stdio: 'ignore' });
    holders.push(holder);
    await new Promise((resolve) => holder.once('spawn', resolve));
    const refused = await call(admin, 'POST', `/api/v1/volumes/${names.ext4}/unmount`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'in-use',
      holders: expect.arrayContaining([expect.objectContaining({ pid: holder.pid, command: 'sleep' })]),
    });
    expect(await getMountPoints(names.ext4)).toEqual([volume.mountPoint]);

    const forced = await call(admin, 'POST', `/api/v1/volumes/${names.ext4}/unmount`, { force: true });
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ state: 'unmounted', mountPoint: null });
    expect(await getMountPoints(names.ext4)).toEqual([]);
  });

  it('marks a volume reserved and back', async () => {
    const url = `/api/v1/volumes/${names.ext4}`;
    expect((await call(admin, 'PATCH', url, { reserved: true })).json()).toMatchObject({ reserved: true });
    expect((await call(admin, 'GET', url)).json()).toMatchObject({ reserved: true });
    expect((await call(admin, 'PATCH', url, { reserved: 'yes' })).json()).toMatchObject({ field: 'reserved' });
    expect((await call(admin, 'PATCH', url, { reserved: false })).json()).toMatchObject({ reserved: false });
  });

  it("refuses a filesystem outside Licorn's policy, naming the setting", async () => {
    const refused = await call(admin, 'POST', `/api/v1/volumes/${names.vfat}/mount`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('volumes.mount_all_fs');
    expect(await getMountPoints(names.vfat)).toEqual([]);
  });

  it('ejects a mounted volume: unmounted, the loop detached, the volume gone', async () => {
    const mounted = await call(admin, 'POST', `/api/v1/volumes/${names.ext4}/mount`, {});
    expect(mounted.json()).toMatchObject({ state: 'mounted' });
    const ejected = await call(admin, 'POST', `/api/v1/volumes/${names.ext4}/eject`, {});
    expect(ejected.statusCode).toBe(204);
    expect(await getMountPoints(names.ext4)).toEqual([]);
    // Detached: the loop no longer reads our image (its number may already serve another).
    const backing = await readFile(`/sys/class/block/${names.ext4}/loop/backing_file`, 'utf8').catch(() => '');
    expect(backing.trim()).not.toBe(images.ext4);
    // Gone from the list: by its image, as the number may already serve another test's loop.
    const { volumes } = (await call(admin, 'GET', '/api/v1/volumes')).json() as { volumes: Volume[] };
    expect(volumes.filter((volume) => volume.loopFile === images.ext4)).toEqual([]);
  });

  it('describes the routes in the OpenAPI with the volume schema', async () => {
    const openapi = (await call(admin, 'GET', '/api/v1/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/volumes',
        '/api/v1/volumes/{name}',
        '/api/v1/volumes/{name}/mount',
        '/api/v1/volumes/{name}/unmount',
        '/api/v1/volumes/{name}/eject',
      ]),
    );
    const one = openapi.paths['/api/v1/volumes/{name}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(one.properties)).toEqual(expect.arrayContaining(['mountPoint', 'usage', 'actions', 'reserved']));
  });
});
