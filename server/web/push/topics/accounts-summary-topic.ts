import type { EventBus } from '../../../core/events/event-bus.ts';
import type { AccountsService } from '../../../core/accounts/accounts-service.ts';
import type { PushHub } from '../push-hub.ts';
import type { PushTopic, StreamMessage } from '../stream-message.ts';

type Render = (template: string, data: object) => Promise<string>;

// The template of the dashboard's account and group counts.
export const accountsSummaryTemplate = 'dashboard/_accounts-summary.njk';

const accountEvents = ['account-added', 'account-removed', 'group-added', 'group-removed'] as const;

// `accounts-summary`: the dashboard's counts, for admins. A burst of changes (a bulk
// import, a shell loop) is coalesced into one re-render per turn of the event loop.
export function createAccountsSummaryTopic(accounts: AccountsService, events: EventBus, hub: PushHub, render: Render): PushTopic & { close(): void } {
  const renderMessages = async (): Promise<StreamMessage[]> =>
    [{ action: 'replace', target: 'accounts-summary', html: await render(accountsSummaryTemplate, { counts: accounts.getCounts() }) }];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void renderMessages().then((messages) => hub.publish('accounts-summary', messages));
    });
  };
  const stops = accountEvents.map((name) => events.on(name, schedule));
  return {
    name: 'accounts-summary',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: renderMessages,
    close: () => stops.forEach((stop) => stop()),
  };
}
