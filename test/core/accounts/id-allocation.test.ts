import { describe, expect, it } from 'vitest';
import { applyCreateAccount } from '../../../server/core/accounts/account-operations.ts';
import { applyCreateGroup } from '../../../server/core/accounts/group-operations.ts';
import { allocateId, IdOwners } from '../../../server/core/accounts/id-index.ts';
import { useAccountsStore } from '../../helpers/accounts-store-sandbox.ts';

// Debian's login.defs gives UIDs and GIDs the same range (1000–60000): the highest id handed
// out in one must not be taken for the other's (it once was: one cache keyed "min-max").
const sandbox = useAccountsStore();

describe('allocating UIDs and GIDs in equal ranges', () => {
  it('picks each one above the highest of its own kind, as useradd and groupadd do', () => {
    const context = { ...sandbox.store.context };
    context.defs = { ...context.defs, gidMin: context.defs.uidMin, gidMax: context.defs.uidMax };
    const db = sandbox.store.database.clone();
    const uids = () => [...db.passwd.entries()].map((entry) => entry.uid);
    const gids = () => [...db.group.entries()].map((entry) => entry.gid);
    const inRange = (id: number) => id >= context.defs.uidMin && id <= context.defs.uidMax;
    const topUid = Math.max(...uids().filter(inRange));
    // A group whose GID sits just above the UIDs, given explicitly.
    applyCreateGroup(db, { name: 'explicit', gid: topUid + 2, roles: false }, context);
    const account = applyCreateAccount(db, { login: 'newcomer', hash: '!' }, context);
    expect(account.uid).toBe(topUid + 1);
    const topGid = Math.max(...gids().filter(inRange));
    const group = applyCreateGroup(db, { name: 'newgroup', roles: false }, context);
    expect(group.gid).toBe(topGid + 1);
    expect(new Set(gids()).size).toBe(gids().length);
    const next = applyCreateAccount(db, { login: 'second', hash: '!' }, context);
    expect(next.uid).toBe(topUid + 2);
    // An id given explicitly just above the last one handed out is the new highest.
    applyCreateAccount(db, { login: 'pinned', uid: topUid + 3, hash: '!' }, context);
    applyCreateGroup(db, { name: 'explicit2', gid: topGid + 2, roles: false }, context);
    expect(applyCreateAccount(db, { login: 'third', hash: '!' }, context).uid).toBe(topUid + 4);
    expect(applyCreateGroup(db, { name: 'thirdgroup', roles: false }, context).gid).toBe(topGid + 3);
    expect(new Set(uids()).size).toBe(uids().length);
    expect(new Set(gids()).size).toBe(gids().length);
  });
});

describe('allocating past the top of a full range', () => {
  it('hands out the lowest free id each time, and a freed lower id next', () => {
    const owners = new IdOwners([
      [10, 'a'],
      [11, 'b'],
      [13, 'c'],
      [15, 'top'],
    ]);
    const highest = new Map<string, number>();
    const take = (login: string) => {
      const id = allocateId(owners, highest, 10, 15);
      if (id !== null) owners.set(id, login);
      return id;
    };
    // The highest owned id is the range's top: the lowest free ids, in order, as useradd picks.
    expect([take('d'), take('e'), take('f')]).toEqual([12, 14, null]);
    // An id freed below where the last search stopped is found again.
    owners.delete(11);
    expect(take('g')).toBe(11);
    expect(take('h')).toBe(null);
    // An id that is held (a UID with processes) is passed over, not remembered as taken.
    owners.delete(10);
    expect(allocateId(owners, highest, 10, 15, (id) => id === 10)).toBe(null);
    expect(allocateId(owners, highest, 10, 15)).toBe(10);
  });
});
