import { Command } from 'commander';
import type { AccountView } from '../../core/accounts/account-schema.ts';
import { writeJson } from '../cli-context.ts';
import { UsageError } from '../cli-errors.ts';
import { readStandardInput } from '../client/read-secret.ts';
import { writeView } from '../render/load-views.ts';
import type { GroupAnswer } from './get-groups.ts';
import type { WithContext } from './get-resources.ts';
import {
  collect,
  collectList,
  collectRole,
  getResourcePath,
  parseExpiry,
  parseId,
  type Role,
} from './option-values.ts';

interface ModUserOptions {
  fullName?: string;
  shell?: string;
  home?: string;
  uid?: number;
  primaryGroup?: string;
  groups?: string[];
  role?: Record<string, Role>;
  lock?: boolean;
  unlock?: boolean;
  expiry?: number | null;
  passwordStdin?: boolean;
  forcePasswordChange?: boolean;
  newLogin?: string;
  moveHome?: boolean;
  renameGroup?: boolean;
  json?: boolean;
}

interface ModGroupOptions {
  description?: string;
  newName?: string;
  permissive?: boolean;
  member?: string[];
  guest?: string[];
  responsible?: string[];
  remove?: string[];
  json?: boolean;
}

// `licorn mod user LOGIN …` (PATCH /api/v1/accounts/LOGIN) and `licorn mod group NAME …`
// (PATCH /api/v1/groups/NAME, then a PUT of each role asked): the change is sent with the
// version just read, so an edit made meanwhile by someone else is refused (409), not lost.
export function createModCommands(withContext: WithContext): Command[] {
  const user = new Command('user')
    .description('change an account: any of the fields below, all or nothing')
    .argument('<login>', 'the account')
    .option('--full-name <name>', 'full name (GECOS)')
    .option('--shell <path>', 'login shell')
    .option('--home <path>', 'home directory (--move-home moves its files)')
    .option('--uid <uid>', 'user id', parseId)
    .option('--primary-group <group>', 'primary group')
    .option('--groups <groups>', 'the groups it is a member of (replaces them), comma-separated', collectList)
    .option(
      '--role <group=role>',
      'a role in a standard group: none, guest, member, responsible (repeatable)',
      collectRole,
    )
    .option('--lock', 'lock the account (its password no longer opens it)')
    .option('--unlock', 'unlock the account')
    .option('--expiry <YYYY-MM-DD|never>', 'the day the account expires', parseExpiry)
    .option('--password-stdin', 'read a new password from standard input')
    .option('--force-password-change', 'make it change its password at next login')
    .option('--new-login <login>', 'rename the account')
    .option('--move-home', 'with --home or --new-login, move the home directory')
    .option('--rename-group', 'with --new-login, rename its private group too')
    .option('--json', "print the API's JSON")
    .action(async (login: string, options: ModUserOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      if (options.lock && options.unlock) throw new UsageError('--lock and --unlock contradict each other');
      const changes: Record<string, unknown> = {};
      const fields = ['fullName', 'shell', 'home', 'uid', 'primaryGroup', 'groups', 'expiry', 'newLogin'] as const;
      for (const field of fields) if (options[field] !== undefined) changes[field] = options[field];
      if (options.role) changes.roles = options.role;
      if (options.lock || options.unlock) changes.locked = Boolean(options.lock);
      if (options.forcePasswordChange) changes.forcePasswordChange = true;
      if (options.moveHome) changes.moveHome = true;
      if (options.renameGroup) changes.renameGroup = true;
      if (options.passwordStdin) changes.password = await readStandardInput();
      if (Object.keys(changes).length === 0) throw new UsageError('Nothing to change: give at least one option');
      const client = getClient();
      const path = getResourcePath('accounts', login);
      const { version } = await client.call<AccountView>('GET', path);
      const text = await client.getText('PATCH', path, { version, ...changes });
      if (options.json) return writeJson(output, text);
      await writeView(output, 'account', JSON.parse(text) as AccountView);
    });

  const group = new Command('group')
    .description("change a group: description, name, permissive share, and its accounts' roles")
    .argument('<name>', 'the group')
    .option('--description <text>', 'what the group is for')
    .option('--new-name <name>', 'rename the group (its helpers and shared directory follow)')
    .option('--permissive', 'members may change every file of the share')
    .option('--no-permissive', 'members change only their own files of the share')
    .option('--member <login>', 'make an account a member (repeatable)', collect)
    .option('--guest <login>', 'make an account a guest (repeatable)', collect)
    .option('--responsible <login>', 'make an account a responsible (repeatable)', collect)
    .option('--remove <login>', 'take an account out of the group (repeatable)', collect)
    .option('--json', "print the API's JSON")
    .action(async (name: string, options: ModGroupOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const changes: Record<string, unknown> = {};
      if (options.description !== undefined) changes.description = options.description;
      if (options.newName !== undefined) changes.newName = options.newName;
      if (options.permissive !== undefined) changes.permissive = options.permissive;
      const roles: [string, Role][] = [
        ...(options.member ?? []).map((login): [string, Role] => [login, 'member']),
        ...(options.guest ?? []).map((login): [string, Role] => [login, 'guest']),
        ...(options.responsible ?? []).map((login): [string, Role] => [login, 'responsible']),
        ...(options.remove ?? []).map((login): [string, Role] => [login, 'none']),
      ];
      if (Object.keys(changes).length === 0 && roles.length === 0)
        throw new UsageError('Nothing to change: give at least one option');
      const client = getClient();
      let text = '';
      let current = name;
      if (Object.keys(changes).length > 0) {
        const { version } = await client.call<GroupAnswer>('GET', getResourcePath('groups', name));
        text = await client.getText('PATCH', getResourcePath('groups', name), { version, ...changes });
        current = (JSON.parse(text) as GroupAnswer).name;
      }
      for (const [login, role] of roles)
        text = await client.getText('PUT', `${getResourcePath('groups', current)}/roles/${encodeURIComponent(login)}`, {
          role,
        });
      if (options.json) return writeJson(output, text);
      await writeView(output, 'group', JSON.parse(text) as GroupAnswer);
    });

  return [user, group];
}
