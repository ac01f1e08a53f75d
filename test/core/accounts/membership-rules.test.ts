import { describe, expect, it } from 'vitest';
import { AccountDatabase } from '../../../server/core/accounts/account-database.ts';
import { parseLoginDefs } from '../../../server/core/accounts/parse-login-defs.ts';
import {
  checkGroupChange,
  checkMembershipChange,
  checkNewAccountRules,
  checkNewGroupRules,
  getActorIn,
  getGroupPrivilege,
  getHeldGroups,
  getHeldGroupsReader,
} from '../../../server/core/accounts/membership-rules.ts';

// Licorn's rules on what an account's groups become (membership-rules.ts), on a small database.
const defs = parseLoginDefs('GID_MIN 1000\nGID_MAX 29999\n');
const adminGroups = ['admins', 'licorn-wmi', 'wheel'];
const passwd =
  [
    'boss:x:1000:1000::/home/boss:/bin/bash',
    'staff1:x:1001:100::/home/staff1:/bin/bash',
    'plain:x:1002:100::/home/plain:/bin/bash',
    'alias:x:1003:300::/home/alias:/bin/bash',
  ].join('\n') + '\n';
const group =
  [
    'users:x:100:',
    'shadow:x:42:',
    'sudo:x:27:ghost',
    'admins:x:300:boss',
    'samegid:x:300:',
    'licorn-wmi:x:301:staff1',
    'printers:x:500:',
    'devs:x:1000:',
    'rsp-devs:x:310:',
    'gst-devs:x:311:',
    'gone:x:40000:',
  ].join('\n') + '\n';
const open = () => AccountDatabase.parse(passwd, '', group, '');
const wmi = (db: AccountDatabase) => getActorIn(db, { login: 'staff1', adminGroups });
const boss = (db: AccountDatabase) => getActorIn(db, { login: 'boss', adminGroups });

describe('the groups an account holds', () => {
  it('counts every group of its GID as its primary group, and every group listing it', () => {
    const db = open();
    // alias's GID 300 is admins' too, whatever the first group of that GID is called.
    expect([...getHeldGroups(db, 'alias')]).toEqual([
      ['admins', true],
      ['samegid', true],
    ]);
    expect(wmi(db).inAdminsGroup).toBe(false);
    expect(getActorIn(db, { login: 'alias', adminGroups }).inAdminsGroup).toBe(true);
    expect(() => getActorIn(db, { login: 'plain', adminGroups })).toThrow(/no longer/);
  });

  it('reads the same groups for many accounts from one reading of the members', () => {
    const db = open();
    const read = getHeldGroupsReader(db);
    for (const login of ['boss', 'staff1', 'plain', 'alias', 'ghost', 'nobody'])
      expect([...read(login)]).toEqual([...getHeldGroups(db, login)]);
    expect([...read('alias')]).toEqual([
      ['admins', true],
      ['samegid', true],
    ]);
  });

  it('says which groups only admins give or take: admin, restricted, system; helpers as their group', () => {
    const db = open();
    const privilege = (name: string) => getGroupPrivilege(db, defs, name, adminGroups);
    expect(privilege('wheel')).toContain('administrators');
    expect(privilege('licorn-wmi')).toContain('administrators');
    expect(privilege('shadow')).toContain('restricted group (GID 42)');
    expect(privilege('gone')).toContain('restricted group (GID 40000)');
    expect(privilege('printers')).toContain('system group (GID 500)');
    expect(privilege('devs')).toBeNull();
    expect(privilege('rsp-devs')).toBeNull();
  });
});

describe("a change of an account's groups", () => {
  const change = (actor: ReturnType<typeof wmi>, db: AccountDatabase, login: string, apply: () => void) => {
    const before = getHeldGroups(db, login);
    apply();
    checkMembershipChange(actor, db, defs, login, before, getHeldGroups(db, login), adminGroups);
  };
  const setGid = (db: AccountDatabase, login: string, gid: number) => db.passwd.set({ ...db.passwd.get(login)!, gid });
  const addTo = (db: AccountDatabase, name: string, login: string) => {
    const entry = db.group.get(name)!;
    db.group.set({ ...entry, members: [...entry.members, login] });
  };

  it('refuses a licorn-wmi member any privileged group, primary or not; lets an admin', () => {
    const db = open();
    expect(() => change(wmi(db), db, 'plain', () => setGid(db, 'plain', 300))).toThrow(/into "admins"/);
    expect(() => change(wmi(db), db, 'plain', () => addTo(db, 'printers', 'plain'))).toThrow(/system group/);
    expect(() => change(wmi(db), db, 'plain', () => addTo(db, 'rsp-devs', 'plain'))).not.toThrow();
    expect(() => change(boss(db), db, 'plain', () => addTo(db, 'shadow', 'plain'))).not.toThrow();
    // Out of a restricted group is as much a right as into it.
    expect(() => change(wmi(db), db, 'plain', () => db.group.set({ ...db.group.get('shadow')!, members: [] }))).toThrow(
      /out of "shadow"/,
    );
  });

  it('takes nobody out of admins, through the primary group either', () => {
    const db = open();
    expect(() => change(boss(db), db, 'alias', () => setGid(db, 'alias', 100))).toThrow(
      /Nobody is removed from "admins"/,
    );
  });

  it('refuses a new account a stale member line would put into sudo', () => {
    const db = open();
    db.passwd.set({
      login: 'ghost',
      password: 'x',
      uid: 1010,
      gid: 100,
      gecos: '',
      home: '/home/ghost',
      shell: '/bin/bash',
    });
    expect(() => checkNewAccountRules(wmi(db), db, defs, 'ghost', false, adminGroups)).toThrow(/into "sudo"/);
    expect(() => checkNewAccountRules(boss(db), db, defs, 'ghost', false, adminGroups)).not.toThrow();
  });
});

describe('groups', () => {
  it('lets licorn-wmi members create standard groups only, and nobody a restricted GID', () => {
    const db = open();
    expect(() => checkNewGroupRules(wmi(db), { name: 'team' }, defs, adminGroups)).not.toThrow();
    expect(() => checkNewGroupRules(wmi(db), { name: 'team', system: true }, defs, adminGroups)).toThrow(
      /system groups/,
    );
    expect(() => checkNewGroupRules(wmi(db), { name: 'team', gid: 999 }, defs, adminGroups)).toThrow(/system groups/);
    // An admin group missing on this machine: its members would administer it.
    expect(() => checkNewGroupRules(wmi(db), { name: 'wheel' }, defs, adminGroups)).toThrow(/administrators' group/);
    expect(() => checkNewGroupRules(boss(db), { name: 'wheel' }, defs, adminGroups)).not.toThrow();
    expect(() => checkNewGroupRules(boss(db), { name: 'g299', gid: 299, system: true }, defs, adminGroups)).toThrow(
      /restricted/,
    );
  });

  it('changes restricted groups for nobody, system groups and admin group names for admins only', () => {
    const db = open();
    const devs = { name: 'devs', gid: 1000, system: false };
    expect(() => checkGroupChange(boss(db), { name: 'shadow', gid: 42, system: true }, adminGroups)).toThrow(
      /restricted/,
    );
    expect(() => checkGroupChange(wmi(db), { name: 'printers', gid: 500, system: true }, adminGroups)).toThrow(
      /admins/,
    );
    expect(() => checkGroupChange(boss(db), { name: 'printers', gid: 500, system: true }, adminGroups)).not.toThrow();
    expect(() => checkGroupChange(wmi(db), devs, adminGroups, 'wheel')).toThrow(/administrators' group/);
    expect(() => checkGroupChange(wmi(db), devs, adminGroups, 'developers')).not.toThrow();
  });
});
