import type { WebSocket } from 'ws';
import type { Locale } from '../../../common/i18n/locales.ts';
import type { TokenBucket } from './token-bucket.ts';
import type { Viewer } from './stream-message.ts';
import type { FrameOutbox } from './frame-outbox.ts';

// Who holds a socket: the viewer at upgrade, the client's address, the language its page
// reads (the upgrade request's: fixed for the socket's life, as the page's words are), and how
// to read the viewer again (its session with current rights, or null once the session ended).
export interface SocketOwner {
  viewer: Viewer;
  address: string;
  locale: Locale;
  getViewer(): Viewer | null;
}

// Open sockets allowed per session and per client address (config push.max_sockets_per_*).
export interface SocketLimits {
  perSession: number;
  perAddress: number;
}

// A socket the hub holds, with what it follows and its rates.
export interface Client extends SocketOwner {
  socket: WebSocket;
  // The socket's frames in order, large ones in fragments.
  outbox: FrameOutbox;
  topics: Set<string>;
  // Topics whose snapshot is still to be sent, rendered one at a time.
  snapshots: Set<string>;
  rendering: boolean;
  alive: boolean;
  closing: boolean;
  subscribeRate: TokenBucket;
  notices: TokenBucket;
  refusedNames: number;
}

// Close codes the browser client acts on (4401: go to the login page; others: reconnect).
export const closeCodes = {
  sessionEnded: 4401,
  badFrame: 1007,
  policyViolation: 1008,
  tooMany: 4429,
  shuttingDown: 1001,
} as const;
