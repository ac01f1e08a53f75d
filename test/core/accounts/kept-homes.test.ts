import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';

// Issue 12's red team, MEDIUM 3: a home kept at a deletion under a nested path
// (/home/staff/kk1) did not stop its UID being handed out again: the next account owned the
// kept files. Kept homes are recorded wherever they are, and their UIDs skipped while the
// directory is still theirs.
let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
  await mkdir(join(s.root, 'home/staff'), { recursive: true });
});
afterAll(() => s?.remove());

describe('a home kept at a deletion', () => {
  it('keeps its UID from new accounts wherever it lies, until it is gone', async () => {
    const kept = await s.service.createAccount({ login: 'kk1', password: null, home: '/home/staff/kk1' });
    const uid = kept.account.uid;
    expect((await s.service.deleteAccount('kk1', 'keep')).home.action).toBe('keep');
    // A daemon started again knows only the files (the running one remembers the highest UID
    // it gave): kk1's UID is the highest left free by the files.
    const restarted = await AccountsService.open({ root: s.root, events: new EventBus() });
    try {
      const next = await restarted.createAccount({ login: 'kk3', password: null });
      expect(next.account.uid).not.toBe(uid);
      await restarted.deleteAccount('kk3', 'remove');
    } finally {
      await restarted.close();
    }
    // A removed kept home frees its UID again.
    await rm(join(s.root, 'home/staff/kk1'), { recursive: true });
    const again = await AccountsService.open({ root: s.root, events: new EventBus() });
    try {
      expect((await again.createAccount({ login: 'kk5', password: null })).account.uid).toBe(uid);
      await again.deleteAccount('kk5', 'remove');
    } finally {
      await again.close();
    }
  });

  it('is recorded only when the deletion is written', async () => {
    await s.service.createAccount({ login: 'kk6', password: null, home: '/home/staff/kk6' });
    const before = await s.digestEtc();
    // Row 2 refuses the bulk deletion: kk6 stays, its home too, and nothing is recorded.
    await expect(s.service.deleteAccounts(['kk6', 'nosuch'], 'keep')).rejects.toMatchObject({ code: 'not-found' });
    expect(await s.digestEtc()).toBe(before);
  });
});
