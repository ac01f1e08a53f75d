import type { AccountsService } from './accounts-service.ts';
import { protectedGroups } from './group-operations.ts';
import type { Group, GroupRole, GroupView } from './group-schema.ts';
import { getSharePath } from './shared-directories.ts';
import { getHelperNames } from './licorn-roles.ts';
import { type CoreMessage, say } from '../messages.ts';

// The details of a group as the accounts are now (group-schema.ts `groupSchema`): the view,
// plus its Licorn roles and shared directory when it is a standard group.
export async function getGroupDetails(accounts: AccountsService, group: GroupView): Promise<Group> {
  const helpers = getHelperNames(group.name);
  const responsibles = accounts.getGroup(helpers.responsibles)?.members ?? null;
  const guests = accounts.getGroup(helpers.guests)?.members ?? null;
  const standard = responsibles !== null && guests !== null;
  return {
    ...group,
    responsibles: standard ? responsibles : null,
    guests: standard ? guests : null,
    sharedDirectory: standard ? getSharePath(group.name) : null,
    permissive: standard ? await accounts.getPermissive(group.name) : null,
    protected: protectedGroups.includes(group.name),
    helperOf: accounts.getHelperOf(group.name),
  };
}

// Whether a group is a helper of a standard group (rsp-G, gst-G): shown with G, not alone
// (licorn-roles.ts getHelperOf, as the API's refusals read it).
export function isHelperGroup(accounts: AccountsService, name: string): boolean {
  return accounts.getHelperOf(name) !== null;
}

// The accounts in a group with their role, by login: for a standard group everyone in G,
// rsp-G or gst-G; for another group its members (primary members are not listed: the
// group file does not list them either).
export function getGroupPeople(group: Group): { login: string; role: Exclude<GroupRole, 'none'> }[] {
  const roles = new Map<string, Exclude<GroupRole, 'none'>>();
  for (const login of group.guests ?? []) roles.set(login, 'guest');
  for (const login of group.members) roles.set(login, 'member');
  for (const login of group.responsibles ?? []) roles.set(login, 'responsible');
  return [...roles].map(([login, role]) => ({ login, role })).sort((a, b) => a.login.localeCompare(b.login));
}

// How many accounts a deletion's confirmation names before "and N more".
const namedInDeletion = 5;

// What deleting a group does, said before the admin confirms: who leaves it (how many, the
// first few by login) and what becomes of its shared directory; a message, said in each
// reader's language.
export function describeGroupDeletion(group: Group): CoreMessage {
  const people = getGroupPeople(group).map((person) => person.login);
  const first = people.slice(0, namedInDeletion).join(', ');
  const named =
    people.length > namedInDeletion
      ? say('groups.deletion.more', { named: first, count: people.length - namedInDeletion })
      : first;
  const who =
    people.length === 0
      ? say('groups.deletion.nobody')
      : say('groups.deletion.members', { named, count: people.length });
  return group.sharedDirectory ? say('groups.deletion.withShare', { who, dir: group.sharedDirectory }) : who;
}
