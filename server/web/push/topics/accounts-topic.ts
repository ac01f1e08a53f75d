import type { EventBus } from '../../../core/events/event-bus.ts';
import type { AccountsService } from '../../../core/accounts/accounts-service.ts';
import type { AccountList } from '../../accounts/account-list.ts';
import { getRowData } from '../../accounts/account-page-data.ts';
import type { Locale } from '../../../../common/i18n/locales.ts';
import type { PushHub } from '../push-hub.ts';
import { TurnBatch } from '../turn-batch.ts';
import type { PushTopic, StreamMessage, RenderPartial } from '../stream-message.ts';

// Past this many accounts changed at once (a bulk import, a shell loop), pages are told to
// fetch their rows again instead of receiving every row.
export const rowPushLimit = 200;

// `accounts`: the accounts page's rows and counts, for admins. Changes are gathered for
// one turn of the event loop (TurnBatch), then each changed account's row is pushed: a new one
// prepended to the table (the page hides it if its filter does not match), a changed one
// replaced, a removed one removed. A page that shows another page of the table simply has
// no element with that id. A burst larger than rowPushLimit becomes one `reload` for the
// table (a `sample` message: data for the script registered under `account-rows`).
export function createAccountsTopic(
  accounts: AccountsService,
  list: AccountList,
  events: EventBus,
  hub: PushHub,
  render: RenderPartial,
): PushTopic & { close(): void } {
  const renderCounts = async (locale: Locale): Promise<StreamMessage> => ({
    action: 'replace',
    target: 'accounts-counts',
    html: await render('accounts/_counts.njk', { counts: accounts.getCounts() }, locale),
  });

  // Nothing is rendered while no page follows the table (publishRendered).
  const renderChanges = async (added: Set<string>, changed: Set<string>, locale: Locale): Promise<StreamMessage[]> => {
    // A burst past the limit is seen from the sets' sizes: an import's 100,000 logins were
    // copied into a third set and an array only to be counted.
    const burst = added.size > rowPushLimit || changed.size > rowPushLimit;
    const logins = burst ? [] : [...new Set([...added, ...changed])];
    const messages: StreamMessage[] = [];
    if (burst || logins.length > rowPushLimit) {
      messages.push({ action: 'sample', target: 'account-rows', data: { reload: true, generation: list.generation } });
    } else {
      for (const login of logins) {
        const account = accounts.getAccount(login);
        if (!account) {
          messages.push({ action: 'remove', target: `account-${login}` });
          continue;
        }
        const html = await render('accounts/_row.njk', getRowData(account), locale);
        messages.push(
          added.has(login)
            ? { action: 'prepend', target: 'account-rows', html }
            : { action: 'replace', target: `account-${login}`, html },
        );
      }
    }
    messages.push(await renderCounts(locale));
    return messages;
  };
  const batch = new TurnBatch((added, changed) =>
    hub.publishRendered('accounts', (locale) => renderChanges(added, changed, locale)),
  );

  const stops = [
    events.on('account-added', ({ data }) => batch.add(data.login)),
    events.on('account-changed', ({ data }) => batch.change(data.login)),
    events.on('account-removed', ({ data }) => batch.remove(data.login)),
    events.on('group-members-changed', ({ data }) =>
      [...data.added, ...data.removed].forEach((login) => batch.change(login)),
    ),
  ];
  return {
    name: 'accounts',
    canSubscribe: (viewer) => viewer.isAdmin,
    // The page fetches its rows again if they changed since it was rendered (the
    // generation differs): a reconnecting page re-syncs whatever it missed.
    getSnapshot: async (_viewer, _name, locale) => [
      await renderCounts(locale),
      { action: 'sample', target: 'account-rows', data: { reload: false, generation: list.generation } },
    ],
    close: () => stops.forEach((stop) => stop()),
  };
}
