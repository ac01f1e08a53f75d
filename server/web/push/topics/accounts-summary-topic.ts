import type { EventBus } from '../../../core/events/event-bus.ts';
import type { AccountsService } from '../../../core/accounts/accounts-service.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import { TurnBatch } from '../turn-batch.ts';
import type { PushTopic, StreamMessage, RenderPartial } from '../stream-message.ts';

// The template of the dashboard's account and group counts.
export const accountsSummaryTemplate = 'dashboard/_accounts-summary.njk';

const accountEvents = ['account-added', 'account-removed', 'group-added', 'group-removed'] as const;

// `accounts-summary`: the dashboard's counts, for admins. A burst of changes (a bulk
// import, a shell loop) is coalesced into one re-render per turn of the event loop.
export function createAccountsSummaryTopic(
  accounts: AccountsService,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const renderMessages = async (locale: Locale): Promise<StreamMessage[]> => [
    {
      action: 'replace',
      target: 'accounts-summary',
      html: await render(accountsSummaryTemplate, { counts: accounts.getCounts() }, locale),
    },
  ];
  const batch = new TurnBatch(() => hub.publishRendered('accounts-summary', renderMessages));
  const stops = accountEvents.map((name) => events.on(name, () => batch.change('counts')));
  return {
    name: 'accounts-summary',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: (_viewer, _name, locale) => renderMessages(locale),
    close: () => stops.forEach((stop) => stop()),
  };
}
