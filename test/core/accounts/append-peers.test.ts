import { appendFile, link, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// The in-place append seen by its peers: shadow-utils writes after it and getent (NSS)
// reads it; and the cases where the files are rewritten whole instead.
let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

const etc = (name: string) => join(s.root, 'etc', name);
const inode = async (name: string) => (await stat(etc(name))).ino;
const create = (login: string) => s.service.createAccount({ login, password: null, createHome: false });

// getent over the sandbox's files, bind-mounted over /etc's in a private mount namespace.
async function getent(database: 'passwd' | 'shadow', key: string): Promise<string> {
  const script = 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && exec getent "$3" "$4"';
  const { stdout } = await run('unshare', [
    '-m',
    '--propagation',
    'private',
    'sh',
    '-c',
    script,
    'sh',
    etc('passwd'),
    etc('shadow'),
    database,
    key,
  ]);
  return stdout;
}

describe('a create appends in place', () => {
  it('keeps each file (same inode), and useradd, pwck and getent read what it wrote', async () => {
    const before = await Promise.all(['passwd', 'shadow', 'subuid', 'subgid'].map(inode));
    await create('inplace1');
    await create('inplace2');
    expect(await Promise.all(['passwd', 'shadow', 'subuid', 'subgid'].map(inode))).toEqual(before);
    expect(await getent('passwd', 'inplace2')).toMatch(/^inplace2:x:\d+:\d+:/);
    expect(await getent('shadow', 'inplace1')).toMatch(/^inplace1:/);
    // useradd takes the files after us (and rewrites them); we see its account, it sees ours.
    await run('useradd', ['--prefix', s.root, '-M', 'peer1']);
    await s.waitForEvent(
      (event) => event.name === 'account-added' && (event.data as { login: string }).login === 'peer1',
      'peer1',
    );
    await create('inplace3');
    const passwd = await readFile(etc('passwd'), 'utf8');
    expect(passwd.match(/^(inplace1|inplace2|peer1|inplace3):/gm)).toEqual([
      'inplace1:',
      'inplace2:',
      'peer1:',
      'inplace3:',
    ]);
    expect(await getent('passwd', 'inplace3')).toMatch(/^inplace3:/);
    await run('pwck', ['-r', '-q', '-R', s.root]);
    await run('grpck', ['-r', '-q', '-R', s.root]);
  });

  it('rewrites whole, never writing through it, a file with another name (a hard link)', async () => {
    await link(etc('passwd'), join(s.root, 'passwd.link'));
    const [held, before] = [await readFile(join(s.root, 'passwd.link')), await inode('passwd')];
    await create('linked1');
    expect(await inode('passwd')).not.toBe(before);
    expect(await readFile(join(s.root, 'passwd.link'))).toEqual(held);
    expect(await getent('passwd', 'linked1')).toMatch(/^linked1:/);
  });

  it('rewrites whole a file whose new line would cross a 4 KiB page (a reader could see it cut)', async () => {
    await create('warm1');
    // shadow made to end 6 bytes before a page boundary (a line of its own, read in as an
    // outside change): the next line (~30 bytes) crosses it.
    const size = (await stat(etc('shadow'))).size;
    const tail = ':*:20000:0:99999:7:::\n';
    let length = (4090 - (size % 4096) + 4096) % 4096;
    if (length < tail.length + 1) length += 4096;
    await appendFile(etc('shadow'), `${'p'.repeat(length - tail.length)}${tail}`);
    expect(((await stat(etc('shadow'))).size + 30) % 4096).toBeLessThan(30);
    await s.service.settle();
    const [before, passwdBefore] = [await inode('shadow'), await inode('passwd')];
    await create('crosser1');
    expect(await inode('shadow')).not.toBe(before);
    // All or nothing: every file of the transaction is rewritten, passwd too.
    expect(await inode('passwd')).not.toBe(passwdBefore);
    expect(await getent('shadow', 'crosser1')).toMatch(/^crosser1:/);
  });
});
