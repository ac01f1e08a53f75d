import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { checkLoginFree, getChangeableAccount } from './account-checks.ts';
import { getIdIndex } from './id-index.ts';
import { checkHomePath, noteHomeChange } from './home-paths.ts';
import { validateName } from './validate-fields.ts';
import { quoted, say } from '../messages.ts';

// Renames an account in passwd, shadow and every group list; `home` is its new home path
// when it moves (the caller moves the directory), `renameGroup` renames its primary group
// too when that group has the account's old name.
export function applyRenameAccount(
  db: AccountDatabase,
  login: string,
  newLogin: string,
  options: { home?: string; renameGroup?: boolean; homeBase?: string } = {},
): { home: string } {
  const account = getChangeableAccount(db, login);
  const target = validateName(newLogin, 'login');
  checkLoginFree(db, target, 'newLogin');
  const primary = db.group.get(login);
  const renameGroup = !!options.renameGroup && primary !== undefined && primary.gid === account.gid;
  // Whether or not its private group follows: a group renamed onto an existing name would make
  // two groups of one name (a second `users`, a second `acl`).
  if (db.group.has(target) || (renameGroup && db.gshadow.has(target))) {
    throw new CoreError('already-exists', say('accounts.groupNamed', { name: quoted(target) }), { field: 'newLogin' });
  }
  const home =
    options.home === undefined
      ? account.home
      : checkHomePath(db, login, options.home, options.homeBase ?? '/home', 'moveHome');
  db.passwd.rename(login, { ...account, login: target, home });
  noteHomeChange(db, login, account.home, null);
  noteHomeChange(db, target, null, home);
  const shadow = db.shadow.get(login);
  if (shadow) db.shadow.rename(login, { ...shadow, login: target });
  const swap = (names: string[]) => names.map((name) => (name === login ? target : name));
  for (const group of [...db.group.entries()]) {
    if (group.members.includes(login)) db.group.set({ ...group, members: swap(group.members) });
  }
  for (const group of [...db.gshadow.entries()]) {
    if (group.members.includes(login) || group.admins.includes(login))
      db.gshadow.set({ ...group, members: swap(group.members), admins: swap(group.admins) });
  }
  if (renameGroup) {
    db.group.rename(login, { ...primary!, name: target });
    getIdIndex(db).gidOwners.set(primary!.gid, target);
    const groupShadow = db.gshadow.get(login);
    if (groupShadow) db.gshadow.rename(login, { ...groupShadow, name: target });
  }
  const ids = getIdIndex(db);
  ids.uidOwners.set(account.uid, target);
  return { home };
}
