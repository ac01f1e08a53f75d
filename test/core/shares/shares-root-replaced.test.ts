import { chmod, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSharesSandbox, openTestShares } from '../../helpers/test-shares.ts';
import { waitUntil, waitUntilAsync } from '../../helpers/wait-until.ts';
import type { SharesService } from '../../../server/core/shares/shares-service.ts';

// Red team's F7 (issue 16): root replacing a share's directory (`mv crew crew.old; cp -a crew.old crew`, as a
// restore from a backup does) left the watcher on the old directory, and the new one unenforced; the old one
// deleted, the share stayed unwatched. Real files and ACLs; the member is a process of its own (setpriv).
const isRoot = process.getuid?.() === 0;
const member = 61100;
let s: AccountsSandbox;
let shares: SharesService | undefined;
const warnings: string[] = [];
const share = () => join(s.root, 'home/groups/crew');
const gid = () => s.service.getGroup('crew')!.gid;
const acl = async (path: string) =>
  (await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', path])).stdout;
// As the member would: a private file and a closed directory.
const makePrivate = (dir: string, name: string) =>
  run('setpriv', [
    ...['--reuid', `${member}`, '--regid', `${member}`, '--groups', `${gid()}`, '--'],
    ...['/bin/sh', '-c', `cd "$1" && echo x > "$2" && chmod 600 "$2" && mkdir -m 700 "$2.d"`, 'sh', dir, name],
  ]);
const isCorrected = async (dir: string, name: string) =>
  (await acl(join(dir, name))).includes(`group:${gid()}:r--`) &&
  (await acl(join(dir, `${name}.d`))).includes(`default:group:${gid()}:r-x`);
const waitCorrected = (dir: string, name: string) =>
  waitUntilAsync(() => isCorrected(dir, name), `${name} given the share's rule`, 20_000);

beforeAll(async () => {
  s = await createSharesSandbox(['crew']);
});
afterAll(async () => {
  await shares?.close();
  await s.remove();
});

describe.skipIf(!isRoot && !process.env.CI)("a share's directory replaced by root", () => {
  it('is enforced: the restored directory, and again once a directory is back', async () => {
    shares = await openTestShares(s, { recheckMs: 100, warn: (message) => warnings.push(message) });
    await makePrivate(share(), 'before');
    await waitCorrected(share(), 'before');
    const watches = shares.getFigures().watches;

    // A restore from a backup: the copy is the share now.
    await rename(share(), `${share()}.old`);
    await run('cp', ['-a', `${share()}.old`, share()]);
    await makePrivate(share(), 'after-restore');
    await waitCorrected(share(), 'after-restore');
    // The old directory is no longer watched: one more watch, the new directory's.
    await waitUntil(() => shares!.getFigures().watches === watches + 1, 'the old directory unwatched');
    await rm(`${share()}.old`, { recursive: true });

    // Gone: said once, and watched again (corrected) once a directory is back.
    await rename(share(), `${share()}.away`);
    await waitUntil(() => warnings.some((w) => w.includes('directory is gone')), 'the share said gone');
    await makePrivate(`${share()}.away`, 'while-away');
    await run('cp', ['-a', `${share()}.away`, share()]);
    await waitCorrected(share(), 'while-away');
    await makePrivate(share(), 'after-back');
    await waitCorrected(share(), 'after-back');
    expect(warnings.filter((w) => w.includes('directory is gone'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('directory is back'))).toHaveLength(1);
    expect(await isCorrected(`${share()}.away`, 'while-away')).toBe(false);
  });
});
