import { createServer, type Server, type Socket } from 'node:net';
import type { REPLServer } from 'node:repl';
import type { FastifyInstance } from 'fastify';
import { getPeerCredentials } from '../../native/native.ts';
import { listenOnSocketPath, removeSocketFile } from './local-socket-file.ts';
import { InsideInput } from './inside-input.ts';
import { SocketRefusals } from './socket-refusals.ts';
import { openHistoryFile } from './inside-history.ts';

// REPLs open at once: get inside is for root, a few at a time.
export const maxInsideConnections = 4;
// Output a client has not read, past which it is cut (a REPL writes without waiting).
const maxUnreadBytes = 8 * 1024 * 1024;
// How long a client may take to send its header line before it is cut (its slot freed).
const headerTimeoutMs = 10_000;

// `licorn get inside`: a REPL in the daemon (prompt `licornd> `, terminal mode, completion,
// history in a root-only file) with `core` and `app` in scope, one per connection, on a
// socket of mode 0600 whose peer must also be root, or the daemon's own user (who could
// debug it anyway). The protocol: the client sends one JSON line `{ columns, rows }`, then
// its keystrokes (a window size change in-band, inside-input.ts); the server answers one
// line, `ok` or `error: <why>` (then closes), then the REPL's output. What is typed runs on
// the daemon's event loop, as root: `process.exit()` stops the daemon, a busy loop freezes it.
export class InsideServer {
  readonly #app: FastifyInstance;
  readonly #historyFile: string;
  readonly #headerTimeoutMs: number;
  readonly #repls = new Map<Socket, REPLServer | null>();
  // Every connection open, REPL or being refused: all are cut at stop.
  readonly #sockets = new Set<Socket>();
  // Connections refused (not root, too many REPLs), logged once a minute at most.
  readonly refusals: SocketRefusals;
  // Whether "no history" was logged already (once: every REPL would say it again).
  #historyRefusalLogged = false;
  #server: Server | null = null;
  #path = '';
  #identity: { dev: number; ino: number } | null = null;

  // `historyFile`: where REPLs keep what was typed (its directory must be root's, 0700);
  // `headerTimeoutMs`: how long a client may take to send its first line (tests shorten it).
  constructor(app: FastifyInstance, historyFile: string, options: { headerTimeoutMs?: number } = {}) {
    this.#app = app;
    this.#historyFile = historyFile;
    this.#headerTimeoutMs = options.headerTimeoutMs ?? headerTimeoutMs;
    this.refusals = new SocketRefusals(app.log, 'inside socket: connections refused');
  }

  // Binds `path` (listenOnSocketPath), mode 0600.
  async listen(path: string): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    server.maxConnections = maxInsideConnections * 4;
    this.#identity = await listenOnSocketPath(server, path, 0o600);
    server.on('error', (error) => this.#app.log.error({ err: error }, 'inside socket failed'));
    this.#server = server;
    this.#path = path;
  }

  // Ends every REPL and removes the socket file (the daemon stops).
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const repl of this.#repls.values()) repl?.close();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    this.refusals.close();
    if (this.#identity) await removeSocketFile(this.#path, this.#identity);
  }

  // Writes why and half-closes (the client may still be sending its header: a close now
  // would answer it EPIPE); what it sends is read and dropped, so that its close is seen at
  // once, else it goes after a second.
  #refuse(socket: Socket, message: string): void {
    socket.resume();
    socket.end(`error: ${message}\n`);
    socket.setTimeout(1000, () => socket.destroy());
  }

  #accept(socket: Socket): void {
    // Before anything is written: a write to a peer gone already fails (EPIPE, ECONNRESET),
    // and an 'error' event with no listener would stop the daemon.
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const fd = (socket as Socket & { _handle?: { fd?: number } })._handle?.fd;
    let uid: number;
    let pid: number;
    try {
      ({ uid, pid } = getPeerCredentials(fd ?? -1));
    } catch {
      socket.destroy();
      return;
    }
    const allowed = uid === 0 || uid === process.geteuid?.();
    if (!allowed) {
      this.refusals.count(uid);
      return this.#refuse(socket, `get inside is for root only (you are uid ${uid})`);
    }
    if (this.#repls.size >= maxInsideConnections) {
      this.refusals.count(uid);
      return this.#refuse(socket, `${maxInsideConnections} REPLs are open already; close one first`);
    }
    this.#repls.set(socket, null);
    socket.once('close', () => {
      this.#repls.get(socket)?.close();
      this.#repls.delete(socket);
    });
    const input = new InsideInput();
    // A client that never sends its header would hold a slot for ever.
    const waiting = setTimeout(() => {
      this.#refuse(socket, `no header line within ${this.#headerTimeoutMs / 1000} s`);
    }, this.#headerTimeoutMs).unref();
    socket.once('close', () => clearTimeout(waiting));
    input.once('size', () => {
      clearTimeout(waiting);
      void this.#startRepl(socket, input, { uid, pid });
    });
    socket.pipe(input);
    input.on('error', (error) => this.#refuse(socket, error.message));
  }

  async #startRepl(socket: Socket, input: InsideInput, peer: { uid: number; pid: number }): Promise<void> {
    const history = await openHistoryFile(this.#historyFile).catch((error: Error) => {
      if (!this.#historyRefusalLogged) this.#app.log.warn({ err: error }, 'inside: REPLs run without history');
      this.#historyRefusalLogged = true;
      return null;
    });
    if (socket.destroyed) return;
    const output = Object.assign(socket, { columns: input.columns, rows: input.rows });
    input.on('size', () => {
      Object.assign(output, { columns: input.columns, rows: input.rows });
      output.emit('resize');
    });
    const watch = setInterval(() => {
      if (socket.writableLength > maxUnreadBytes) socket.destroy();
    }, 1000).unref();
    socket.once('close', () => clearInterval(watch));
    // node:repl is loaded on the first REPL, not at start: it loads node:domain, which wraps
    // every EventEmitter's construction and emit in the process (3 % of the login page's
    // keep-alive CPU, bench/README.md), and acorn, readline and vm with it (start time, heap).
    const { start: startRepl } = await import('node:repl');
    if (socket.destroyed) return;
    this.#app.log.info(peer, 'inside: a REPL opened');
    socket.write('ok\n');
    const repl = startRepl({ prompt: 'licornd> ', input, output, terminal: true, useColors: true, useGlobal: false });
    Object.assign(repl.context, { core: this.#app.core, app: this.#app });
    // Only once openHistoryFile made (or found) it safely: a regular root file, 0600, in a
    // directory only root can change, so the name setupHistory opens cannot be swapped.
    if (history) {
      repl.setupHistory(history, (error) => {
        if (error) this.#app.log.warn({ err: error }, 'inside: no REPL history');
      });
    }
    repl.once('exit', () => socket.end());
    this.#repls.set(socket, repl);
  }
}
