import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../../common/i18n/locales.ts';
import type { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import type { AccountView } from '../../../server/core/accounts/account-view.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import { createAccountDetailsTopic } from '../../../server/web/push/topics/account-details-topic.ts';
import { createAccountsSummaryTopic } from '../../../server/web/push/topics/accounts-summary-topic.ts';
import type { Viewer } from '../../../server/web/push/stream-message.ts';

// A socket as the hub sees it: every frame sent is recorded as is (a Buffer shared or not).
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Buffer[] = [];
  send(frame: Buffer): void {
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

const accounts = {
  getAccount: (login: string) =>
    ({ login, fullName: login, uid: 5000, groups: [], memberships: [], system: false }) as unknown as AccountView,
  getCounts: () => ({ accounts: 1, systemAccounts: 0, groups: 0, systemGroups: 0 }),
} as unknown as AccountsService;

// The dashboard's counts and the account pages' topics; `renders` lists each render's
// template and language, and a render writes its language in the HTML.
function createTopics() {
  const events = new EventBus();
  const hub = new PushHub(log, { maxSockets: { perSession: 5000, perAddress: 5000 } });
  const renders: string[] = [];
  const render = async (template: string, _data: object, locale: Locale) => {
    renders.push(`${template} ${locale}`);
    return `<p lang="${locale}"></p>`;
  };
  const topics = [
    createAccountsSummaryTopic(accounts, events, hub, render),
    createAccountDetailsTopic(accounts, events, hub, render),
  ];
  topics.forEach((topic) => hub.registerTopic(topic));
  closers.push(() => {
    hub.close();
    topics.forEach((topic) => topic.close());
  });
  const follow = (names: string[], locale: Locale) => {
    const socket = new FakeSocket();
    hub.handleSocket(socket as unknown as WebSocket, {
      viewer: admin,
      address: '192.0.2.1',
      locale,
      getViewer: () => admin,
    });
    socket.emit('message', Buffer.from(JSON.stringify({ subscribe: names })), false);
    return socket;
  };
  return { events, hub, renders, follow };
}

// Waits, with a deadline, until every socket has received `count` frames.
async function waitForFrames(sockets: FakeSocket[], count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (sockets.some((socket) => socket.sent.length < count)) {
    if (Date.now() > deadline) throw new Error(`some socket has fewer than ${count} frames`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('pushed partials in the followers’ languages', () => {
  it('render once per language in use, and every follower of a language gets the same frame', async () => {
    const { events, renders, follow } = createTopics();
    const english = Array.from({ length: 500 }, () => follow(['accounts-summary'], 'en'));
    const french = Array.from({ length: 500 }, () => follow(['accounts-summary'], 'fr'));
    await waitForFrames([...english, ...french], 1);
    renders.length = 0;
    events.emit('account-added', 'accounts', { login: 'new' });
    await waitForFrames([...english, ...french], 2);
    expect(renders.sort()).toEqual(['dashboard/_accounts-summary.njk en', 'dashboard/_accounts-summary.njk fr']);
    const englishFrames = new Set(english.map((socket) => socket.sent[1]));
    const frenchFrames = new Set(french.map((socket) => socket.sent[1]));
    expect(englishFrames.size).toBe(1);
    expect(frenchFrames.size).toBe(1);
    expect(String([...englishFrames][0])).toContain('lang=\\"en\\"');
    expect(String([...frenchFrames][0])).toContain('lang=\\"fr\\"');
  });

  it('render nothing for a language nobody following the topic reads', async () => {
    const { events, hub, renders, follow } = createTopics();
    const page = follow(['account/watched'], 'fr');
    const other = follow(['accounts-summary'], 'en');
    await waitForFrames([page, other], 1);
    renders.length = 0;
    events.emit('account-changed', 'accounts', { login: 'watched', fields: ['fullName'] });
    await waitForFrames([page], 2);
    expect(renders).toEqual(['accounts/_facts.njk fr']);
    expect(hub.getFollowerCount('account/watched')).toBe(1);
    // The French page closes: the topic is followed by nobody, and renders nothing more.
    page.close();
    renders.length = 0;
    events.emit('account-changed', 'accounts', { login: 'watched', fields: ['fullName'] });
    events.emit('account-added', 'accounts', { login: 'another' });
    await waitForFrames([other], 2);
    expect(renders).toEqual(['dashboard/_accounts-summary.njk en']);
    expect(hub.isFollowed('account/watched')).toBe(false);
  });

  it('send each snapshot in its subscriber’s language', async () => {
    const { follow } = createTopics();
    const french = follow(['account/alice'], 'fr');
    const english = follow(['account/alice'], 'en');
    await waitForFrames([french, english], 1);
    expect(String(french.sent[0])).toContain('lang=\\"fr\\"');
    expect(String(english.sent[0])).toContain('lang=\\"en\\"');
  });
});
