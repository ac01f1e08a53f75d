import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config/load-config.ts';
import { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import {
  defaultAccountRanges,
  isRestrictedGid,
  isRestrictedUid,
  setAccountRanges,
} from '../../../server/core/accounts/account-ranges.ts';
import { getGroupRefusals } from '../../../server/core/accounts/group-protection.ts';
import { renderMessage, renderMessages } from '../../../server/core/messages.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';

// Licorn's ID ranges as configuration (accounts.*): checked at start, and the restricted
// rule, the creation ranges and the counts follow a raised bound.
const run = promisify(execFile);
const raised = { systemIdMin: 300, standardUidMax: 129999, standardGidMax: 129999 };

let dir: string;
const configWith = async (text: string) => {
  const path = join(dir, 'licorn.conf');
  await writeFile(path, text);
  return () => loadConfig({ argv: ['--config', path], env: {}, cwd: dir });
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'licorn-ranges-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => setAccountRanges(defaultAccountRanges));

describe('the accounts.* keys', () => {
  it("are Licorn's defaults when not given, and read from the file", async () => {
    expect((await configWith(''))().accounts).toEqual({
      systemIdMin: 300,
      standardUidMax: 29999,
      standardGidMax: 29999,
    });
    const load = await configWith('[accounts]\nstandard_uid_max = 129999\nstandard_gid_max = 129999\n');
    expect(load().accounts).toEqual(raised);
  });

  it('refuse a maximum at or below the system minimum, naming the key and its value', async () => {
    const load = await configWith('[accounts]\nsystem_id_min = 5000\nstandard_uid_max = 4999\n');
    expect(load).toThrow('accounts.standard_uid_max = 4999 must be above accounts.system_id_min = 5000');
    const gid = await configWith('[accounts]\nstandard_gid_max = 1000\nsystem_id_min = 1000\n');
    expect(gid).toThrow('accounts.standard_gid_max = 1000 must be above accounts.system_id_min = 1000');
  });

  it('refuse IDs past 2^31-2 and a system minimum of 0 (root would be touchable)', async () => {
    expect(await configWith('[accounts]\nstandard_uid_max = 2147483647\n')).toThrow(/accounts\.standard_uid_max/);
    expect(await configWith('[accounts]\nsystem_id_min = 0\n')).toThrow(/accounts\.system_id_min.*"?0"?/);
  });
});

describe('the restricted rule at a raised bound', () => {
  it('moves with accounts.standard_uid_max and standard_gid_max', () => {
    expect(isRestrictedUid(30000)).toBe(true);
    setAccountRanges(raised);
    expect(isRestrictedUid(30000)).toBe(false);
    expect(isRestrictedUid(129999)).toBe(false);
    expect(isRestrictedUid(130000)).toBe(true);
    expect(isRestrictedUid(299)).toBe(true);
    expect(isRestrictedGid(100000)).toBe(false);
    const refusal = getGroupRefusals({ name: 'big', gid: 130000, system: true, helperOf: null }, []).delete;
    expect(refusal && renderMessage(refusal, 'en')).toBe(
      'The group "big" is a restricted group (GID 130000), never touched through the interface',
    );
  });

  describe('on a root whose login.defs says UID_MAX 129999', () => {
    let sandbox: Sandbox;
    let service: AccountsService;
    beforeAll(async () => {
      sandbox = await createSandbox();
      // The last value of a key wins; subordinate IDs moved above the standard ones.
      const defs = 'UID_MAX 129999\nGID_MAX 129999\nSUB_UID_MIN 1000000\nSUB_GID_MIN 1000000\n';
      await appendFile(join(sandbox.root, 'etc/login.defs'), defs);
    });
    afterAll(async () => {
      await service?.close();
      await sandbox?.remove();
    });

    it('keeps the default bound of 29999 until the key is raised', async () => {
      service = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
      await expect(
        service.createAccount({ login: 'past', uid: 40000, password: null, createHome: false }),
      ).rejects.toThrow(/out of range for standard accounts: 1000–29999/);
      await service.close();
    });

    it('creates, changes and counts an account at UID 100000 once raised; 130000 stays restricted', async () => {
      setAccountRanges(raised);
      service = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
      const before = service.getCounts();
      await service.createAccount({ login: 'wide', uid: 100000, password: null, createHome: false });
      expect(service.getAccount('wide')).toMatchObject({ uid: 100000, system: false });
      await service.modifyAccount('wide', { fullName: 'Wide Range' });
      expect(service.getCounts().accounts).toBe(before.accounts + 1);
      await run('useradd', ['--prefix', sandbox.root, '-M', '-u', '130000', '-K', 'UID_MAX=140000', 'beyond']);
      await service.settle();
      await expect(service.modifyAccount('beyond', { fullName: 'Beyond' })).rejects.toThrow(
        '"beyond" is a restricted account (UID 130000): Licorn never touches accounts with a UID below 300 or ' +
          'above 129999',
      );
    });

    it('refuses to open when the standard UIDs would run into the subordinate ones', async () => {
      await service.close();
      await appendFile(join(sandbox.root, 'etc/login.defs'), 'SUB_UID_MIN 100000\n');
      setAccountRanges(raised);
      await expect(AccountsService.open({ root: sandbox.root, events: new EventBus() })).rejects.toThrow(
        "accounts.standard_uid_max = 129999 overlaps the subordinate UIDs from login.defs' SUB_UID_MIN 100000",
      );
    });
  });
});

// Red team 10 F3: nobody's and nogroup's IDs stay restricted at a raised bound (the bench's
// 129999), and the creation ranges skip them, as useradd does.
describe('IDs never handed out (65534, 65535, 2^32-2, 2^32-1) at a raised bound', () => {
  let sandbox: Sandbox;
  let service: AccountsService;
  const files = () =>
    Promise.all(
      ['passwd', 'shadow', 'group', 'gshadow'].map((name) => readFile(join(sandbox.root, 'etc', name), 'utf8')),
    );
  beforeAll(async () => {
    sandbox = await createSandbox();
    const defs = 'UID_MAX 129999\nGID_MAX 129999\nSUB_UID_MIN 1000000\nSUB_GID_MIN 1000000\n';
    await appendFile(join(sandbox.root, 'etc/login.defs'), defs);
    setAccountRanges(raised);
    service = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
  });
  afterAll(async () => {
    await service?.close();
    await sandbox?.remove();
  });

  it('are restricted whatever the ranges; their neighbours are not', () => {
    setAccountRanges(raised);
    for (const id of [65534, 65535, 4294967294, 4294967295]) {
      expect(isRestrictedUid(id)).toBe(true);
      expect(isRestrictedGid(id)).toBe(true);
    }
    expect(isRestrictedUid(65533)).toBe(false);
    expect(isRestrictedUid(65536)).toBe(false);
    expect(isRestrictedGid(65536)).toBe(false);
  });

  it('keep nobody and nogroup out of reach: every change refused, no file changed', async () => {
    setAccountRanges(raised);
    const before = await files();
    const restricted =
      '"nobody" is a restricted account (UID 65534): Licorn never touches accounts with a UID of 65534, 65535, ' +
      '4294967294 or 4294967295 (never handed out: nobody, nogroup)';
    await expect(service.modifyAccount('nobody', { shell: '/bin/bash', home: '/home/nobody' })).rejects.toThrow(
      restricted,
    );
    await expect(service.setPassword('nobody', 'Xyzzy-horse-battery-42')).rejects.toThrow(restricted);
    await expect(service.setLocked('nobody', true)).rejects.toThrow(restricted);
    await expect(service.renameAccount('nobody', 'nobody2')).rejects.toThrow(restricted);
    await expect(service.deleteAccount('nobody', 'keep')).rejects.toThrow(restricted);
    await expect(service.setRole('developers', 'nobody', 'member')).rejects.toThrow(restricted);
    await expect(service.setRole('developers', 'nobody', 'responsible')).rejects.toThrow(restricted);
    // The one rule for groups (the core refuses with it whoever asks; the page shows it).
    const restrictedGroup =
      'The group "nogroup" is a restricted group (GID 65534), never touched through the interface';
    await expect(service.deleteGroup('nogroup')).rejects.toThrow(restrictedGroup);
    await expect(service.renameGroup('nogroup', 'nogroup2')).rejects.toThrow(restrictedGroup);
    const refusals = renderMessages(
      getGroupRefusals({ name: 'nogroup', gid: 65534, system: true, helperOf: null }, []),
      'en',
    );
    expect(refusals.delete).toBe(restrictedGroup);
    expect(refusals.rename).toBe(refusals.delete);
    expect(await files()).toEqual(before);
  });

  it('are system ones in the views and the counts', () => {
    expect(service.getAccount('nobody')).toMatchObject({ uid: 65534, system: true });
    expect(service.getGroup('nogroup')).toMatchObject({ gid: 65534, system: true });
    const counts = service.getCounts();
    expect(counts.accounts).toBe(service.listAccounts().filter((account) => !account.system).length);
    expect(counts.groups).toBe(service.listGroups().filter((group) => !group.system).length);
  });

  it('are skipped when a new account or group takes the next ID, and refused when asked for', async () => {
    setAccountRanges(raised);
    // The highest standard IDs just below them: the next free one is 65535, then 65536.
    await run('useradd', ['--prefix', sandbox.root, '-M', '-N', '-g', 'users', '-u', '65533', 'edge']);
    await run('groupadd', ['--prefix', sandbox.root, '-g', '65533', 'edges']);
    await service.settle();
    await service.createAccount({ login: 'next', password: null, createHome: false });
    expect(service.getAccount('next')).toMatchObject({ uid: 65536, system: false });
    await service.createGroup({ name: 'nextgroup', roles: false });
    expect(service.getGroup('nextgroup')).toMatchObject({ gid: 65536 });
    for (const uid of [65534, 65535]) {
      await expect(service.createAccount({ login: 'taker', uid, password: null, createHome: false })).rejects.toThrow(
        `UID ${uid} is never handed out (nobody's and nogroup's IDs): choose another`,
      );
      await expect(service.modifyAccount('next', { uid })).rejects.toThrow(`UID ${uid} is never handed out`);
    }
    await expect(service.createGroup({ name: 'taker', gid: 65535, roles: false })).rejects.toThrow(
      'GID 65535 is never handed out',
    );
    expect(service.getAccount('taker')).toBeNull();
    expect(service.getGroup('taker')).toBeNull();
  });
});

// Red team 10 F4: a system minimum above login.defs' UID_MIN or GID_MIN would make useradd's
// first standard IDs restricted (Licorn would create accounts it then refuses to touch).
describe('accounts.system_id_min above login.defs UID_MIN or GID_MIN', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterAll(() => sandbox?.remove());

  it('is refused at start, naming the key and both values', async () => {
    setAccountRanges({ ...defaultAccountRanges, systemIdMin: 5000 });
    await expect(AccountsService.open({ root: sandbox.root, events: new EventBus() })).rejects.toThrow(
      "accounts.system_id_min = 5000 is above login.defs' UID_MIN 1000",
    );
    await appendFile(join(sandbox.root, 'etc/login.defs'), 'UID_MIN 6000\nGID_MIN 4000\n');
    await expect(AccountsService.open({ root: sandbox.root, events: new EventBus() })).rejects.toThrow(
      "accounts.system_id_min = 5000 is above login.defs' GID_MIN 4000",
    );
  });

  it('is accepted at UID_MIN itself', async () => {
    await appendFile(join(sandbox.root, 'etc/login.defs'), 'UID_MIN 1000\nGID_MIN 1000\n');
    setAccountRanges({ ...defaultAccountRanges, systemIdMin: 1000 });
    const service = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
    await service.close();
  });
});
