import { chmod } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { start as startRepl, type REPLServer } from 'node:repl';
import type { FastifyInstance } from 'fastify';
import { getPeerCredentials } from '../../native/native.ts';
import { listenOnSocketPath, removeSocketFile } from './local-socket-file.ts';
import { InsideInput } from './inside-input.ts';

// REPLs open at once: get inside is for root, a few at a time.
export const maxInsideConnections = 4;
// Output a client has not read, past which it is cut (a REPL writes without waiting).
const maxUnreadBytes = 8 * 1024 * 1024;

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
  readonly #repls = new Map<Socket, REPLServer | null>();
  // Every connection open, REPL or being refused: all are cut at stop.
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #path = '';
  #identity: { dev: number; ino: number } | null = null;

  constructor(app: FastifyInstance, historyFile: string) {
    this.#app = app;
    this.#historyFile = historyFile;
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
    if (this.#identity) await removeSocketFile(this.#path, this.#identity);
  }

  #refuse(socket: Socket, message: string): void {
    // Read (and drop) what the client sends, so that its close is seen at once.
    socket.resume();
    socket.end(`error: ${message}\n`);
    socket.setTimeout(1000, () => socket.destroy());
  }

  #accept(socket: Socket): void {
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
      this.#app.log.warn({ uid, pid }, 'inside socket: refused a caller that is not root');
      return this.#refuse(socket, `get inside is for root only (you are uid ${uid})`);
    }
    if (this.#repls.size >= maxInsideConnections) {
      return this.#refuse(socket, `${maxInsideConnections} REPLs are open already; close one first`);
    }
    this.#repls.set(socket, null);
    socket.once('close', () => {
      this.#repls.get(socket)?.close();
      this.#repls.delete(socket);
    });
    const input = new InsideInput();
    input.once('size', () => this.#startRepl(socket, input, { uid, pid }));
    socket.pipe(input);
    input.on('error', (error) => this.#refuse(socket, error.message));
  }

  #startRepl(socket: Socket, input: InsideInput, peer: { uid: number; pid: number }): void {
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
    this.#app.log.info(peer, 'inside: a REPL opened');
    socket.write('ok\n');
    const repl = startRepl({ prompt: 'licornd> ', input, output, terminal: true, useColors: true, useGlobal: false });
    Object.assign(repl.context, { core: this.#app.core, app: this.#app });
    repl.setupHistory(this.#historyFile, (error) => {
      if (error) this.#app.log.warn({ err: error }, 'inside: no REPL history');
      else void chmod(this.#historyFile, 0o600).catch(() => undefined);
    });
    repl.once('exit', () => socket.end());
    this.#repls.set(socket, repl);
  }
}
