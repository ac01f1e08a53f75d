import type { GroupView } from '../../core/accounts/account-view.ts';

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
  const hasRoles = (name: string) => names.has(`rsp-${name}`) && names.has(`gst-${name}`);
  const isHelper = (name: string) => /^(rsp|gst)-/.test(name) && names.has(name.slice(4));
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
