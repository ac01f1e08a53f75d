import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Issue 12, item 8: shares are owned by Licorn's `acl` system group. Debian has none: the
// first standard group made creates it (in the same write), so shares are never root:root.
let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // The demo has an `acl` group; a Debian machine does not.
  await s.service.deleteGroup('acl', { allowProtected: true });
});
afterAll(() => s.remove());

describe('the acl group', () => {
  it('is created as a system group with the first standard group, and owns its share', async () => {
    expect(s.service.getGroup('acl')).toBeNull();
    await s.service.createGroup({ name: 'firstshare' });
    const acl = s.service.getGroup('acl');
    expect(acl).toMatchObject({ name: 'acl', system: true });
    expect((await stat(join(s.root, 'home/groups/firstshare'))).gid).toBe(acl!.gid);
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('is made once: a second share gets the same owner', async () => {
    const gid = s.service.getGroup('acl')!.gid;
    await s.service.createGroup({ name: 'secondshare' });
    expect((await stat(join(s.root, 'home/groups/secondshare'))).gid).toBe(gid);
  });
});
