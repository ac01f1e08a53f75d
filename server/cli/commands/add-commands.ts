import { Command } from 'commander';
import type { AccountView } from '../../core/accounts/account-schema.ts';
import { writeJson } from '../cli-context.ts';
import { readStandardInput } from '../client/read-secret.ts';
import { writeView } from '../render/load-views.ts';
import { getTerminalText } from '../../core/text/terminal-text.ts';
import type { GroupAnswer } from './get-groups.ts';
import type { WithContext } from './get-resources.ts';
import { collectList, collectRole, parseId, type Role } from './option-values.ts';

interface AddUserOptions {
  fullName?: string;
  groups?: string[];
  primaryGroup?: string;
  role?: Record<string, Role>;
  shell?: string;
  home?: string;
  uid?: number;
  system?: boolean;
  passwordStdin?: boolean;
  password?: boolean;
  createHome?: boolean;
  json?: boolean;
}

interface AddGroupOptions {
  description?: string;
  system?: boolean;
  gid?: number;
  json?: boolean;
}

// `licorn add user LOGIN …` and `licorn add group NAME …`: POST /api/v1/accounts and
// /api/v1/groups with the fields given; the daemon checks, creates and audits.
export function createAddCommands(withContext: WithContext): Command[] {
  const user = new Command('user')
    .description('create an account (a password is generated and shown once unless --password-stdin)')
    .argument('<login>', 'the login name')
    .option('--full-name <name>', 'full name (GECOS)')
    .option('--groups <groups>', 'groups it is a member of, comma-separated or repeated', collectList)
    .option('--role <group=role>', 'a role in a standard group: guest, member or responsible (repeatable)', collectRole)
    .option('--primary-group <group>', 'its primary group (default: a private group)')
    .option('--shell <path>', "login shell, one of the machine's shells")
    .option('--home <path>', 'home directory')
    .option('--uid <uid>', 'user id (default: the next free one)', parseId)
    .option('--system', 'a system account')
    .option('--password-stdin', 'read its password from standard input')
    .option('--no-password', 'no password: logging in with one is disabled')
    .option('--no-create-home', 'do not create its home directory')
    .option('--json', "print the API's JSON")
    .action(async (login: string, options: AddUserOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const body: Record<string, unknown> = { login };
      if (options.fullName !== undefined) body.fullName = options.fullName;
      if (options.groups) body.groups = options.groups;
      if (options.role) body.roles = options.role;
      if (options.primaryGroup !== undefined) body.primaryGroup = options.primaryGroup;
      if (options.shell !== undefined) body.shell = options.shell;
      if (options.home !== undefined) body.home = options.home;
      if (options.uid !== undefined) body.uid = options.uid;
      if (options.system) body.system = true;
      if (options.createHome === false) body.createHome = false;
      if (options.password === false) body.password = null;
      else if (options.passwordStdin) body.password = await readStandardInput();
      const text = await getClient().getText('POST', '/api/v1/accounts', body);
      if (options.json) return writeJson(output, text);
      const created = JSON.parse(text) as { account: AccountView; generatedPassword?: string | null };
      await writeView(output, 'account', created.account);
      if (created.generatedPassword)
        output.write(`Generated password (shown once): ${getTerminalText(created.generatedPassword)}\n`);
    });

  const group = new Command('group')
    .description('create a group (a standard one gets responsibles, guests and a shared directory)')
    .argument('<name>', 'the group name')
    .option('--description <text>', 'what the group is for')
    .option('--system', 'a system group (no Licorn roles, no shared directory)')
    .option('--gid <gid>', 'group id (default: the next free one)', parseId)
    .option('--json', "print the API's JSON")
    .action(async (name: string, options: AddGroupOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const body: Record<string, unknown> = { name };
      if (options.description !== undefined) body.description = options.description;
      if (options.system) body.system = true;
      if (options.gid !== undefined) body.gid = options.gid;
      const text = await getClient().getText('POST', '/api/v1/groups', body);
      if (options.json) return writeJson(output, text);
      await writeView(output, 'group', JSON.parse(text) as GroupAnswer);
    });

  return [user, group];
}
