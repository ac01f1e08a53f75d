import WebSocket from 'ws';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, openApiSession, type ApiSession, type TestApp } from './test-app.ts';
import { testPasswords } from './sandbox.ts';

// A push-channel client for tests: connects to the test's own server (self-signed, so
// certificate checks are off for it only) and collects every message it receives.
export class TestSocket {
  readonly messages: { action: string; target: string; html?: string; data?: unknown }[] = [];
  // Every frame as it came over the wire (to assert on what was sent, not on what parsed).
  readonly frames: string[] = [];
  readonly socket: WebSocket;
  closeCode: number | null = null;
  closeReason = '';
  #waiters: (() => void)[] = [];
  readonly #opened: Promise<void>;

  constructor(url: string, headers: Record<string, string>) {
    this.socket = new WebSocket(url, { headers, rejectUnauthorized: false });
    this.#opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`refused: ${response.statusCode}`)),
      );
      this.socket.once('error', reject);
    });
    this.#opened.catch(() => {});
    this.socket.on('message', (data) => {
      this.frames.push(data.toString());
      this.messages.push(...(JSON.parse(data.toString()) as TestSocket['messages']));
      this.#waiters.forEach((wake) => wake());
    });
    this.socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.#waiters.forEach((wake) => wake());
    });
  }

  // Resolves when the socket is open; rejects with the HTTP status of a refused upgrade.
  opened(): Promise<void> {
    return this.#opened;
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  // Waits (up to a deadline) for a condition on what was received.
  async waitFor<T>(find: () => T | undefined | false | null, what: string, deadlineMs = 5000): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, end - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

// For a push-channel test file: builds the app and listens on a free port before its tests, logs in
// `admin` and `dnguyen` (API sessions), opens sockets to it (with this site's Origin unless told
// otherwise), and closes it all after.
export interface SocketTestApp {
  t: TestApp;
  // API sessions of `admin` and of the plain member `dnguyen`.
  admin: ApiSession;
  member: ApiSession;
  host: string;
  origin: string;
  sockets: TestSocket[];
  connect(cookie: string, headers?: Record<string, string>): TestSocket;
}

export function useSocketTestApp(): SocketTestApp {
  const server: SocketTestApp = {
    t: undefined as unknown as TestApp,
    admin: undefined as unknown as ApiSession,
    member: undefined as unknown as ApiSession,
    host: '',
    origin: '',
    sockets: [] as TestSocket[],
    connect(cookie: string, headers: Record<string, string> = { origin: server.origin }): TestSocket {
      const socket = new TestSocket(`wss://${server.host}/ws`, { cookie, ...headers });
      server.sockets.push(socket);
      return socket;
    },
  };
  beforeAll(async () => {
    server.t = await createTestApp();
    await server.t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.t.app.server.address();
    server.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    server.origin = `https://${server.host}`;
    server.admin = await openApiSession(server.t.app, 'admin', testPasswords.admin);
    server.member = await openApiSession(server.t.app, 'dnguyen', testPasswords.dnguyen);
  });
  afterAll(async () => {
    server.sockets.forEach((socket) => socket.close());
    await server.t.close();
  });
  return server;
}
