import { applyStreamMessages } from './stream-actions.ts';

// What the page shows about its push channel.
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface StreamSocketOptions {
  topics: string[];
  url?: string;
  onState?: (state: StreamState) => void;
}

// Close code the server uses when the session ended (logout elsewhere, timeout).
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
        onState?.('ended');
        location.assign(`/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
        return;
      }
      failures += 1;
      onState?.('reconnecting');
      void checkSessionThenRetry();
    });
  };

  // An upgrade refused for want of a session looks like any network failure from here:
  // ask the API, and go to the login page if the session is gone.
  const checkSessionThenRetry = async () => {
    if (failures > 1) {
      const answer = await fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => null);
      if (answer?.status === 401) {
        onState?.('ended');
        location.assign(`/login/?next=${encodeURIComponent(location.pathname + location.search)}`);
        return;
      }
    }
    const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6)) * (0.75 + Math.random() / 2);
    timer = setTimeout(open, delay);
  };

  // Leaving the page (a link, the logout form) closes the socket: that is no outage.
  window.addEventListener('pagehide', () => { closedByPage = true; });
  window.addEventListener('beforeunload', () => { closedByPage = true; });

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
