import { Command } from 'commander';
import { groupSchema, type Group } from '../../core/accounts/group-schema.ts';
import { writeJson } from '../cli-context.ts';
import { getColumns } from '../render/columns.ts';
import type { Output } from '../render/output.ts';
import { renderRecord, renderTable } from '../render/table.ts';
import type { WithContext } from './get-resources.ts';

// A group as the groups API answers it.
export type GroupAnswer = Group;

const groupColumns = getColumns<GroupAnswer>(groupSchema, [
  'name',
  'gid',
  'description',
  'members',
  'responsibles',
  'guests',
]);
const groupRecord = getColumns<GroupAnswer>(groupSchema, [
  'name',
  'gid',
  'description',
  'members',
  'responsibles',
  'guests',
  'sharedDirectory',
  'permissive',
  'system',
  'protected',
]);

// One group as "Label: value" lines (get group NAME, add group, mod group).
export function renderGroupRecord(output: Output, group: GroupAnswer): string {
  return renderRecord(output, groupRecord, group);
}

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
        const text = await client.getText('GET', `/api/v1/groups/${encodeURIComponent(name)}`);
        if (options.json) return writeJson(output, text);
        return output.write(renderGroupRecord(output, JSON.parse(text) as GroupAnswer));
      }
      const answer = await client.call<{ groups: GroupAnswer[] }>('GET', '/api/v1/groups');
      const names = new Set(answer.groups.map((group) => group.name));
      // rsp-G and gst-G show as G's responsibles and guests, not as groups of their own.
      const isHelper = (group: GroupAnswer) => /^(rsp|gst)-/.test(group.name) && names.has(group.name.slice(4));
      const shown = { groups: answer.groups.filter((group) => options.all || !(group.system || isHelper(group))) };
      if (options.json) return writeJson(output, JSON.stringify(shown));
      output.write(renderTable(output, groupColumns, shown.groups, (group) => (group.system ? 'dim' : null)));
    });
}
