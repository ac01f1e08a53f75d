import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { appendAttempts } from '../../../server/core/accounts/accounts-store.ts';

// Red team (twelfth session): a writer that takes no lock (`echo ... >> /etc/passwd` in a
// script, a container's entrypoint) appends to passwd while licornd's journal is being
// synced, after licornd checked the file and before its write(2) at the size it checked.
// `times`: how many journal syncs in a row it races (a script looping over its appends).
const outside = { path: '', line: 'intruder:x:4242:100:outside writer:/nonexistent:/usr/sbin/nologin\n', times: 1 };
vi.mock('../../../server/core/accounts/files/append-journal.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../server/core/accounts/files/append-journal.ts')>();
  return {
    ...original,
    writeAppendJournal: async (...args: Parameters<typeof original.writeAppendJournal>) => {
      await original.writeAppendJournal(...args);
      if (!outside.path) return;
      appendFileSync(outside.path, outside.line.replace('intruder', `intruder${outside.times}`));
      outside.times -= 1;
      if (outside.times <= 0) outside.path = '';
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
  expect(lines).toContain(outside.line.replace('intruder', 'intruder1').trimEnd());
  expect(lines.filter((line) => line.startsWith('ann:'))).toHaveLength(1);
  // The outside script's second half (its shadow line): pwck then checks ours is whole or absent.
  appendFileSync(join(s.root, 'etc', 'shadow'), 'intruder1:*:19000:0:99999:7:::\n');
  await run('pwck', ['-r', '-q', '-R', s.root]);
});

// Leftover of the twelfth session: one retry only. Each try is a new race the writer must
// win again: a create tries up to appendAttempts times, then answers busy, nothing of it written.
describe('a writer without lock racing every try', () => {
  const passwdLines = async () => (await readFile(join(s.root, 'etc', 'passwd'), 'utf8')).split('\n');

  it('loses to the create as long as it does not win every try', async () => {
    outside.path = join(s.root, 'etc', 'passwd');
    outside.times = appendAttempts - 1;
    await s.service.createAccount({ login: 'patient', password: null, createHome: false });
    const lines = await passwdLines();
    expect(lines.filter((line) => line.startsWith('patient:'))).toHaveLength(1);
    expect(lines.filter((line) => /^intruder\d:/.test(line))).toHaveLength(appendAttempts);
    expect(lines.filter((line) => line !== '' && line.split(':').length !== 7)).toEqual([]);
  });

  it('is answered busy after appendAttempts tries, its lines whole and nothing of the create written', async () => {
    outside.path = join(s.root, 'etc', 'passwd');
    outside.times = appendAttempts;
    const before = (await passwdLines()).length;
    await expect(s.service.createAccount({ login: 'gaveup', password: null, createHome: false })).rejects.toMatchObject(
      { code: 'busy', field: 'files' },
    );
    expect(outside.path).toBe('');
    const lines = await passwdLines();
    expect(lines).toHaveLength(before + appendAttempts);
    expect(lines.filter((line) => line.startsWith('gaveup:'))).toEqual([]);
    expect(lines.filter((line) => line !== '' && line.split(':').length !== 7)).toEqual([]);
    // The next create, with the writer gone, is made (the files read again).
    await s.service.createAccount({ login: 'gaveup', password: null, createHome: false });
    expect((await passwdLines()).filter((line) => line.startsWith('gaveup:'))).toHaveLength(1);
  });
});
