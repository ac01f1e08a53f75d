import { chown, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { CoreError } from '../errors.ts';
import { join } from 'node:path';
import { createHashSetting, hashPassphrase } from '../../native/native.ts';
import { createPassword } from '../accounts/password-policy.ts';
import { formatPasswd } from '../accounts/parse-passwd.ts';
import { formatShadow } from '../accounts/parse-shadow.ts';
import { formatGroup } from '../accounts/parse-group.ts';
import { formatGshadow } from '../accounts/parse-gshadow.ts';
import { getShadowDay } from '../auth/get-login-refusal.ts';
import { basePasswd, baseGroups, loginDefs, shells, skelFiles } from './demo-base-files.ts';
import { createLoginFromName, demoGroups, demoPeople } from './demo-people.ts';
import { createShare } from '../accounts/shared-directories.ts';
import { DirectorySteps } from '../accounts/directory-steps.ts';
import type { ShareGids } from '../accounts/share-acls.ts';
import { quoted, say } from '../messages.ts';

// The file whose presence marks a directory as a demo sandbox that may be reset.
export const demoMarkerFile = '.licorn-demo';

// The account created to administer the demo.
export const demoAdminLogin = 'admin';

export interface CreateDemoRootOptions {
  // Known passwords for some logins (tests log in as them); everyone else gets a random one.
  passwords?: Record<string, string>;
}

// What the first start prints once.
export interface DemoCredentials {
  login: string;
  password: string;
}

interface Member {
  login: string;
  uid: number;
  fullName: string;
  hash: string;
  admin: boolean;
  person: (typeof demoPeople)[number] | null;
}

// Creates the demo sandbox at `root` (which must not exist yet): etc/ files in the formats
// of shadow-utils, skel, homes and group shares. Built beside `root` and renamed into place,
// so a crash never leaves half a sandbox. Returns the admin's freshly generated credentials.
export async function createDemoRoot(root: string, options: CreateDemoRootOptions = {}): Promise<DemoCredentials> {
  if (
    await stat(root).then(
      () => true,
      () => false,
    )
  ) {
    throw new CoreError('already-exists', say('demo.exists', { root: quoted(root) }), { field: 'root' });
  }
  const building = `${root}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  try {
    const credentials = await buildDemoRoot(building, options);
    await rename(building, root);
    return credentials;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

async function buildDemoRoot(building: string, options: CreateDemoRootOptions): Promise<DemoCredentials> {
  const adminPassword = options.passwords?.[demoAdminLogin] ?? createPassword();
  const yescrypt = (password: string) => hashPassphrase(password, createHashSetting('$y$', 5));

  const members: Member[] = await Promise.all(
    [
      { login: demoAdminLogin, fullName: 'Demo Administrator', admin: true, person: null },
      ...demoPeople.map((person) => ({
        login: createLoginFromName(person.fullName),
        fullName: person.fullName,
        admin: !!person.admin,
        person,
      })),
    ].map(async (member, index) => {
      const password =
        options.passwords?.[member.login] ?? (member.login === demoAdminLogin ? adminPassword : createPassword());
      const hash = await yescrypt(password);
      return { ...member, uid: 1000 + index, hash: member.person?.locked ? `!${hash}` : hash };
    }),
  );

  const files = renderDemoFiles(members);
  await mkdir(join(building, 'etc/skel'), { recursive: true });
  await mkdir(join(building, 'home/groups'), { recursive: true });
  await mkdir(join(building, 'home/archives'), { mode: 0o700 });
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(building, 'etc', name), text, { mode: name.includes('shadow') ? 0o640 : 0o644 });
  }
  for (const [name, text] of Object.entries(skelFiles)) await writeFile(join(building, 'etc/skel', name), text);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await chown(join(building, 'etc/shadow'), 0, 42);
    await chown(join(building, 'etc/gshadow'), 0, 42);
  }
  for (const member of members) {
    const home = join(building, 'home', member.login);
    await mkdir(home, { mode: 0o700 });
    for (const [name, text] of Object.entries(skelFiles)) {
      await writeFile(join(home, name), text, { mode: 0o644 });
      if (isRoot) await chown(join(home, name), member.uid, 100);
    }
    if (isRoot) await chown(home, member.uid, 100);
  }
  // Shares with Licorn's ACL; developers' is permissive.
  for (const [index, group] of demoGroups.entries()) {
    await createShare(building, new DirectorySteps(), group.name, getDemoGroupGids(index), {
      aclGid: demoGids.acl,
      permissive: group.permissive,
    });
  }
  await writeFile(join(building, demoMarkerFile), `Licorn WMI demo sandbox, created ${new Date().toISOString()}\n`);
  return { login: demoAdminLogin, password: adminPassword };
}

// The GIDs of the demo's fixed groups.
const demoGids = { admins: 300, acl: 302 };

// The GIDs of the demo's standard group number `index` and of its helpers.
function getDemoGroupGids(index: number): ShareGids {
  return { group: 10000 + index, responsibles: 310 + index * 2, guests: 311 + index * 2, admins: demoGids.admins };
}

// Renders passwd, shadow, group, gshadow, subuid, subgid, login.defs and shells for the demo's members.
function renderDemoFiles(members: Member[]): Record<string, string> {
  const today = getShadowDay();
  const passwd =
    basePasswd +
    members
      .map((member, index) => {
        const shell = index % 7 === 3 ? '/usr/bin/zsh' : '/bin/bash';
        return (
          formatPasswd({
            login: member.login,
            password: 'x',
            uid: member.uid,
            gid: 100,
            gecos: `${member.fullName},,,`,
            home: `/home/${member.login}`,
            shell,
          }) + '\n'
        );
      })
      .join('');
  const ageing = { minDays: 0, maxDays: 99999, warnDays: 7, inactiveDays: null, reserved: '' };
  const systemShadow = basePasswd
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      formatShadow({ login: line.split(':')[0]!, hash: '*', lastChange: today - 400, expireDate: null, ...ageing }),
    );
  const shadow =
    [
      ...systemShadow,
      ...members.map((member, index) =>
        formatShadow({
          login: member.login,
          hash: member.hash,
          lastChange: today - ((index * 17) % 365),
          expireDate: member.person?.expired ? today - 30 : null,
          ...ageing,
        }),
      ),
    ].join('\n') + '\n';

  const groups: { name: string; gid: number; members: string[] }[] = baseGroups.map(([name, gid]) => ({
    name,
    gid,
    members: [],
  }));
  const admins = members.filter((member) => member.admin).map((member) => member.login);
  groups.push({ name: 'admins', gid: demoGids.admins, members: admins });
  groups.push({ name: 'licorn-wmi', gid: 301, members: [] });
  groups.push({ name: 'acl', gid: demoGids.acl, members: [] });
  demoGroups.forEach((group, index) => {
    const withRole = (role: string) =>
      members.filter((member) => member.person?.groups[group.name] === role).map((member) => member.login);
    const gids = getDemoGroupGids(index);
    groups.push({ name: group.name, gid: gids.group, members: withRole('member') });
    groups.push({ name: `rsp-${group.name}`, gid: gids.responsibles, members: withRole('responsible') });
    groups.push({ name: `gst-${group.name}`, gid: gids.guests, members: withRole('guest') });
  });
  const group = groups.map((entry) => formatGroup({ ...entry, password: 'x' }) + '\n').join('');
  const gshadow = groups
    .map((entry) => formatGshadow({ name: entry.name, password: '!', admins: [], members: entry.members }) + '\n')
    .join('');
  // One range of 65,536 subordinate ids per account, from 100000, as useradd hands them out
  // with the demo's login.defs (SUB_UID_MIN, SUB_UID_COUNT).
  const subordinate = members.map((member, index) => `${member.login}:${100000 + index * 65536}:65536\n`).join('');
  return { passwd, shadow, group, gshadow, subuid: subordinate, subgid: subordinate, 'login.defs': loginDefs, shells };
}
