import type { FastifyBaseLogger } from 'fastify';
import type { PushTopic } from './stream-message.ts';
import type { Client } from './push-client.ts';
import type { ClientControl } from './client-control.ts';
import type { RefusalReason } from './push-refusals.ts';
import { closeCodes } from './push-client.ts';
import { FollowerCount } from './follower-count.ts';
import { parsePushFrame } from './push-frame.ts';
import { getRefusedNamesNotice } from './refused-names-notice.ts';
import { maxRefusedNamesPerSocket, subscribePerSecond } from './push-limits.ts';
import { maxTopicNameLength, maxTopicsPerSocket } from './push-limits.ts';

// The topics and who follows them: serves each socket's frames (subscribe, unsubscribe),
// within push-limits.ts, and sends each topic's snapshot on subscribe.
export class PushSubscriptions {
  readonly #topics = new Map<string, PushTopic>();
  // How many sockets follow each topic name, by language.
  readonly followers = new FollowerCount();
  readonly #control: ClientControl;
  readonly #log: FastifyBaseLogger;

  constructor(control: ClientControl, log: FastifyBaseLogger) {
    this.#control = control;
    this.#log = log;
  }

  // Makes a topic available to subscribe to.
  register(topic: PushTopic): void {
    this.#topics.set(topic.name, topic);
  }

  // Serves one frame of a socket's.
  handleFrame(client: Client, text: string | null): void {
    // A socket being closed may still have frames in flight: they cost nothing more.
    if (client.closing) return;
    if (!this.checkViewer(client)) return;
    const request = parsePushFrame(text);
    if ('reason' in request) {
      this.#control.count(client, request.reason);
      const code = request.reason === 'bad-frame' ? closeCodes.badFrame : closeCodes.policyViolation;
      this.#control.drop(client, code, request.message);
      return;
    }
    if (!client.subscribeRate.take(Math.max(1, request.subscribe.length))) {
      this.#control.count(client, 'subscribe-rate');
      this.#control.drop(client, closeCodes.tooMany, `subscribing faster than ${subscribePerSecond} topics a second`);
      return;
    }
    for (const name of request.unsubscribe) {
      if (client.topics.delete(name)) this.release(client, name);
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
    for (const [reason, count] of reasons) this.#control.count(client, reason, count);
    if (refused.length > 0) this.#refuseNames(client, refused);
    void this.#renderSnapshots(client);
  }

  // Reads the viewer again (rights follow the files on every frame): a session that ended
  // closes the socket; rights lost drop the topics no longer allowed, and the socket is closed
  // so the page reloads as what its viewer now is. Says whether the frame may be served.
  checkViewer(client: Client): boolean {
    const viewer = client.getViewer();
    if (!viewer) {
      this.#control.count(client, 'session-ended');
      this.#control.close(client, closeCodes.sessionEnded, 'session ended');
      return false;
    }
    const lost = [...client.topics].filter((name) => !this.#findTopic(name)?.canSubscribe(viewer, name));
    const demoted = client.viewer.isAdmin && !viewer.isAdmin;
    client.viewer = viewer;
    if (lost.length === 0 && !demoted) return true;
    for (const name of lost) {
      client.topics.delete(name);
      this.release(client, name);
    }
    this.#control.count(client, 'rights-lost');
    this.#control.close(client, closeCodes.sessionEnded, 'rights changed; reload the page');
    return false;
  }

  // A socket stopped following `name` (it was in its topics).
  release(client: Client, name: string): void {
    this.followers.remove(name, client.locale);
    this.#findTopic(name)?.release?.(name);
  }

  // Follows `name` and queues its snapshot; returns why it is refused, if it is.
  #subscribe(client: Client, name: string): RefusalReason | null {
    const topic = name.length > maxTopicNameLength ? undefined : this.#findTopic(name);
    if (!topic) return 'unknown-topic';
    if (!topic.canSubscribe(client.viewer, name)) return 'forbidden-topic';
    if (!client.topics.has(name)) {
      if (client.topics.size >= maxTopicsPerSocket) return 'too-many-topics';
      client.topics.add(name);
      this.followers.add(name, client.locale);
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
      this.#control.count(client, 'too-many-refused');
      const message = `more than ${maxRefusedNamesPerSocket} topic names refused`;
      this.#control.drop(client, closeCodes.policyViolation, message);
      return;
    }
    if (!client.notices.take()) return;
    this.#control.send(client, [getRefusedNamesNotice(names, client.locale)]);
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
        if (client.closing || !this.checkViewer(client)) break;
        const topic = this.#findTopic(name);
        if (!topic || !client.topics.has(name)) continue;
        try {
          const messages = await topic.getSnapshot(client.viewer, name, client.locale);
          if (client.closing || !this.checkViewer(client)) break;
          this.#control.send(client, messages);
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
}
