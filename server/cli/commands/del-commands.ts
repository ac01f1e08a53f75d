import { Command, Option } from 'commander';
import { writeJson } from '../cli-context.ts';
import { UsageError } from '../cli-errors.ts';
import { getTerminalText } from '../../core/text/terminal-text.ts';
import type { WithContext } from './get-resources.ts';
import { getResourcePath } from './option-values.ts';

interface DelUserOptions {
  home: 'archive' | 'remove' | 'keep';
  keepHome?: boolean;
  removeHome?: boolean;
  endProcesses?: boolean;
  json?: boolean;
}

// The core's sentence in an answer: its text is in the terminal's language (Accept-Language).
interface AnsweredMessage {
  text: string;
}

// What the daemon says it did when it deleted an account.
interface DeletedAccount {
  archive: string | null;
  home: { home: string; action: string; warningMessage: AnsweredMessage | null };
  privateGroup: string | null;
  groupKeptMessage: AnsweredMessage | null;
  endedCount: number;
}

// `licorn del user LOGIN` (its home archived unless --keep-home or --remove-home; refused
// while its processes run unless --end-processes) and `licorn del group NAME`.
export function createDelCommands(withContext: WithContext): Command[] {
  const user = new Command('user')
    .description('delete an account; its home is archived unless asked otherwise')
    .argument('<login>', 'the account')
    .addOption(
      new Option('--home <what>', 'what to do with its home').choices(['archive', 'remove', 'keep']).default('archive'),
    )
    .option('--keep-home', 'keep its home where it is (same as --home keep)')
    .option('--remove-home', 'remove its home (same as --home remove)')
    .option('--end-processes', "end the account's running processes first (SIGTERM, then SIGKILL)")
    .option('--json', "print the API's JSON")
    .action(async (login: string, options: DelUserOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      if (options.keepHome && options.removeHome)
        throw new UsageError('--keep-home and --remove-home contradict each other');
      const home = options.keepHome ? 'keep' : options.removeHome ? 'remove' : options.home;
      const query = new URLSearchParams({ home, endProcesses: String(Boolean(options.endProcesses)) });
      const text = await getClient().getText('DELETE', `${getResourcePath('accounts', login)}?${query}`);
      if (options.json) return writeJson(output, text);
      const deleted = JSON.parse(text) as DeletedAccount;
      const lines = [`Deleted account ${login}`];
      if (deleted.endedCount > 0) lines.push(`${deleted.endedCount} processes ended first`);
      lines.push(
        deleted.archive ? `home archived to ${deleted.archive}` : `home ${deleted.home.home}: ${deleted.home.action}`,
      );
      if (deleted.home.warningMessage) lines.push(deleted.home.warningMessage.text);
      if (deleted.privateGroup) lines.push(`private group ${deleted.privateGroup} deleted`);
      if (deleted.groupKeptMessage) lines.push(deleted.groupKeptMessage.text);
      output.write(`${lines.map((line) => getTerminalText(line)).join('\n')}\n`);
    });

  const group = new Command('group')
    .description('delete a group; its shared directory is archived')
    .argument('<name>', 'the group')
    .option('--json', "print the API's JSON")
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const { output, getClient } = withContext(command);
      const text = await getClient().getText('DELETE', getResourcePath('groups', name));
      if (options.json) return writeJson(output, text);
      const { archive } = JSON.parse(text) as { archive: string | null };
      output.write(
        getTerminalText(`Deleted group ${name}${archive ? `; shared directory archived to ${archive}` : ''}`) + '\n',
      );
    });

  return [user, group];
}
