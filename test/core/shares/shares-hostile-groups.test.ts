import { appendFile, chmod, chown, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSharesSandbox, openTestShares } from '../../helpers/test-shares.ts';
import { waitUntil, waitUntilAsync } from '../../helpers/wait-until.ts';
import type { CoreEvent } from '../../../server/core/events/event-bus.ts';
import type { SharesService } from '../../../server/core/shares/shares-service.ts';

// Red team's F13, F12 and F8 (issue 16): groups written by hand in /etc/group that Licorn would never make (a
// GID above 2^31, a helper group sharing the admins' GID) must not stop the shares or the daemon's start; a
// burst of repair requests is one repair; a name a member chose never writes a raw control character to the log.
let s: AccountsSandbox;
let shares: SharesService | undefined;
const warnings: string[] = [];
const share = (name: string) => join(s.root, 'home/groups', name);
const acl = async (path: string) =>
  (await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', path])).stdout;
const forgedName = 'evil\n(node:1) Warning: licornd: FORGED root logged in';
const huge = 3_000_000_000;
// A member's file (the watcher never gives the rule to root's files that did not inherit it: red team F1).
const member = 61100;
// Made outside the share and moved in, as the member's own: a file of root's seen there first is refused, and
// its error would be the share's one said.
const writeMemberFile = async (path: string) => {
  const outside = join(s.root, 'made-outside');
  await writeFile(outside, 'x');
  await chown(outside, member, member);
  await rename(outside, path);
};
const progressSince = (since: number) =>
  s.events
    .slice(since)
    .filter((event): event is CoreEvent<'group-share-progress'> => event.name === 'group-share-progress')
    .map((event) => event.data);

beforeAll(async () => {
  s = await createSharesSandbox();
  const admins = s.service.getGroup('admins')!.gid;
  // As groupadd or an editor outside Licorn would leave them (both are legal in /etc/group).
  const groups = [
    ['huge', huge],
    ['rsp-huge', huge + 1],
    ['gst-huge', huge + 2],
    ['dupes', 3100],
    ['rsp-dupes', 3101],
    ['gst-dupes', admins],
  ] as const;
  await appendFile(join(s.root, 'etc/group'), groups.map(([name, gid]) => `${name}:x:${gid}:\n`).join(''));
  await appendFile(join(s.root, 'etc/gshadow'), groups.map(([name]) => `${name}:!::\n`).join(''));
  await mkdir(share('huge'), { recursive: true });
  await mkdir(share('dupes'), { recursive: true });
  // A file the watcher cannot correct (immutable), named to forge a log line: its error is said.
  const forged = join(share('huge'), forgedName);
  await writeMemberFile(forged);
  await chmod(forged, 0o600);
  await run('chattr', ['+i', forged]);
  await waitUntil(() => s.service.getGroup('gst-dupes') !== null, 'the hand-made groups read', 20_000);
  shares = await openTestShares(s, { warn: (message) => warnings.push(message) });
});
afterAll(async () => {
  await shares?.close();
  await run('chattr', ['-i', join(share('huge'), forgedName)]).catch(() => {});
  await s.remove();
});

describe('shares of groups made by hand', () => {
  it('watches a group whose GID is above 2^31, and one whose helper group has the admins GID', async () => {
    expect(warnings.filter((message) => message.includes('id'))).toEqual([]);
    const big = join(share('huge'), 'report');
    await writeMemberFile(big);
    await chmod(big, 0o600);
    await waitUntilAsync(async () => (await acl(big)).includes(`group:${huge}:r--`), 'the chmod corrected', 20_000);
    const admins = s.service.getGroup('admins')!.gid;
    const shared = join(share('dupes'), 'report');
    await writeMemberFile(shared);
    await chmod(shared, 0o600);
    // The admins' GID once, with the widest of its two rights (admins rw, guests r).
    await waitUntilAsync(
      async () => (await acl(shared)).includes(`group:${admins}:rw-`),
      'the chmod corrected',
      20_000,
    );
    expect((await acl(shared)).match(new RegExp(`group:${admins}:`, 'g'))).toHaveLength(1);
  });

  it('makes one repair of a burst of requests, and says a member-made name escaped', async () => {
    const since = s.events.length;
    await Promise.all(Array.from({ length: 40 }, () => shares!.repairShare('huge')));
    await waitUntil(() => progressSince(since).some((progress) => progress.done), 'the repair ended', 20_000);
    const starts = progressSince(since).filter((progress) => !progress.done && progress.scanned === 0);
    expect(starts).toHaveLength(1);
    await waitUntil(() => warnings.some((message) => message.includes('evil')), 'the immutable file said', 20_000);
    const said = warnings.find((message) => message.includes('evil'))!;
    expect(said).toContain('evil\\x0a(node:1)');
    expect(warnings.join('')).not.toContain('\n(node:1)');
  });
});
