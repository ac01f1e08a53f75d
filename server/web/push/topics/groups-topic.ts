import type { EventBus } from '../../../core/events/event-bus.ts';
import type { AccountsService } from '../../../core/accounts/accounts-service.ts';
import { describeGroupDeletion, getGroupDetails, getGroupPeople } from '../../../core/accounts/group-details.ts';
import { renderMessage } from '../../../core/messages.ts';
import { parseHelperName } from '../../../core/accounts/licorn-roles.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import { TurnBatch } from '../turn-batch.ts';
import type { PushTopic, StreamMessage, RenderPartial } from '../stream-message.ts';

// `groups` (the list's rows and counts) and `group/<name>` (one group's facts and
// accounts, and its data for the page's script), for admins. A change of a helper group
// (rsp-G, gst-G) is a change of G. Changes are gathered for one turn of the event loop.
export function createGroupsTopics(
  accounts: AccountsService,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): (PushTopic & { close(): void })[] {
  const renderDetails = async (name: string, locale: Locale): Promise<StreamMessage[]> => {
    const view = accounts.getGroup(name);
    if (!view) return [{ action: 'sample', target: 'group-details', data: { name, group: null } }];
    const group = await getGroupDetails(accounts, view);
    return [
      { action: 'replace', target: `group-facts-${name}`, html: await render('groups/_facts.njk', { group }, locale) },
      {
        action: 'replace',
        target: `group-members-${name}`,
        html: await render('groups/_members.njk', { group, people: getGroupPeople(group) }, locale),
      },
      {
        action: 'replace',
        target: 'group-delete-summary',
        html: await render(
          'groups/_delete-summary.njk',
          { deletion: renderMessage(describeGroupDeletion(group), locale) },
          locale,
        ),
      },
      { action: 'sample', target: 'group-details', data: { name, group } },
    ];
  };
  const renderCounts = async (locale: Locale): Promise<StreamMessage> => ({
    action: 'replace',
    target: 'groups-counts',
    html: await render('groups/_counts.njk', { counts: accounts.getCounts() }, locale),
  });

  const renderRows = async (added: Set<string>, names: Set<string>, locale: Locale): Promise<StreamMessage[]> => {
    const rows: StreamMessage[] = [];
    for (const name of names) {
      const view = accounts.getGroup(name);
      if (!view) {
        rows.push({ action: 'remove', target: `group-${name}` });
        continue;
      }
      const html = await render('groups/_row.njk', { group: await getGroupDetails(accounts, view) }, locale);
      rows.push(
        added.has(name)
          ? { action: 'prepend', target: 'group-rows', html }
          : { action: 'replace', target: `group-${name}`, html },
      );
    }
    rows.push(await renderCounts(locale));
    return rows;
  };
  // Only what a page follows is rendered (publishRendered).
  const batch = new TurnBatch(async (added, changed) => {
    const names = new Set([...added, ...changed]);
    for (const name of names) await hub.publishRendered(`group/${name}`, (locale) => renderDetails(name, locale));
    await hub.publishRendered('groups', (locale) => renderRows(added, names, locale));
  });
  // A group named as a helper of G (rsp-G, gst-G) that comes, changes or goes changes G's roles;
  // it is a row of its own only when it is no helper (G lacks the other: getHelperOf).
  const onGroup = (name: string, what: 'add' | 'change' | 'remove') => {
    const owner = parseHelperName(name)?.owner;
    if (owner !== undefined && accounts.getGroup(owner)) batch.change(owner);
    if (!accounts.getHelperOf(name)) batch[what](name);
  };

  const stops = [
    events.on('group-added', ({ data }) => onGroup(data.name, 'add')),
    events.on('group-changed', ({ data }) => onGroup(data.name, 'change')),
    events.on('group-members-changed', ({ data }) => onGroup(data.name, 'change')),
    events.on('group-removed', ({ data }) => onGroup(data.name, 'remove')),
  ];
  const close = () => stops.forEach((stop) => stop());
  return [
    {
      name: 'groups',
      canSubscribe: (viewer) => viewer.isAdmin,
      getSnapshot: async (_viewer, _name, locale) => [await renderCounts(locale)],
      close,
    },
    {
      name: 'group/',
      canSubscribe: (viewer) => viewer.isAdmin,
      getSnapshot: (_viewer, name, locale) => renderDetails(name.slice('group/'.length), locale),
      close: () => {},
    },
  ];
}
