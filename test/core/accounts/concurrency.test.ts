import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

// A shell loop of useradd --prefix, the way an admin's script would run beside licornd.
function runUseraddLoop(root: string, count: number): Promise<number> {
  const script = `for i in $(seq 1 ${count}); do useradd --prefix "$1" -M "shell$i" || exit 1; done`;
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script, 'sh', root], { stdio: 'ignore' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

describe('beside shadow-utils at the same time', () => {
  it('loses no update: 200 useradd accounts, 200 of ours and edits, all there afterwards', async () => {
    const shell = runUseraddLoop(s.root, 200);
    const edited = ['adurand', 'blefevre', 'cmartin', 'dnguyen', 'ebernard'];
    for (let i = 1; i <= 200; i += 1) {
      await s.service.createAccount({ login: `core${i}`, password: 'Core-pass-123', createHome: false });
      if (i % 40 === 0) await s.service.modifyAccount(edited[i / 40 - 1]!, { fullName: `Edited ${i}` });
    }
    expect(await shell).toBe(0);
    await s.service.settle();

    // Read back from disk, not from our cache.
    const etc = join(s.root, 'etc');
    const read = (name: string) => readFile(join(etc, name), 'utf8');
    const disk = AccountDatabase.parse(
      await read('passwd'),
      await read('shadow'),
      await read('group'),
      await read('gshadow'),
    );
    for (let i = 1; i <= 200; i += 1) {
      expect(disk.passwd.has(`shell${i}`), `shell${i}`).toBe(true);
      expect(disk.passwd.has(`core${i}`), `core${i}`).toBe(true);
      expect(disk.shadow.has(`core${i}`), `core${i} in shadow`).toBe(true);
    }
    edited.forEach((login, index) => expect(disk.passwd.get(login)!.gecos).toBe(`Edited ${(index + 1) * 40},,,`));
    const uids = Array.from(disk.passwd.entries(), (entry) => entry.uid);
    expect(new Set(uids).size).toBe(uids.length);
  }, 120_000);
});
