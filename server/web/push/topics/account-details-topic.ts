import type { EventBus } from '../../../core/events/event-bus.ts';
import { followAccountLogins } from '../../../core/events/account-logins.ts';
import type { AccountsService } from '../../../core/accounts/accounts-service.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import { TurnBatch } from '../turn-batch.ts';
import type { PushTopic, StreamMessage, RenderPartial } from '../stream-message.ts';

// The partial of an account's facts on its details page.
export const accountFactsTemplate = 'accounts/_facts.njk';

// `account/<login>`: one account's details page, for admins. After a change of the account
// (or of its groups), its facts are re-rendered and its data is sent to the page's script
// (a `sample` for `account-details`), which updates the fields nobody is editing and shows
// a conflict notice on a field being edited; `account: null` says it was deleted elsewhere.
export function createAccountDetailsTopic(
  accounts: AccountsService,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const renderMessages = async (login: string, locale: Locale): Promise<StreamMessage[]> => {
    const account = accounts.getAccount(login);
    const messages: StreamMessage[] = [{ action: 'sample', target: 'account-details', data: { login, account } }];
    if (account)
      messages.unshift({
        action: 'replace',
        target: `account-facts-${login}`,
        html: await render(accountFactsTemplate, { account }, locale),
      });
    return messages;
  };
  // Only the accounts whose page is open are rendered (publishRendered).
  const batch = new TurnBatch(async (added, changed) => {
    for (const login of new Set([...added, ...changed]))
      await hub.publishRendered(`account/${login}`, (locale) => renderMessages(login, locale));
  });

  // Only accounts whose page is open are gathered: an import's 10,000 new accounts have none,
  // and each was a publish to nobody. A page opened later gets its snapshot, made after.
  const note = (login: string) => {
    if (hub.isFollowed(`account/${login}`)) batch.change(login);
  };
  const stops = followAccountLogins(events, note);
  return {
    name: 'account/',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: (_viewer, name, locale) => renderMessages(name.slice('account/'.length), locale),
    close: () => stops.forEach((stop) => stop()),
  };
}
