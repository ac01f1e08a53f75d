import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { PeerCredentials } from '../../native/native.ts';
import type { AccountStageMemo } from './account-stage.ts';

// What the local socket knows of one connection: who connected (SO_PEERCRED), the address
// its requests log and audit ("local:uid=N,pid=P"), and the session it opened, if any.
export interface LocalPeer extends PeerCredentials {
  address: string;
  sessionId: string | null;
  // The account checks' last answer for this connection (account-stage.ts).
  memo?: AccountStageMemo | null;
}

const peerKey = Symbol('licorn local peer');

type PeerSocket = Socket & { [peerKey]?: LocalPeer };

// The address a local connection is logged and audited under.
export function getLocalAddress(credentials: PeerCredentials): string {
  return `local:uid=${credentials.uid},pid=${credentials.pid}`;
}

// Marks a connection of the local socket with its peer. Its `remoteAddress` (undefined for a
// Unix socket) becomes the peer's address, so that `request.ip`, which every log line, audit
// entry, throttle and push limit reads, names the local caller with no change to them.
export function setLocalPeer(socket: Socket, peer: LocalPeer): void {
  (socket as PeerSocket)[peerKey] = peer;
  Object.defineProperty(socket, 'remoteAddress', { value: peer.address, configurable: true });
}

// The peer of a local socket connection; null for any other (the HTTPS port).
export function getLocalPeer(socket: Socket | undefined | null): LocalPeer | null {
  return (socket as PeerSocket | undefined)?.[peerKey] ?? null;
}

// Whether a request came over the local socket (no CSRF token, no Origin rule there).
export function isLocalRequest(request: FastifyRequest): boolean {
  return getLocalPeer(request.raw.socket) !== null;
}
