import type { GroupView } from './account-view.ts';
import { getHelperNames, parseHelperName } from './licorn-roles.ts';

// The groups as the account pages offer them: standard groups (with Licorn roles: guest,
// member, responsible), privileged groups (the admin groups and other groups without
// roles), and system groups; helper groups (rsp-G, gst-G) are never offered on their own.
export interface GroupCatalogue {
  standard: string[];
  privileged: string[];
  system: string[];
}

// Sorts groups into the catalogue.
export function getGroupCatalogue(groups: readonly GroupView[], adminGroups: readonly string[]): GroupCatalogue {
  const names = new Set(groups.map((group) => group.name));
  const hasRoles = (name: string) => {
    const helpers = getHelperNames(name);
    return names.has(helpers.responsibles) && names.has(helpers.guests);
  };
  const isHelper = (name: string) => {
    const helper = parseHelperName(name);
    return helper !== null && hasRoles(helper.owner);
  };
  const catalogue: GroupCatalogue = { standard: [], privileged: [], system: [] };
  for (const group of groups) {
    if (isHelper(group.name)) continue;
    if (hasRoles(group.name)) catalogue.standard.push(group.name);
    else if (adminGroups.includes(group.name) || !group.system) catalogue.privileged.push(group.name);
    else catalogue.system.push(group.name);
  }
  for (const list of Object.values(catalogue)) list.sort();
  return catalogue;
}
