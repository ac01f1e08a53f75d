import type { Client } from './push-client.ts';
import type { ConnectRate } from './connect-rate.ts';
import type { FrameCache } from './frame-cache.ts';
import type { PushRefusals, RefusalReason } from './push-refusals.ts';
import type { StreamMessage } from './stream-message.ts';
import { abuseHoldMs, closeGraceMs, maxBufferedBytes } from './push-limits.ts';

// What the hub does to one socket: send it frames within its buffer limit, close it, drop it
// for abuse, and count its refusals.
export class ClientControl {
  readonly #refusals: PushRefusals;
  readonly #connectRate: ConnectRate;
  readonly #frames: FrameCache;

  constructor(refusals: PushRefusals, connectRate: ConnectRate, frames: FrameCache) {
    this.#refusals = refusals;
    this.#connectRate = connectRate;
    this.#frames = frames;
  }

  // Counts a refusal of the client's, logged at a bounded rate.
  count(client: Client, reason: RefusalReason, count = 1): void {
    this.#refusals.count(reason, { login: client.viewer.login, address: client.address }, count);
  }

  // Closes a socket in good standing (logout, shutdown, rights changed).
  close(client: Client, code: number, reason: string): void {
    if (client.closing) return;
    client.closing = true;
    client.snapshots.clear();
    client.socket.close(code, reason);
  }

  // Closes an abusive socket: what it sends is ignored; a client that answers the close frame
  // is gone within closeGraceMs, one that does not is no longer read, and cut after abuseHoldMs.
  drop(client: Client, code: number, reason: string): void {
    if (!client.closing) this.penalize(client);
    this.close(client, code, reason);
    setTimeout(() => client.socket.pause(), closeGraceMs).unref();
    setTimeout(() => client.socket.terminate(), abuseHoldMs).unref();
  }

  // A socket closed for abuse costs its session and address connections for a while after.
  penalize(client: Client): void {
    this.#connectRate.penalize(client.viewer.publicId, client.address);
  }

  // Sends messages as one frame (serialized once for every socket they go to).
  send(client: Client, messages: StreamMessage[]): void {
    if (messages.length > 0) this.sendFrame(client, this.#frames.serialize(messages));
  }

  // Every send checks what the socket already holds (its outbox too): past maxBufferedBytes
  // its reader is not keeping up (or never reads), and the socket is cut rather than buffered
  // without bound.
  sendFrame(client: Client, frame: Buffer): void {
    if (client.closing || client.socket.readyState !== client.socket.OPEN) return;
    if (client.outbox.bufferedBytes > maxBufferedBytes) {
      this.count(client, 'slow-reader');
      client.closing = true;
      client.snapshots.clear();
      client.socket.terminate();
      return;
    }
    client.outbox.send(frame);
  }
}
