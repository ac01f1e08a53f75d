import { execFile } from 'node:child_process';
import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

// Red team of issue 18's kept home owners (home-owners.ts): a filesystem mounted over a
// directory under the homes base (a restored disk, a bind mount of /srv/people/bob on
// /home/bob) changes that home's owner without any inotify event on the base, nor its mtime.
// Run in a private mount namespace: the machine's mounts are never touched.

const child = join(import.meta.dirname, '../../helpers/home-owners-mount-child.ts');

describe('HomeOwners and mounts under the base', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(() => sandbox?.remove());

  it('sees the owner of a directory mounted over a home, and its end at the umount', async () => {
    const base = join(sandbox.root, 'mounted-base');
    const source = join(sandbox.root, 'restored-bob');
    await mkdir(join(base, 'bob'), { recursive: true });
    await mkdir(source);
    await chown(source, 41401, 100);
    const command = ['-m', '--propagation', 'private', process.execPath, '--import', 'tsx', child];
    const { stdout } = await promisify(execFile)('unshare', [...command, base, 'bob', source, '41401']);
    expect(JSON.parse(stdout)).toEqual({ mounted: true, unmounted: false });
  });
});
