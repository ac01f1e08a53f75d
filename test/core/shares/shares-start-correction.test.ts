import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { createSharesSandbox, openTestShares } from '../../helpers/test-shares.ts';
import { waitUntilAsync } from '../../helpers/wait-until.ts';
import type { SharesService } from '../../../server/core/shares/shares-service.ts';

// Red team's F14 (issue 16): what a member changed while licornd was down (a file made private, a directory
// closed) stayed so for good, because the start's walk only watched. It is now corrected once every share is
// watched, without a repair's progress or journal.
let s: AccountsSandbox;
let shares: SharesService | undefined;
const share = () => join(s.root, 'home/groups/crew');
const acl = async (path: string) =>
  (await run('getfacl', ['--numeric', '--omit-header', '--absolute-names', path])).stdout;

beforeAll(async () => {
  s = await createSharesSandbox(['crew']);
});
afterAll(async () => {
  await shares?.close();
  await s.remove();
});

describe('a start of the shares', () => {
  it('corrects what changed while nothing watched, quietly', async () => {
    // As a member would while the daemon is down.
    await writeFile(join(share(), 'private'), 'x', { mode: 0o600 });
    await chmod(join(share(), 'private'), 0o600);
    await mkdir(join(share(), 'closed/deeper'), { recursive: true, mode: 0o700 });
    await writeFile(join(share(), 'closed/deeper/notes'), 'x', { mode: 0o600 });
    // A member's (the watcher never gives the rule to root's files that did not inherit it: red team F1).
    for (const path of ['private', 'closed', 'closed/deeper', 'closed/deeper/notes'])
      await chown(join(share(), path), 61100, 61100);
    const since = s.events.length;
    shares = await openTestShares(s);
    const gid = s.service.getGroup('crew')!.gid;
    for (const path of ['private', 'closed/deeper/notes'])
      await waitUntilAsync(async () => (await acl(join(share(), path))).includes(`group:${gid}:r--`), path, 20_000);
    expect(await acl(join(share(), 'closed/deeper'))).toContain(`default:group:${gid}:r-x`);
    expect(s.events.slice(since).filter((event) => event.name === 'group-share-progress')).toEqual([]);
  });
});
