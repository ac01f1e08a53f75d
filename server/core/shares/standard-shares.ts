import type { AccountsService } from '../accounts/accounts-service.ts';
import { getHelperNames } from '../accounts/licorn-roles.ts';

// A standard group's share as the shares service follows it: the group's name now, its
// members of every role (guests, members, responsibles: each gets `~/G`), and whether the
// watcher has it.
export interface StandardShare {
  name: string;
  members: Set<string>;
  watched: boolean;
}

// Every standard group (one with both helper groups), by GID.
export function getStandardShares(accounts: AccountsService): Map<number, StandardShare> {
  const groups = new Map(accounts.listGroups().map((group) => [group.name, group]));
  const shares = new Map<number, StandardShare>();
  for (const group of groups.values()) {
    const helpers = getHelperNames(group.name);
    const responsibles = groups.get(helpers.responsibles);
    const guests = groups.get(helpers.guests);
    if (!responsibles || !guests) continue;
    const members = new Set([...group.members, ...responsibles.members, ...guests.members]);
    shares.set(group.gid, { name: group.name, members, watched: false });
  }
  return shares;
}
