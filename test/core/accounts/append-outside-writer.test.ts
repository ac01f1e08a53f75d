import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Red team (twelfth session): a writer that takes no lock (`echo ... >> /etc/passwd` in a
// script, a container's entrypoint) appends to passwd while licornd's journal is being
// synced, after licornd checked the file and before its write(2) at the size it checked.
const outside = { path: '', line: 'intruder:x:4242:100:outside writer:/nonexistent:/usr/sbin/nologin\n' };
vi.mock('../../../server/core/accounts/files/append-journal.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../server/core/accounts/files/append-journal.ts')>();
  return {
    ...original,
    writeAppendJournal: async (...args: Parameters<typeof original.writeAppendJournal>) => {
      await original.writeAppendJournal(...args);
      if (outside.path) appendFileSync(outside.path, outside.line);
      outside.path = '';
    },
  };
});

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  // A first create: the journal exists and the cache is as the files are.
  await s.service.createAccount({ login: 'warm', password: null, createHome: false });
});
afterAll(() => s.remove());

it('an unlocked append racing the journal is not overwritten: every line stays whole', async () => {
  outside.path = join(s.root, 'etc', 'passwd');
  // Nothing of ours written over theirs: the create is made again on the files read again.
  await s.service.createAccount({ login: 'ann', password: null, createHome: false });
  const lines = (await readFile(join(s.root, 'etc', 'passwd'), 'utf8')).split('\n');
  // Every line has its 7 fields: none is the start of ours over the rest of theirs.
  expect(lines.filter((line) => line !== '' && line.split(':').length !== 7)).toEqual([]);
  expect(lines).toContain(outside.line.trimEnd());
  expect(lines.filter((line) => line.startsWith('ann:'))).toHaveLength(1);
  // The outside script's second half (its shadow line): pwck then checks ours is whole or absent.
  appendFileSync(join(s.root, 'etc', 'shadow'), 'intruder:*:19000:0:99999:7:::\n');
  await run('pwck', ['-r', '-q', '-R', s.root]);
});
