import { isIP, type Socket } from 'node:net';

// The bounds of the connections not yet settled (see plainHttpLimits for the figures).
export interface PendingLimits {
  maxUnsettled: number;
  maxPerAddress: number;
}

// The HTTPS port's connections that are not yet a served client: waiting for a first byte,
// sending a plain head, or in their TLS handshake. They are bounded in all and per client
// address, the oldest cut first: a real client leaves this state within milliseconds, an
// attacker's stalled socket stays, so the one cut is almost always the attacker's.
export class PendingConnections {
  // Each socket and its address key (null: not capped per address), oldest first (a Map
  // keeps insertion order).
  readonly #all = new Map<Socket, string | null>();
  readonly #byAddress = new Map<string, Set<Socket>>();
  readonly #limits: PendingLimits;

  constructor(limits: PendingLimits) {
    this.#limits = limits;
  }

  // How many are pending.
  get size(): number {
    return this.#all.size;
  }

  // Counts a new connection, first cutting the oldest of its address past maxPerAddress,
  // then the oldest of all past maxUnsettled.
  add(socket: Socket): void {
    const key = getAddressKey(socket.remoteAddress);
    const mine = key === null ? undefined : this.#byAddress.get(key);
    if (mine) while (mine.size >= this.#limits.maxPerAddress) this.#cut(mine.values().next().value as Socket);
    while (this.#all.size >= Math.max(1, this.#limits.maxUnsettled)) this.#cut(this.#all.keys().next().value as Socket);
    this.#all.set(socket, key);
    if (key === null) return;
    if (mine) mine.add(socket);
    else this.#byAddress.set(key, new Set([socket]));
  }

  // Counts it no more (settled: answered, secure, or closed).
  delete(socket: Socket): void {
    if (!this.#all.has(socket)) return;
    const key = this.#all.get(socket)!;
    this.#all.delete(socket);
    if (key === null) return;
    const mine = this.#byAddress.get(key);
    mine?.delete(socket);
    if (mine?.size === 0) this.#byAddress.delete(key);
  }

  // Ends them all (at shutdown).
  destroyAll(): void {
    for (const socket of [...this.#all.keys()]) this.#cut(socket);
  }

  #cut(socket: Socket): void {
    this.delete(socket);
    socket.destroy();
  }
}

// The key a client's connections are counted under: its IPv4 address, or the /64 prefix of
// its IPv6 address (one host gets a whole /64, and would otherwise get 2^64 caps). null for
// loopback, never capped per address: the benches and tests all come from 127.0.0.1, and a
// reverse proxy on the host would be every client at once; the overall cap still holds.
export function getAddressKey(address: string | undefined): string | null {
  if (address === undefined) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const plain = mapped ? mapped[1]! : address.replace(/%.*$/, '');
  const version = isIP(plain);
  if (version === 4) return plain.startsWith('127.') ? null : plain;
  if (version !== 6) return plain;
  const groups = expandIpv6(plain.toLowerCase());
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return null;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

// The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 counts as two).
function expandIpv6(address: string): number[] {
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
