import { Command } from 'commander';
import type { Group } from '../../core/accounts/group-schema.ts';
import { writeJson } from '../cli-context.ts';
import { writeView } from '../render/load-views.ts';
import type { WithContext } from './get-resources.ts';

// A group as the groups API answers it.
export type GroupAnswer = Group;

// `licorn get groups [NAME]`: the groups with their members and Licorn roles (system groups
// and the rsp-/gst- helpers with -a), or one group.
export function createGetGroupsCommand(withContext: WithContext): Command {
  return new Command('groups')
    .alias('group')
    .description('list the groups (system ones with -a), or show one')
    .argument('[name]', 'one group')
    .option('--json', "print the API's JSON")
    .option('-a, --all', 'include system groups')
    .action(async (name: string | undefined, options: { json?: boolean; all?: boolean }, command: Command) => {
      const { output, getClient } = withContext(command);
      const client = getClient();
      if (name !== undefined) {
        const path = `/api/v1/groups/${encodeURIComponent(name)}`;
        if (options.json) return client.copyTo('GET', path, output);
        const text = await client.getText('GET', path);
        return writeView(output, 'group', JSON.parse(text) as GroupAnswer);
      }
      const answer = await client.call<{ groups: GroupAnswer[] }>('GET', '/api/v1/groups');
      // Helper groups show as G's responsibles and guests, not as groups of their own.
      const shown = { groups: answer.groups.filter((group) => options.all || !(group.system || group.helperOf)) };
      if (options.json) return writeJson(output, JSON.stringify(shown));
      await writeView(output, 'groups', shown.groups);
    });
}
