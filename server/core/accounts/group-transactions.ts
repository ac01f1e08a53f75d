import { CoreError } from '../errors.ts';
import type { AccountsStore } from './accounts-store.ts';
import { getGroupView, type GroupView } from './account-view.ts';
import {
  applyCreateGroup,
  applyDeleteGroup,
  applyRenameGroup,
  applySetGroupDescription,
  type NewGroup,
} from './group-operations.ts';
import { hasRoles } from './licorn-roles.ts';
import { checkGroupDeletion, checkGroupRename } from './group-protection.ts';
import type { GroupShares } from './group-shares.ts';
import { checkShareClear } from './account-directories.ts';
import { mapRows } from './bulk-rows.ts';
import type { AccountDatabase } from './account-database.ts';
import type { GroupChanges } from './group-schema.ts';
import {
  checkAccountRequest,
  checkGroupChange,
  checkNewGroupRules,
  getActorIn,
  type Requester,
} from './membership-rules.ts';
import { quoted, say } from '../messages.ts';

// The transactions on groups and memberships: a standard group's share follows its group
// as undoable steps of the same transaction.

// Every change one PATCH of a group may ask for (see updateGroup); `version` is the
// group's version the change was based on.
export type GroupUpdate = Partial<GroupChanges>;

const getView = (store: AccountsStore, name: string): GroupView =>
  getGroupView(store.database, store.context.defs, name)!;

// Creates a group; a standard one gets its helper groups and its shared directory.
export async function createGroup(
  store: AccountsStore,
  shares: GroupShares,
  input: NewGroup,
  by?: Requester,
): Promise<GroupView> {
  const entry = await store.transact(
    (db, context) => {
      if (by) checkNewGroupRules(getActorIn(db, by), input, context.defs, by.adminGroups);
      const created = applyCreateGroup(db, input, context);
      if (hasRoles(db, created.name)) checkShareClear(db, created.name, 'name');
      return created;
    },
    (created, steps, db) => shares.create(db, steps, created.name),
  );
  return getView(store, entry.name);
}

// Deletes a group (with its helpers); its shared directory is archived. Refused, whoever asks,
// for the groups the interface never deletes (checkGroupDeletion: Licorn's own and the
// administrators' groups, restricted, helper and system groups); `allowProtected` is for the
// core's own callers and tests only, never a request's.
export async function deleteGroup(
  store: AccountsStore,
  shares: GroupShares,
  name: string,
  options: { allowProtected?: boolean; by?: Requester } = {},
): Promise<{ archive: string | null }> {
  const hadShare = hasRoles(store.database, name);
  let archive: string | null = null;
  await store.transact(
    (db, context) => {
      // What the group is, then the caller's rights, both read from the files as they are now
      // (a demotion not yet seen by the watcher counts); the group's own reason says more, so
      // it comes first. A refusal rolls everything back.
      if (!options.allowProtected) checkGroupDeletion(db, context.defs, name, options.by?.adminGroups ?? []);
      const group = options.by ? getGroupView(db, context.defs, name) : null;
      if (options.by && group) checkGroupChange(getActorIn(db, options.by), group, options.by.adminGroups);
      applyDeleteGroup(db, name);
    },
    async (_, steps) => {
      if (hadShare) archive = await shares.archive(steps, name);
    },
  );
  return { archive };
}

// Every change a PATCH of a group asks for, in one transaction: all are checked first (a
// rename is refused, whoever asks, for the groups the interface never deletes: checkGroupRename;
// the version it was based on, the description, the new name free and well-formed, permissive
// only for a group with a share), then the description and the rename are
// made in the files, the share follows the rename and gets its new ACL as undoable
// steps; a refusal or a failure anywhere leaves every file, mode and ACL as it was.
export async function updateGroup(
  store: AccountsStore,
  shares: GroupShares,
  name: string,
  update: GroupUpdate,
  by?: Requester,
): Promise<GroupView> {
  const { version, description, permissive } = update;
  const newName = update.newName !== undefined && update.newName !== name ? update.newName : null;
  await store.transact(
    (db, context) => {
      const group = getGroupView(db, context.defs, name);
      if (!group) throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'name' });
      // What the group is, read from the files as they are now, says more than the caller's rights.
      if (newName !== null) checkGroupRename(db, context.defs, name, newName, by?.adminGroups ?? []);
      if (by) checkGroupChange(getActorIn(db, by), group, by.adminGroups, update.newName);
      if (version !== undefined && group.version !== version) {
        const message = say('groups.changedElsewhere', { name: quoted(name) });
        throw new CoreError('conflict', message, { field: 'version' });
      }
      if (permissive !== undefined && !hasRoles(db, name)) {
        const message = say('groups.noShare', { name: quoted(name) });
        throw new CoreError('invalid-argument', message, { field: 'permissive' });
      }
      if (description !== undefined) applySetGroupDescription(db, name, description);
      if (newName !== null) {
        applyRenameGroup(db, name, newName);
        if (hasRoles(db, newName)) checkShareClear(db, newName, 'newName');
      }
    },
    async (_, steps, db) => {
      const final = newName ?? name;
      if (newName !== null && hasRoles(db, newName)) await shares.rename(steps, name, newName);
      if (permissive !== undefined) await shares.setPermissiveStep(db, steps, final, permissive);
    },
  );
  return getView(store, newName ?? name);
}

// Applies `change` to each account in one transaction; with `by`, each is checked for
// 'change-groups' and its change of groups against Licorn's rules, on the database as it
// is inside the transaction.
export async function changeGroupsOf(
  store: AccountsStore,
  logins: string[],
  by: Requester | undefined,
  change: (db: AccountDatabase, login: string) => void,
): Promise<void> {
  await store.transact((db, context) =>
    mapRows(logins, (login) => {
      const request = by ? checkAccountRequest(db, context.defs, by, login, ['change-groups']) : null;
      change(db, login);
      request?.checkGroups();
    }),
  );
}
