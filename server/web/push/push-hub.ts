import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { PushTopic, StreamMessage, Viewer } from './stream-message.ts';

interface Client {
  socket: WebSocket;
  viewer: Viewer;
  topics: Set<string>;
  alive: boolean;
}

// What a browser may send: subscribe to or leave topics.
interface ClientRequest {
  subscribe?: unknown;
  unsubscribe?: unknown;
}

// Close codes the browser client acts on.
export const closeCodes = { sessionEnded: 4401, badFrame: 1007, shuttingDown: 1001 } as const;

// Keeps the open sockets and their topic subscriptions, and fans messages out to them.
export class PushHub {
  readonly #topics = new Map<string, PushTopic>();
  readonly #clients = new Set<Client>();
  readonly #log: FastifyBaseLogger;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(log: FastifyBaseLogger) {
    this.#log = log;
    // Ping every 30 s; a socket that did not answer the previous ping is dead (laptop lid
    // closed, network gone) and is dropped so it stops costing fan-out work.
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) {
        if (!client.alive) client.socket.terminate();
        client.alive = false;
        client.socket.ping();
      }
    }, 30_000);
    this.#heartbeat.unref();
  }

  // Makes a topic available to subscribe to.
  registerTopic(topic: PushTopic): void {
    this.#topics.set(topic.name, topic);
  }

  // How many sockets are open (status figures, tests).
  get clientCount(): number {
    return this.#clients.size;
  }

  // Takes over a socket that passed the session and Origin checks.
  handleSocket(socket: WebSocket, viewer: Viewer): void {
    const client: Client = { socket, viewer, topics: new Set(), alive: true };
    this.#clients.add(client);
    socket.on('pong', () => { client.alive = true; });
    socket.on('close', () => {
      this.#clients.delete(client);
      for (const name of client.topics) this.#release(name);
      client.topics.clear();
    });
    socket.on('error', (error) => this.#log.debug({ err: error, login: viewer.login }, 'websocket error'));
    socket.on('message', (data, isBinary) => {
      void this.#handleFrame(client, isBinary ? null : data.toString());
    });
  }

  // Sends messages to every subscriber of `topic`; `forViewer` may tailor or withhold them.
  publish(topic: string, messages: StreamMessage[] | ((viewer: Viewer) => StreamMessage[] | null)): void {
    // The same messages for everyone are serialized once (1,000 status pages, one frame).
    const frame = typeof messages === 'function' || messages.length === 0 ? null : JSON.stringify(messages);
    for (const client of this.#clients) {
      if (!client.topics.has(topic)) continue;
      if (frame !== null) {
        this.#sendFrame(client, frame);
        continue;
      }
      const forClient = typeof messages === 'function' ? messages(client.viewer) : null;
      if (forClient && forClient.length > 0) this.#send(client, forClient);
    }
  }

  // Closes the sockets of a session that ended (by its public id), so nothing more reaches
  // a logged-out browser.
  closeSession(publicId: string): void {
    for (const client of this.#clients) {
      if (client.viewer.publicId === publicId) client.socket.close(closeCodes.sessionEnded, 'session ended');
    }
  }

  // Closes every socket (shutdown).
  close(): void {
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.socket.close(closeCodes.shuttingDown, 'server shutting down');
  }

  async #handleFrame(client: Client, text: string | null): Promise<void> {
    let request: ClientRequest;
    try {
      request = JSON.parse(text ?? '') as ClientRequest;
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new Error('not an object');
    } catch {
      this.#log.warn({ login: client.viewer.login }, 'websocket frame is not a JSON object; closing that socket');
      client.socket.close(closeCodes.badFrame, 'frames must be JSON objects like {"subscribe":["sessions"]}');
      return;
    }
    for (const name of asNames(request.unsubscribe)) {
      if (client.topics.delete(name)) this.#release(name);
    }
    for (const name of asNames(request.subscribe)) await this.#subscribe(client, name);
  }

  async #subscribe(client: Client, name: string): Promise<void> {
    const topic = this.#findTopic(name);
    if (!topic || !topic.canSubscribe(client.viewer, name)) {
      if (topic) this.#log.warn({ login: client.viewer.login, topic: name }, 'possible break-in attempt: subscribe to a forbidden topic');
      this.#send(client, [{ action: 'notify', target: 'notifications', html: `<p class="notice notice-error">Cannot follow “${escapeHtml(name.slice(0, 64))}”: no such topic for you.</p>` }]);
      return;
    }
    if (!client.topics.has(name)) {
      client.topics.add(name);
      topic.acquire?.(name);
    }
    try {
      this.#send(client, await topic.getSnapshot(client.viewer, name));
    } catch (error) {
      this.#log.error({ err: error, topic: name }, 'cannot render a topic snapshot');
    }
  }

  #findTopic(name: string): PushTopic | undefined {
    const slash = name.indexOf('/');
    return slash === -1 ? this.#topics.get(name) : this.#topics.get(name.slice(0, slash + 1));
  }

  #release(name: string): void {
    this.#findTopic(name)?.release?.(name);
  }

  #send(client: Client, messages: StreamMessage[]): void {
    if (messages.length > 0) this.#sendFrame(client, JSON.stringify(messages));
  }

  #sendFrame(client: Client, frame: string): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(frame);
  }
}

function asNames(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

// Escapes text for an HTML fragment built outside a template.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
