import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../common/i18n/locales.ts';
import type { AccountsService } from '../../../server/core/accounts/accounts-service.ts';
import type { AccountView } from '../../../server/core/accounts/account-view.ts';
import { EventBus } from '../../../server/core/events/event-bus.ts';
import { createAccountDetailsTopic } from '../../../server/web/push/topics/account-details-topic.ts';
import { createAccountsSummaryTopic } from '../../../server/web/push/topics/accounts-summary-topic.ts';
import { openTestHub, waitForFrames } from '../../helpers/push-followers.ts';

const accounts = {
  getAccount: (login: string) =>
    ({ login, fullName: login, uid: 5000, groups: [], memberships: [], system: false }) as unknown as AccountView,
  getCounts: () => ({ accounts: 1, systemAccounts: 0, groups: 0, systemGroups: 0 }),
} as unknown as AccountsService;

// The dashboard's counts and the account pages' topics; `renders` lists each render's
// template and language, and a render writes its language in the HTML.
function createTopics() {
  const events = new EventBus();
  const renders: string[] = [];
  const render = async (template: string, _data: object, locale: Locale) => {
    renders.push(`${template} ${locale}`);
    return `<p lang="${locale}"></p>`;
  };
  const { hub, follow } = openTestHub(
    (hub) => [
      createAccountsSummaryTopic(accounts, events, hub, render),
      createAccountDetailsTopic(accounts, events, hub, render),
    ],
    5000,
  );
  return { events, hub, renders, follow };
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
    const englishFrames = new Set(english.map((socket) => socket.frames[1]));
    const frenchFrames = new Set(french.map((socket) => socket.frames[1]));
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
