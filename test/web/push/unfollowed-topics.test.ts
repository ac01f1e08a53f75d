import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import type { AccountView } from '../../../server/core/accounts/account-view.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import type { AccountList } from '../../../server/web/accounts/account-list.ts';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import { createAccountDetailsTopic } from '../../../server/web/push/topics/account-details-topic.ts';
import { createAccountsSummaryTopic } from '../../../server/web/push/topics/accounts-summary-topic.ts';
import { createAccountsTopic } from '../../../server/web/push/topics/accounts-topic.ts';
import type { Viewer } from '../../../server/web/push/stream-message.ts';

// A socket as the hub sees it: what the hub sends is recorded.
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(frame: string): void {
    this.sent.push(frame);
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
}

const log = { warn: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger;
const admin: Viewer = { sessionId: 's-admin', publicId: 'p-admin', login: 'admin', isAdmin: true };
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

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
  const hub = new PushHub(log, { maxSockets: { perSession: 16, perAddress: 16 } });
  const renders: string[] = [];
  const render = async (template: string, data: object) => {
    renders.push(`${template} ${(data as { account?: { login: string } }).account?.login ?? ''}`.trim());
    return '<p></p>';
  };
  const list = { generation: 1 } as AccountList;
  const topics = [
    createAccountsTopic(accounts, list, events, hub, render),
    createAccountsSummaryTopic(accounts, events, hub, render),
    createAccountDetailsTopic(accounts, events, hub, render),
  ];
  topics.forEach((topic) => hub.registerTopic(topic));
  closers.push(() => {
    hub.close();
    topics.forEach((topic) => topic.close());
  });
  const follow = (names: string[]) => {
    const socket = new FakeSocket();
    hub.handleSocket(socket as unknown as WebSocket, {
      viewer: admin,
      address: '192.0.2.1',
      locale: 'en',
      getViewer: () => admin,
    });
    socket.emit('message', Buffer.from(JSON.stringify({ subscribe: names })), false);
    return socket;
  };
  return { events, hub, renders, follow };
}

// Waits, with a deadline, until `socket` has received a frame containing `text` (past its
// first `from` frames).
async function waitForFrame(socket: FakeSocket, text: string, from = 0): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!socket.sent.slice(from).some((frame) => frame.includes(text))) {
    if (Date.now() > deadline) throw new Error(`no frame with ${text}: ${socket.sent.join('\n')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
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
    for (let i = 0; i < 1000; i += 1) events.emit('account-added', 'accounts', { login: `imported${i}` });
    events.emit('account-changed', 'accounts', { login: 'watched', fields: ['fullName'] });
    await waitForFrame(socket, 'account-facts-watched', sent);
    expect(renders).toEqual(['accounts/_facts.njk watched', 'accounts/_facts.njk watched']);

    // Followed again by nobody once the socket is gone.
    socket.close();
    expect(hub.isFollowed('account/watched')).toBe(false);
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
