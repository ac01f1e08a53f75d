import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRoot, demoMarkerFile } from '../../../server/core/demo/create-demo-root.ts';
import { prepareSandboxRoot } from '../../../server/core/demo/prepare-demo-root.ts';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import { hashPassphrase } from '../../../server/native/native.ts';

let dir: string;
let root: string;
let credentials: { login: string; password: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-demo-'));
  root = join(dir, 'demo');
  credentials = (await prepareSandboxRoot(root))!;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the demo sandbox', () => {
  it('holds about 40 accounts and 10 groups, with admins among them', async () => {
    const read = (name: string) => readFile(join(root, 'etc', name), 'utf8');
    const db = AccountDatabase.parse(
      await read('passwd'),
      await read('shadow'),
      await read('group'),
      await read('gshadow'),
    );
    const accounts = [...db.passwd.entries()];
    const groups = [...db.group.entries()];
    const people = accounts.filter((account) => account.uid >= 1000 && account.uid < 60000);
    expect(people.length).toBeGreaterThanOrEqual(35);
    const standard = groups.filter((group) => group.gid >= 10000 && group.gid < 30000);
    expect(standard.length + 2).toBeGreaterThanOrEqual(9);
    const admins = groups.find((group) => group.name === 'admins')!;
    expect(admins.members).toContain(credentials.login);
    for (const group of standard) {
      expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining([`rsp-${group.name}`, `gst-${group.name}`]));
    }
  });

  it('is valid for shadow-utils: pwck and grpck find no error', () => {
    // -q: errors only (the sandbox has no /bin/bash or system homes, which are warnings).
    expect(() => execFileSync('pwck', ['-r', '-q', '-R', root], { stdio: 'pipe' })).not.toThrow();
    expect(() => execFileSync('grpck', ['-r', '-q', '-R', root], { stdio: 'pipe' })).not.toThrow();
  });

  it('prints a fresh admin password whose hash is in shadow', async () => {
    expect(credentials.password).toMatch(/^[A-Za-z0-9]{16}$/);
    const shadow = await readFile(join(root, 'etc/shadow'), 'utf8');
    const hash = shadow
      .split('\n')
      .find((line) => line.startsWith(`${credentials.login}:`))!
      .split(':')[1]!;
    expect(hash).toMatch(/^\$y\$/);
    expect(await hashPassphrase(credentials.password, hash)).toBe(hash);
  });

  it('keeps shadow files private and homes per account', async () => {
    expect((await stat(join(root, 'etc/shadow'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(root, 'etc/gshadow'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(root, 'home', credentials.login))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(root, 'home', credentials.login))).toEqual(
      expect.arrayContaining(['.bashrc', '.profile']),
    );
    expect(await readdir(join(root, 'home/groups'))).toContain('developers');
    await stat(join(root, demoMarkerFile));
  });

  it('gives every account subordinate ids, and useradd hands out the next free range', async () => {
    const read = async (name: string) => (await readFile(join(root, 'etc', name), 'utf8')).trim().split('\n');
    const logins = (await read('passwd'))
      .map((line) => line.split(':'))
      .filter((fields) => Number(fields[2]) >= 1000 && Number(fields[2]) < 60000)
      .map((fields) => fields[0]);
    const subuid = await read('subuid');
    expect(subuid.map((line) => line.split(':')[0])).toEqual(logins);
    expect(await read('subgid')).toEqual(subuid);
    execFileSync('useradd', ['--prefix', root, '-M', 'subordinate-peer'], { stdio: 'pipe' });
    const last = subuid.at(-1)!.split(':').map(Number);
    expect((await read('subuid')).at(-1)).toBe(`subordinate-peer:${last[1]! + last[2]!}:65536`);
    execFileSync('userdel', ['--prefix', root, 'subordinate-peer'], { stdio: 'pipe' });
  });

  it('is not recreated on the next start', async () => {
    expect(await prepareSandboxRoot(root)).toBeNull();
  });

  it('refuses an existing directory that is not an account root', async () => {
    await expect(prepareSandboxRoot(dir)).rejects.toThrow(/holds no etc\/passwd/);
  });

  it('refuses to build over an existing directory', async () => {
    await expect(createDemoRoot(root)).rejects.toThrow();
  });
});
