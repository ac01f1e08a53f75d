import { describe, expect, it } from 'vitest';
import type { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import type { AccountView } from '../../../server/core/accounts/account-view.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import type { AccountList } from '../../../server/web/accounts/account-list.ts';
import { createAccountDetailsTopic } from '../../../server/web/push/topics/account-details-topic.ts';
import { createAccountsSummaryTopic } from '../../../server/web/push/topics/accounts-summary-topic.ts';
import { createAccountsTopic } from '../../../server/web/push/topics/accounts-topic.ts';
import { openTestHub, waitForFrame } from '../../helpers/push-followers.ts';

// Every account exists (its view is made up from the login); the counts are fixed.
const accounts = {
  getAccount: (login: string) =>
    ({ login, fullName: login, uid: 5000, groups: [], memberships: [], system: false }) as unknown as AccountView,
  getCounts: () => ({ accounts: 1, systemAccounts: 0, groups: 0, systemGroups: 0 }),
} as unknown as AccountsService;

// The hub with the accounts table, the dashboard's counts and the account pages' topics
// over an event bus; `renders` lists the templates rendered for them, in order.
function createTopics() {
  const events = new EventBus();
  const renders: string[] = [];
  const render = async (template: string, data: object) => {
    renders.push(`${template} ${(data as { account?: { login: string } }).account?.login ?? ''}`.trim());
    return '<p></p>';
  };
  const list = { generation: 1 } as AccountList;
  const { hub, follow } = openTestHub((hub) => [
    createAccountsTopic(accounts, list, events, hub, render),
    createAccountsSummaryTopic(accounts, events, hub, render),
    createAccountDetailsTopic(accounts, events, hub, render),
  ]);
  return { events, hub, renders, follow: (names: string[]) => follow(names) };
}

describe('topics nobody follows', () => {
  it('render nothing: an import of 1,000 accounts renders only the one account page open', async () => {
    const { events, hub, renders, follow } = createTopics();
    const socket = follow(['account/watched']);
    await waitForFrame(socket, 'account-facts-watched');
    expect(renders).toEqual(['accounts/_facts.njk watched']);
    expect(hub.isFollowed('account/watched')).toBe(true);
    expect(hub.isFollowed('accounts')).toBe(false);

    // The followed account comes last: once its frame is sent, every other one was handled.
    const sent = socket.sent.length;
    const published: string[] = [];
    const publish = hub.publishRendered.bind(hub);
    hub.publishRendered = (topic, render) => {
      published.push(topic);
      return publish(topic, render);
    };
    for (let i = 0; i < 1000; i += 1) events.emit('account-added', 'accounts', { login: `imported${i}` });
    events.emit('account-changed', 'accounts', { login: 'watched', fields: ['fullName'] });
    await waitForFrame(socket, 'account-facts-watched', sent);
    expect(renders).toEqual(['accounts/_facts.njk watched', 'accounts/_facts.njk watched']);

    // Nothing was even published for the others (no turn's work per unfollowed account).
    expect(published.filter((topic) => topic.startsWith('account/'))).toEqual(['account/watched']);

    // Followed again by nobody once the socket is gone.
    socket.close();
    expect(hub.isFollowed('account/watched')).toBe(false);
  });

  it('send one reload for a burst past the row limit, counted across new and changed accounts', async () => {
    const { events, renders, follow } = createTopics();
    const table = follow(['accounts']);
    await waitForFrame(table, 'accounts-counts');
    renders.length = 0;
    const sent = table.sent.length;
    // 150 new and 150 changed: each set under the limit (200), the two together past it.
    for (let i = 0; i < 150; i += 1) events.emit('account-added', 'accounts', { login: `new${i}` });
    for (let i = 0; i < 150; i += 1)
      events.emit('account-changed', 'accounts', { login: `old${i}`, fields: ['shell'] });
    await waitForFrame(table, '"reload":true', sent);
    expect(renders).toEqual(['accounts/_counts.njk']);
    // And a burst past it in one set alone.
    const before = table.sent.length;
    for (let i = 0; i < 201; i += 1) events.emit('account-added', 'accounts', { login: `more${i}` });
    await waitForFrame(table, '"reload":true', before);
    expect(renders).toEqual(['accounts/_counts.njk', 'accounts/_counts.njk']);
  });

  it('render for their followers as soon as someone follows them', async () => {
    const { events, renders, follow } = createTopics();
    const table = follow(['accounts', 'accounts-summary']);
    await waitForFrame(table, 'accounts-summary');
    renders.length = 0;
    const sent = table.sent.length;
    events.emit('account-added', 'accounts', { login: 'newcomer' });
    await waitForFrame(table, '"prepend"', sent);
    await waitForFrame(table, '"target":"accounts-summary"', sent);
    expect(renders.sort()).toEqual([
      'accounts/_counts.njk',
      'accounts/_row.njk newcomer',
      'dashboard/_accounts-summary.njk',
    ]);
  });
});
