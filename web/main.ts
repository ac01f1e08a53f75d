// The browser entry point: connects the push channel for the topics the page names in
// <body data-topics>, and shows its state in the top bar.
import $ from 'jquery';
import { connectStream, type StreamConnection, type StreamState } from './stream/stream-socket.ts';
import { startAccountsPage } from './accounts/accounts-page.ts';
import { startCreateAccountDialog } from './accounts/create-account-dialog.ts';
import { startAccountDetails } from './accounts/account-details.ts';
import { startImportPage } from './accounts/import-page.ts';
import { startGroupsPage } from './groups/groups-page.ts';
import { startGroupDetails } from './groups/group-details.ts';
import { startStatusPage } from './status/status-page.ts';
import { startStatusCards } from './status/status-cards.ts';
import { startChangePasswordPage } from './login/change-password-page.ts';
import { startVolumesPage } from './volumes/volumes-page.ts';
import { startEventsPage } from './events/events-page.ts';
import { startMenuToggle } from './menu-toggle.ts';
import { t } from './i18n.ts';

// Each page's own behaviour, by <body data-page>.
const pages: Record<string, (stream: StreamConnection | null) => void> = {
  accounts: () => {
    startAccountsPage();
    startCreateAccountDialog();
  },
  account: startAccountDetails,
  'accounts-import': startImportPage,
  groups: startGroupsPage,
  group: startGroupDetails,
  status: startStatusPage,
  volumes: startVolumesPage,
  events: startEventsPage,
  dashboard: startStatusCards,
  'change-password': startChangePasswordPage,
};

// The top bar's words for the push channel's state.
const stateLabels: Record<StreamState, () => string> = {
  connecting: () => t('stream.connecting'),
  live: () => t('stream.live'),
  reconnecting: () => t('stream.reconnecting'),
  ended: () => t('stream.ended'),
};

$(() => {
  startMenuToggle();
  const topics = (document.body.dataset.topics ?? '').split(/\s+/).filter(Boolean);
  const indicator = $('#connection-state');
  const stream =
    topics.length === 0
      ? null
      : connectStream({
          topics,
          onState(state) {
            indicator.attr('data-state', state).text(stateLabels[state]());
          },
        });
  pages[document.body.dataset.page ?? '']?.(stream);
});
