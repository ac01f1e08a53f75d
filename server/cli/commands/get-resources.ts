import { Command } from 'commander';
import type { AccountView } from '../../core/accounts/account-schema.ts';
import type { Volume } from '../../core/volumes/volume-schema.ts';
import { writeJson, type CliContext } from '../cli-context.ts';
import { writeView } from '../render/load-views.ts';

interface ListOptions {
  json?: boolean;
  all?: boolean;
}

// Runs a verb with the context of the command that called it.
export type WithContext = (command: Command) => CliContext;

// `licorn get users|groups|volumes [NAME]` (the singular works too): a table of the
// resource, or one record, from the API's JSON; `--json` prints that JSON as it came.
export function createGetResourceCommands(withContext: WithContext): Command[] {
  const users = new Command('users')
    .alias('user')
    .description('list the accounts (system accounts with -a), or show one')
    .argument('[login]', 'one account')
    .option('--json', "print the API's JSON")
    .option('-a, --all', 'include system accounts')
    .action(async (login: string | undefined, options: ListOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const client = getClient();
      if (login !== undefined) {
        const path = `/api/v1/accounts/${encodeURIComponent(login)}`;
        if (options.json) return client.copyTo('GET', path, output);
        const text = await client.getText('GET', path);
        return writeView(output, 'account', JSON.parse(text) as AccountView);
      }
      const path = `/api/v1/accounts${options.all ? '' : '?system=false'}`;
      if (options.json) return client.copyTo('GET', path, output);
      const text = await client.getText('GET', path);
      const { accounts } = JSON.parse(text) as { accounts: AccountView[] };
      await writeView(output, 'accounts', accounts);
    });

  const volumes = new Command('volumes')
    .alias('volume')
    .description("list the machine's volumes (system ones with -a), or show one")
    .argument('[name]', 'one volume (sdb1, loop3)')
    .option('--json', "print the API's JSON")
    .option('-a, --all', 'include system volumes')
    .action(async (name: string | undefined, options: ListOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const client = getClient();
      if (name !== undefined) {
        const path = `/api/v1/volumes/${encodeURIComponent(name)}`;
        if (options.json) return client.copyTo('GET', path, output);
        const text = await client.getText('GET', path);
        return writeView(output, 'volume', JSON.parse(text) as Volume);
      }
      const answer = await client.call<{ writable: unknown; volumes: Volume[] }>('GET', '/api/v1/volumes');
      const shown = { ...answer, volumes: answer.volumes.filter((volume) => options.all || !volume.system) };
      if (options.json) return writeJson(output, JSON.stringify(shown));
      await writeView(output, 'volumes', shown.volumes);
    });

  return [users, volumes];
}
