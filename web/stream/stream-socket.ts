import { applyStreamMessages } from './stream-actions.ts';
import { getSessionState, handleSessionLost, whenSessionBack } from './session-watch.ts';

// What the page shows about its push channel.
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface StreamSocketOptions {
  topics: string[];
  url?: string;
  onState?: (state: StreamState) => void;
}

// Close code the server uses when the session ended (logout elsewhere, timeout) or lost
// rights (a demotion: the session goes on, with less to see).
const sessionEnded = 4401;

// Opens the push channel, subscribes to `topics`, applies every frame, and reconnects by
// itself with backoff; each reconnection subscribes again, and the server answers with a
// snapshot of each topic, so whatever was missed meanwhile is re-synced.
// An open push channel: follow more topics (kept across reconnections), or close it.
export interface StreamConnection {
  subscribe(topic: string): void;
  close(): void;
}

export function connectStream({ topics: initialTopics, url, onState }: StreamSocketOptions): StreamConnection {
  const topics = [...initialTopics];
  const address = url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let socket: WebSocket | null = null;
  let failures = 0;
  let closedByPage = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    onState?.(failures === 0 ? 'connecting' : 'reconnecting');
    socket = new WebSocket(address);
    socket.addEventListener('open', () => {
      failures = 0;
      socket?.send(JSON.stringify({ subscribe: topics }));
      onState?.('live');
    });
    socket.addEventListener('message', (event) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        console.warn('stream: a frame that is not JSON was skipped');
        return;
      }
      applyStreamMessages(frame);
    });
    socket.addEventListener('close', (event) => {
      if (closedByPage) return;
      if (event.code === sessionEnded) {
        void checkSessionThenRetry(true);
        return;
      }
      failures += 1;
      onState?.('reconnecting');
      void checkSessionThenRetry(failures > 1);
    });
  };

  // An upgrade refused for want of a session looks like any network failure from here: ask
  // the API. Without a session the page says so, keeps what was typed and waits for one (a
  // login in another tab), then reconnects; the server's answers re-sync what was missed.
  // A server that does not answer (a restart) is tried again with backoff: sessions
  // survive restarts, so it comes back logged in.
  const checkSessionThenRetry = async (askFirst: boolean) => {
    if (askFirst) {
      const { state } = await getSessionState();
      if (state === 'none') {
        onState?.('ended');
        handleSessionLost();
        await whenSessionBack();
        if (closedByPage) return;
        failures = 0;
        open();
        return;
      }
      // Still logged in after a 4401: the session lost rights; reconnect at once with them.
      if (state === 'ok' && failures === 0) {
        open();
        return;
      }
    }
    const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6)) * (0.75 + Math.random() / 2);
    timer = setTimeout(open, delay);
  };

  // Leaving the page (a link, the logout form) closes the socket: that is no outage.
  window.addEventListener('pagehide', () => {
    closedByPage = true;
  });
  window.addEventListener('beforeunload', () => {
    closedByPage = true;
  });

  open();
  return {
    subscribe(topic) {
      if (topics.includes(topic)) return;
      topics.push(topic);
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ subscribe: [topic] }));
    },
    close() {
      closedByPage = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
