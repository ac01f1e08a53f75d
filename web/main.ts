// The browser entry point: connects the push channel for the topics the page names in
// <body data-topics>, and shows its state in the top bar.
import $ from 'jquery';
import { connectStream, type StreamState } from './stream/stream-socket.ts';
import { startAccountsPage } from './accounts/accounts-page.ts';
import { startCreateAccountDialog } from './accounts/create-account-dialog.ts';
import { startAccountDetails } from './accounts/account-details.ts';

// Each page's own behaviour, by <body data-page>.
const pages: Record<string, () => void> = {
  accounts: () => {
    startAccountsPage();
    startCreateAccountDialog();
  },
  account: startAccountDetails,
};

const stateLabels: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Session ended',
};

$(() => {
  pages[document.body.dataset.page ?? '']?.();
  const topics = (document.body.dataset.topics ?? '').split(/\s+/).filter(Boolean);
  if (topics.length === 0) return;
  const indicator = $('#connection-state');
  connectStream({
    topics,
    onState(state) {
      indicator.attr('data-state', state).text(stateLabels[state]);
    },
  });
});
