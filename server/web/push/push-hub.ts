import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { PushTopic, StreamMessage, Viewer } from './stream-message.ts';
import { parsePushFrame } from './push-frame.ts';
import { PushRefusals, type RefusalReason } from './push-refusals.ts';
import { TokenBucket } from './token-bucket.ts';
import { ConnectRate, type ConnectRefusal } from './connect-rate.ts';
import { SessionPresence } from './session-presence.ts';
import { FollowerCount } from './follower-count.ts';
import { FrameCache } from './frame-cache.ts';
import { FrameOutbox } from './frame-outbox.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { getRefusedNamesNotice } from './refused-names-notice.ts';
import { type Client, closeCodes, type SocketLimits, type SocketOwner } from './push-client.ts';
import {
  abuseHoldMs,
  closeGraceMs,
  maxBufferedBytes,
  maxRefusedNamesPerSocket,
  maxTopicNameLength,
  maxTopicsPerSocket,
  noticeBurst,
  noticeEveryMs,
  subscribeBurst,
  subscribePerSecond,
} from './push-limits.ts';

// The socket's types and close codes, for the hub's users.
export { closeCodes, type SocketLimits, type SocketOwner };

// Keeps the open sockets and their topic subscriptions, and fans messages out to them, within
// the limits of push-limits.ts: whatever a socket sends, its cost to the daemon is bounded.
export class PushHub {
  readonly #topics = new Map<string, PushTopic>();
  readonly #clients = new Set<Client>();
  // How many sockets follow each topic name, by language.
  readonly #followers = new FollowerCount();
  readonly #log: FastifyBaseLogger;
  readonly #heartbeat: NodeJS.Timeout;
  // Refusals by reason, logged at a bounded rate.
  readonly refusals: PushRefusals;
  // Which sessions have a page open now (the dashboard's "connected now").
  readonly presence: SessionPresence;

  readonly #now: () => number;
  readonly #maxSockets: SocketLimits;
  readonly #connectRate: ConnectRate;
  readonly #frames = new FrameCache();

  // `maxSockets` comes from the config (push.max_sockets_per_*); `now` is the clock of the
  // per-socket rates (tests pass their own).
  constructor(
    log: FastifyBaseLogger,
    options: { maxSockets: SocketLimits; now?: () => number; presenceGraceMs?: number },
  ) {
    this.#log = log;
    this.presence = new SessionPresence({ graceMs: options.presenceGraceMs });
    this.#maxSockets = options.maxSockets;
    this.#now = options.now ?? Date.now;
    this.refusals = new PushRefusals(log);
    this.#connectRate = new ConnectRate(options.maxSockets, this.#now);
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
    this.#topics.set(topic.name, topic);
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
    let ofSession = 0;
    let ofAddress = 0;
    for (const client of this.#clients) {
      if (client.viewer.sessionId === sessionId) ofSession += 1;
      if (client.address === address) ofAddress += 1;
    }
    const { perSession, perAddress } = this.#maxSockets;
    if (ofSession >= perSession) {
      return {
        reason: 'sockets-per-session',
        message: `too many push sockets for this session (at most ${perSession})`,
      };
    }
    if (ofAddress >= perAddress) {
      return {
        reason: 'sockets-per-address',
        message: `too many push sockets from this address (at most ${perAddress})`,
      };
    }
    return null;
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
    this.presence.addSocket(owner.viewer.publicId);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => {
      client.closing = true;
      this.#clients.delete(client);
      this.presence.removeSocket(client.viewer.publicId);
      for (const name of client.topics) this.#release(client, name);
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
      this.#count(client, error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame-too-large' : 'bad-frame');
      if (!client.closing) this.#penalize(client);
      client.closing = true;
      client.snapshots.clear();
      // ws resumes the socket on the next tick to discard what follows; stop reading instead,
      // so a client still writing is held back by TCP rather than read and thrown away.
      setImmediate(() => socket.pause());
      setTimeout(() => socket.terminate(), abuseHoldMs).unref();
    });
    socket.on('message', (data, isBinary) => this.#handleFrame(client, isBinary ? null : data.toString()));
  }

  // Whether any socket follows `name` now.
  isFollowed(name: string): boolean {
    return this.#followers.has(name);
  }

  // Renders `topic`'s messages in each language its followers read, and sends each to the
  // followers reading it: once per language in use, never per follower, nothing for a
  // language (or a topic) nobody follows. An import changes 10,000 `account/<login>` topics,
  // and rendering each for nobody cost seconds.
  async publishRendered(topic: string, render: (locale: Locale) => Promise<StreamMessage[]>): Promise<void> {
    for (const locale of this.#followers.getLocales(topic)) {
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
      if (forClient && forClient.length > 0) this.#send(client, forClient);
    }
  }

  // How many sockets follow `topic` (every language), for the topics' own figures and tests.
  getFollowerCount(topic: string): number {
    return this.#followers.count(topic);
  }

  // Sends one frame to the followers of `topic` reading `locale` (null: all of them).
  #publishFrame(topic: string, frame: Buffer, locale: Locale | null): void {
    for (const client of this.#clients) {
      if (client.topics.has(topic) && (locale === null || client.locale === locale)) this.#sendFrame(client, frame);
    }
  }

  // Closes the sockets of a session that ended (by its public id), so nothing more reaches
  // a logged-out browser.
  closeSession(publicId: string): void {
    this.presence.forget(publicId);
    for (const client of this.#clients) {
      if (client.viewer.publicId === publicId) this.#close(client, closeCodes.sessionEnded, 'session ended');
    }
  }

  // Closes every socket (shutdown).
  close(): void {
    clearInterval(this.#heartbeat);
    this.refusals.close();
    this.presence.close();
    for (const client of this.#clients) this.#close(client, closeCodes.shuttingDown, 'server shutting down');
  }

  #handleFrame(client: Client, text: string | null): void {
    // A socket being closed may still have frames in flight: they cost nothing more.
    if (client.closing) return;
    if (!this.#checkViewer(client)) return;
    const request = parsePushFrame(text);
    if ('reason' in request) {
      this.#count(client, request.reason);
      const code = request.reason === 'bad-frame' ? closeCodes.badFrame : closeCodes.policyViolation;
      this.#drop(client, code, request.message);
      return;
    }
    if (!client.subscribeRate.take(Math.max(1, request.subscribe.length))) {
      this.#count(client, 'subscribe-rate');
      this.#drop(client, closeCodes.tooMany, `subscribing faster than ${subscribePerSecond} topics a second`);
      return;
    }
    for (const name of request.unsubscribe) {
      if (client.topics.delete(name)) this.#release(client, name);
      client.snapshots.delete(name);
    }
    const refused: string[] = [];
    const reasons = new Map<RefusalReason, number>();
    for (const name of request.subscribe) {
      const reason = this.#subscribe(client, name);
      if (!reason) continue;
      refused.push(name);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    for (const [reason, count] of reasons) this.#count(client, reason, count);
    if (refused.length > 0) this.#refuseNames(client, refused);
    void this.#renderSnapshots(client);
  }

  // Reads the viewer again (rights follow the files on every frame): a session that ended
  // closes the socket; rights lost drop the topics no longer allowed, and the socket is closed
  // so the page reloads as what its viewer now is. Says whether the frame may be served.
  #checkViewer(client: Client): boolean {
    const viewer = client.getViewer();
    if (!viewer) {
      this.#count(client, 'session-ended');
      this.#close(client, closeCodes.sessionEnded, 'session ended');
      return false;
    }
    const lost = [...client.topics].filter((name) => !this.#findTopic(name)?.canSubscribe(viewer, name));
    const demoted = client.viewer.isAdmin && !viewer.isAdmin;
    client.viewer = viewer;
    if (lost.length === 0 && !demoted) return true;
    for (const name of lost) {
      client.topics.delete(name);
      this.#release(client, name);
    }
    this.#count(client, 'rights-lost');
    this.#close(client, closeCodes.sessionEnded, 'rights changed; reload the page');
    return false;
  }

  // Follows `name` and queues its snapshot; returns why it is refused, if it is.
  #subscribe(client: Client, name: string): RefusalReason | null {
    const topic = name.length > maxTopicNameLength ? undefined : this.#findTopic(name);
    if (!topic) return 'unknown-topic';
    if (!topic.canSubscribe(client.viewer, name)) return 'forbidden-topic';
    if (!client.topics.has(name)) {
      if (client.topics.size >= maxTopicsPerSocket) return 'too-many-topics';
      client.topics.add(name);
      this.#followers.add(name, client.locale);
      topic.acquire?.(name);
    }
    client.snapshots.add(name);
    return null;
  }

  // One notice per frame at most (and at a bounded rate per socket), whatever the number of
  // names refused; a socket that keeps sending names it cannot follow is closed.
  #refuseNames(client: Client, names: string[]): void {
    client.refusedNames += names.length;
    if (client.refusedNames > maxRefusedNamesPerSocket) {
      this.#count(client, 'too-many-refused');
      this.#drop(client, closeCodes.policyViolation, `more than ${maxRefusedNamesPerSocket} topic names refused`);
      return;
    }
    if (!client.notices.take()) return;
    this.#send(client, [getRefusedNamesNotice(names, client.locale)]);
  }

  // Sends the queued snapshots one at a time, yielding to other work between two: a socket
  // that follows 64 topics cannot hold the event loop for 64 renders. The viewer is read
  // again before each render and each send, as rights may have changed meanwhile.
  async #renderSnapshots(client: Client): Promise<void> {
    if (client.rendering) return;
    client.rendering = true;
    try {
      for (const name of client.snapshots) {
        client.snapshots.delete(name);
        if (client.closing || !this.#checkViewer(client)) break;
        const topic = this.#findTopic(name);
        if (!topic || !client.topics.has(name)) continue;
        try {
          const messages = await topic.getSnapshot(client.viewer, name, client.locale);
          if (client.closing || !this.#checkViewer(client)) break;
          this.#send(client, messages);
        } catch (error) {
          this.#log.error({ err: error, topic: name }, 'cannot render a topic snapshot');
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      client.rendering = false;
    }
  }

  #findTopic(name: string): PushTopic | undefined {
    const slash = name.indexOf('/');
    return slash === -1 ? this.#topics.get(name) : this.#topics.get(name.slice(0, slash + 1));
  }

  // A socket stopped following `name` (it was in its topics).
  #release(client: Client, name: string): void {
    this.#followers.remove(name, client.locale);
    this.#findTopic(name)?.release?.(name);
  }

  #count(client: Client, reason: RefusalReason, count = 1): void {
    this.refusals.count(reason, { login: client.viewer.login, address: client.address }, count);
  }

  // Closes a socket in good standing (logout, shutdown, rights changed).
  #close(client: Client, code: number, reason: string): void {
    if (client.closing) return;
    client.closing = true;
    client.snapshots.clear();
    client.socket.close(code, reason);
  }

  // Closes an abusive socket: what it sends is ignored; a client that answers the close frame
  // is gone within closeGraceMs, one that does not is no longer read, and cut after abuseHoldMs.
  #drop(client: Client, code: number, reason: string): void {
    if (!client.closing) this.#penalize(client);
    this.#close(client, code, reason);
    setTimeout(() => client.socket.pause(), closeGraceMs).unref();
    setTimeout(() => client.socket.terminate(), abuseHoldMs).unref();
  }

  // A socket closed for abuse costs its session and address connections for a while after.
  #penalize(client: Client): void {
    this.#connectRate.penalize(client.viewer.publicId, client.address);
  }

  #send(client: Client, messages: StreamMessage[]): void {
    if (messages.length > 0) this.#sendFrame(client, this.#frames.serialize(messages));
  }

  // Every send checks what the socket already holds (its outbox too): past maxBufferedBytes its reader is not
  // keeping up (or never reads), and the socket is cut rather than buffered without bound.
  #sendFrame(client: Client, frame: Buffer): void {
    if (client.closing || client.socket.readyState !== client.socket.OPEN) return;
    if (client.outbox.bufferedBytes > maxBufferedBytes) {
      this.#count(client, 'slow-reader');
      client.closing = true;
      client.snapshots.clear();
      client.socket.terminate();
      return;
    }
    client.outbox.send(frame);
  }
}
