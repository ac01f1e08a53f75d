import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { getPeerCredentials } from '../../native/native.ts';
import { closeAfterAnswers } from '../plugins/close-after-answers.ts';
import { getLocalAddress, getLocalPeer, setLocalPeer } from './local-peer.ts';
import { listenOnSocketPath, removeSocketFile } from './local-socket-file.ts';
import { SocketRefusals } from './socket-refusals.ts';

// Connections the local socket holds at once, all callers together (root's aside, so that
// other uids cannot lock root out), and one uid's: past them a connection gets a 503 and is
// closed (each may hold a session and a push socket).
export const maxLocalConnections = 256;
export const maxLocalConnectionsPerUid = 32;
// A connection that neither sends nor reads for this long is closed (a client that never
// reads its answer holds it in memory; a WebSocket turns this off: the hub pings it).
const idleTimeoutMs = 120_000;

// A refusal written before HTTP starts, as a JSON error like the app's. The socket is
// half-closed so that the caller still reads it (it may still be sending its request: a
// close now would answer it EPIPE instead); what it sends is read and dropped, so that its
// close is seen at once (allowHalfOpen is off), else it goes after a second. A caller gone
// already makes the write fail (EPIPE, ECONNRESET): #accept listens for that first.
function refuseConnection(socket: Socket, message: string): void {
  socket.resume();
  const body = JSON.stringify({ code: 'busy', field: 'connection', message });
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  socket.setTimeout(1000, () => socket.destroy());
}

// The daemon's local socket: the same Fastify app (routes, hooks, error handler) as plain
// HTTP/1.1 on a Unix socket, each connection marked with its peer's credentials (SO_PEERCRED)
// for the local-socket plugin to know who asks. WebSocket upgrades go to the app's own
// upgrade handler (@fastify/websocket). A connection's session ends with it.
export class LocalServer {
  readonly #app: FastifyInstance;
  readonly #headersTimeoutMs: number;
  readonly #perUid = new Map<number, number>();
  // Connections refused past the limits, logged once a minute at most.
  readonly refusals: SocketRefusals;
  #net: Server | null = null;
  #http: HttpServer | null = null;
  #path = '';
  #identity: { dev: number; ino: number } | null = null;

  // `headersTimeoutMs`: how long a request's headers may take (a client trickling bytes to
  // hold a connection slot is cut with a 408); tests shorten it.
  constructor(app: FastifyInstance, options: { headersTimeoutMs?: number } = {}) {
    this.#app = app;
    this.#headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
    this.refusals = new SocketRefusals(app.log, 'local socket: connections refused, too many');
  }

  // Where it listens ('' before listen() and after close()).
  get path(): string {
    return this.#path;
  }

  // Binds `path` (listenOnSocketPath), mode 0666: anyone may connect, and the
  // peer's credentials decide what they get. Call after the app is ready.
  async listen(path: string): Promise<void> {
    const headersTimeout = this.#headersTimeoutMs;
    const http = createHttpServer(
      {
        requestTimeout: Math.max(60_000, headersTimeout),
        headersTimeout,
        keepAliveTimeout: 5_000,
        connectionsCheckingInterval: Math.min(headersTimeout / 2, 5_000),
      },
      this.#app.routing,
    );
    // This server never listens itself (the net server below hands it the connections it
    // accepted): its 'listening' starts Node's checks of the headers and request timeouts.
    http.emit('listening');
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // @fastify/websocket listens on the HTTPS server; none left once the app closes.
      if (this.#app.server.listenerCount('upgrade') === 0) socket.destroy();
      else this.#app.server.emit('upgrade', request, socket, head);
    });
    http.timeout = idleTimeoutMs;
    const net = createNetServer({ pauseOnConnect: false }, (socket) => this.#accept(socket, http));
    // A last bound, past ours (root's own connections and refused ones being answered).
    net.maxConnections = maxLocalConnections + maxLocalConnectionsPerUid + 16;
    this.#identity = await listenOnSocketPath(net, path, 0o666);
    net.on('error', (error) => this.#app.log.error({ err: error }, 'local socket failed'));
    this.#net = net;
    this.#http = http;
    this.#path = path;
  }

  // Stops accepting new connections and closes the idle ones (the app is closing; requests
  // in flight finish, then close their connection).
  stopAccepting(): void {
    if (!this.#net?.listening) return;
    this.#net.close();
    this.#http?.closeIdleConnections();
    closeAfterAnswers(this.#sockets);
  }

  // Closes every connection (their sessions end) and removes the socket file.
  async close(): Promise<void> {
    const net = this.#net;
    if (!net) return;
    this.#net = null;
    const closed = new Promise<void>((resolve) => (net.listening ? net.close(() => resolve()) : resolve()));
    for (const socket of [...this.#sockets, ...this.#refused]) socket.destroy();
    // Stops the timeout checks (its "not running" error is expected: it never listened).
    this.#http?.close(() => undefined);
    await closed;
    if (this.#identity) await removeSocketFile(this.#path, this.#identity);
    this.#path = '';
    this.refusals.close();
  }

  readonly #sockets = new Set<Socket>();
  // Connections being told they are too many (cut at stop too).
  readonly #refused = new Set<Socket>();

  #accept(socket: Socket, http: HttpServer): void {
    // Before anything is written: a peer gone already makes a write fail (EPIPE, ECONNRESET),
    // and an 'error' with no listener would stop the daemon. The HTTP server adds its own.
    socket.on('error', () => socket.destroy());
    const fd = (socket as Socket & { _handle?: { fd?: number } })._handle?.fd;
    let credentials;
    try {
      credentials = getPeerCredentials(fd ?? -1);
    } catch (error) {
      this.#app.log.warn({ err: error }, 'local socket: cannot read a connection peer credentials');
      socket.destroy();
      return;
    }
    const { uid } = credentials;
    const address = getLocalAddress(credentials);
    const held = this.#perUid.get(uid) ?? 0;
    const others = this.#sockets.size - (this.#perUid.get(0) ?? 0);
    if ((uid !== 0 && others >= maxLocalConnections) || held >= maxLocalConnectionsPerUid) {
      const limit =
        held >= maxLocalConnectionsPerUid ? `${maxLocalConnectionsPerUid} for uid ${uid}` : maxLocalConnections;
      this.refusals.count(uid);
      this.#refused.add(socket);
      socket.once('close', () => this.#refused.delete(socket));
      refuseConnection(socket, `Too many connections to the local socket (at most ${limit}); try again later`);
      return;
    }
    this.#perUid.set(uid, held + 1);
    this.#sockets.add(socket);
    setLocalPeer(socket, { ...credentials, address, sessionId: null });
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const left = (this.#perUid.get(uid) ?? 1) - 1;
      if (left > 0) this.#perUid.set(uid, left);
      else this.#perUid.delete(uid);
      const peer = getLocalPeer(socket);
      if (peer?.sessionId) this.#app.sessions.destroy(peer.sessionId, 'disconnected');
    });
    http.emit('connection', socket);
  }
}
