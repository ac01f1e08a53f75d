import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { PushTopic, StreamMessage, Viewer } from './stream-message.ts';
import { PushRefusals, type RefusalReason } from './push-refusals.ts';
import { TokenBucket } from './token-bucket.ts';
import { ConnectRate, type ConnectRefusal } from './connect-rate.ts';
import { SessionPresence } from './session-presence.ts';
import { FrameCache } from './frame-cache.ts';
import { FrameOutbox } from './frame-outbox.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { type Client, closeCodes, type SocketLimits, type SocketOwner } from './push-client.ts';
import { SocketCounts } from './socket-counts.ts';
import { ClientControl } from './client-control.ts';
import { PushSubscriptions } from './push-subscriptions.ts';
import {
  abuseHoldMs,
  closeGraceMs,
  noticeBurst,
  noticeEveryMs,
  subscribeBurst,
  subscribePerSecond,
} from './push-limits.ts';

// The socket's types and close codes, for the hub's users.
export { closeCodes, type SocketLimits, type SocketOwner };

// Keeps the open sockets and fans messages out to them, within the limits of push-limits.ts:
// whatever a socket sends, its cost to the daemon is bounded. What they follow and their
// frames are push-subscriptions.ts's; what is done to one socket, client-control.ts's.
export class PushHub {
  readonly #clients = new Set<Client>();
  readonly #log: FastifyBaseLogger;
  readonly #heartbeat: NodeJS.Timeout;
  // Refusals by reason, logged at a bounded rate.
  readonly refusals: PushRefusals;
  // Which sessions have a page open now (the dashboard's "connected now").
  readonly presence: SessionPresence;

  readonly #now: () => number;
  readonly #counts: SocketCounts;
  readonly #connectRate: ConnectRate;
  readonly #frames = new FrameCache();
  readonly #control: ClientControl;
  readonly #subscriptions: PushSubscriptions;

  // `maxSockets` comes from the config (push.max_sockets_per_*); `now` is the clock of the
  // per-socket rates (tests pass their own).
  constructor(
    log: FastifyBaseLogger,
    options: { maxSockets: SocketLimits; now?: () => number; presenceGraceMs?: number },
  ) {
    this.#log = log;
    this.presence = new SessionPresence({ graceMs: options.presenceGraceMs });
    this.#counts = new SocketCounts(options.maxSockets);
    this.#now = options.now ?? Date.now;
    this.refusals = new PushRefusals(log);
    this.#connectRate = new ConnectRate(options.maxSockets, this.#now);
    this.#control = new ClientControl(this.refusals, this.#connectRate, this.#frames);
    this.#subscriptions = new PushSubscriptions(this.#control, log);
    // Ping every 30 s; a socket that did not answer the previous ping is dead (laptop lid
    // closed, network gone) and is dropped so it stops costing fan-out work.
    this.#heartbeat = setInterval(() => {
      this.#connectRate.prune();
      for (const client of this.#clients) {
        if (!client.alive) client.socket.terminate();
        client.alive = false;
        if (!client.closing) client.socket.ping();
      }
    }, 30_000);
    this.#heartbeat.unref();
  }

  // Makes a topic available to subscribe to.
  registerTopic(topic: PushTopic): void {
    this.#subscriptions.register(topic);
  }

  // How many sockets are open (status figures, tests).
  get clientCount(): number {
    return this.#clients.size;
  }

  // Takes one connection from the session's and the address's rates, before the upgrade (so
  // a refusal is a short 429, no WebSocket); a refusal is counted, logged at a bounded rate.
  admitSocket(viewer: Viewer, address: string): ConnectRefusal | null {
    const refusal = this.#connectRate.admit(viewer.publicId, address);
    if (refusal) this.refusals.count(refusal.reason, { login: viewer.login, address });
    return refusal;
  }

  // Why one more socket for this session and address would be refused, or null when there is
  // room. Checked once the socket is upgraded: a refusal before it would be an HTTP error,
  // logged once per attempt, where this one is counted and logged at a bounded rate.
  getSocketRefusal(sessionId: string, address: string): { reason: RefusalReason; message: string } | null {
    return this.#counts.getRefusal(sessionId, address);
  }

  // Takes over a socket that passed the session and Origin checks.
  handleSocket(socket: WebSocket, owner: SocketOwner): void {
    const refusal = this.getSocketRefusal(owner.viewer.sessionId, owner.address);
    if (refusal) {
      this.refusals.count(refusal.reason, { login: owner.viewer.login, address: owner.address });
      // A client that answers the close frame is gone at once; one that does not, soon. A
      // protocol error meanwhile is ws's to close: it only counts here.
      const party = { login: owner.viewer.login, address: owner.address };
      socket.on('error', () => this.refusals.count('bad-frame', party));
      socket.close(closeCodes.tooMany, refusal.message);
      setTimeout(() => socket.terminate(), closeGraceMs).unref();
      return;
    }
    const client: Client = {
      ...owner,
      socket,
      outbox: new FrameOutbox(socket),
      topics: new Set(),
      snapshots: new Set(),
      rendering: false,
      alive: true,
      closing: false,
      subscribeRate: new TokenBucket(subscribeBurst, subscribePerSecond, this.#now),
      notices: new TokenBucket(noticeBurst, 1000 / noticeEveryMs, this.#now),
      refusedNames: 0,
    };
    this.#clients.add(client);
    this.#counts.add(owner.viewer.sessionId, owner.address);
    this.presence.addSocket(owner.viewer.publicId);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => {
      client.closing = true;
      this.#clients.delete(client);
      this.#counts.remove(owner.viewer.sessionId, owner.address);
      this.presence.removeSocket(client.viewer.publicId);
      for (const name of client.topics) this.#subscriptions.release(client, name);
      client.topics.clear();
      client.snapshots.clear();
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket itself on a bad frame (1009 for one past maxFrameBytes) and
      // discards what follows; the socket is cut if the client does not close it quickly.
      if (!error.code?.startsWith('WS_ERR_')) {
        this.#log.debug({ err: error, login: client.viewer.login }, 'websocket error');
        return;
      }
      const tooLarge = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.#control.count(client, tooLarge ? 'frame-too-large' : 'bad-frame');
      if (!client.closing) this.#control.penalize(client);
      client.closing = true;
      client.snapshots.clear();
      // ws resumes the socket on the next tick to discard what follows; stop reading instead,
      // so a client still writing is held back by TCP rather than read and thrown away.
      setImmediate(() => socket.pause());
      setTimeout(() => socket.terminate(), abuseHoldMs).unref();
    });
    socket.on('message', (data, isBinary) =>
      this.#subscriptions.handleFrame(client, isBinary ? null : data.toString()),
    );
  }

  // Whether any socket follows `name` now.
  isFollowed(name: string): boolean {
    return this.#subscriptions.followers.has(name);
  }

  // Renders `topic`'s messages in each language its followers read, and sends each to the
  // followers reading it: once per language in use, never per follower, nothing for a
  // language (or a topic) nobody follows. An import changes 10,000 `account/<login>` topics,
  // and rendering each for nobody cost seconds.
  async publishRendered(topic: string, render: (locale: Locale) => Promise<StreamMessage[]>): Promise<void> {
    for (const locale of this.#subscriptions.followers.getLocales(topic)) {
      const messages = await render(locale);
      if (messages.length > 0) this.#publishFrame(topic, this.#frames.serialize(messages), locale);
    }
  }

  // Sends messages to every subscriber of `topic`, whatever its language (data only: samples,
  // removals; words go through publishRendered); `forViewer` may tailor or withhold them.
  publish(topic: string, messages: StreamMessage[] | ((viewer: Viewer) => StreamMessage[] | null)): void {
    if (typeof messages !== 'function') {
      // The same messages for everyone are serialized once (1,000 status pages, one buffer).
      if (messages.length > 0) this.#publishFrame(topic, this.#frames.serialize(messages), null);
      return;
    }
    for (const client of this.#clients) {
      if (!client.topics.has(topic)) continue;
      const forClient = messages(client.viewer);
      if (forClient && forClient.length > 0) this.#control.send(client, forClient);
    }
  }

  // How many sockets follow `topic` (every language), for the topics' own figures and tests.
  getFollowerCount(topic: string): number {
    return this.#subscriptions.followers.count(topic);
  }

  // Sends one frame to the followers of `topic` reading `locale` (null: all of them).
  #publishFrame(topic: string, frame: Buffer, locale: Locale | null): void {
    for (const client of this.#clients) {
      if (client.topics.has(topic) && (locale === null || client.locale === locale)) {
        this.#control.sendFrame(client, frame);
      }
    }
  }

  // Closes the sockets of a session that ended (by its public id), so nothing more reaches
  // a logged-out browser.
  closeSession(publicId: string): void {
    this.presence.forget(publicId);
    for (const client of this.#clients) {
      if (client.viewer.publicId === publicId) this.#control.close(client, closeCodes.sessionEnded, 'session ended');
    }
  }

  // Closes every socket (shutdown).
  close(): void {
    clearInterval(this.#heartbeat);
    this.refusals.close();
    this.presence.close();
    for (const client of this.#clients) this.#control.close(client, closeCodes.shuttingDown, 'server shutting down');
  }
}
