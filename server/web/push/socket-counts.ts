import type { SocketLimits } from './push-client.ts';
import type { RefusalReason } from './push-refusals.ts';

// The open push sockets of each session and each client address, against their limits
// (config push.max_sockets_per_*). Counted as sockets open and close: each new socket was
// checked by walking every open one: half a million steps when 1,000 pages came back at once.
export class SocketCounts {
  readonly #bySession = new Map<string, number>();
  readonly #byAddress = new Map<string, number>();
  readonly #limits: SocketLimits;

  constructor(limits: SocketLimits) {
    this.#limits = limits;
  }

  // Why one more socket for this session and address would be refused, or null when there is room.
  getRefusal(sessionId: string, address: string): { reason: RefusalReason; message: string } | null {
    const { perSession, perAddress } = this.#limits;
    if ((this.#bySession.get(sessionId) ?? 0) >= perSession) {
      return {
        reason: 'sockets-per-session',
        message: `too many push sockets for this session (at most ${perSession})`,
      };
    }
    if ((this.#byAddress.get(address) ?? 0) >= perAddress) {
      return {
        reason: 'sockets-per-address',
        message: `too many push sockets from this address (at most ${perAddress})`,
      };
    }
    return null;
  }

  // A socket of this session and address opened.
  add(sessionId: string, address: string): void {
    this.#bySession.set(sessionId, (this.#bySession.get(sessionId) ?? 0) + 1);
    this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1);
  }

  // A socket counted by add closed.
  remove(sessionId: string, address: string): void {
    for (const [counts, key] of [
      [this.#bySession, sessionId],
      [this.#byAddress, address],
    ] as const) {
      const count = (counts.get(key) ?? 0) - 1;
      if (count > 0) counts.set(key, count);
      else counts.delete(key);
    }
  }
}
