import { connect, type Socket } from 'node:net';
import { connect as connectTls, createServer, type Server } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeBurst,
  closeWindowMs,
  collectAfterCloseBursts,
  CloseBursts,
} from '../../../server/web/tls/close-bursts.ts';
import { createSelfSignedCertificate } from '../../../server/web/tls/create-self-signed-certificate.ts';
import { applyPlainHttpRedirect } from '../../../server/web/tls/plain-http-redirect.ts';
import { getHttpsOptions } from '../../../server/web/tls/tls-options.ts';

// A TLS server as the daemon's: the sniffer in front (plain HTTP gets a redirect), then the
// close bursts counted; each connection it accepted (a listener after the sniffer's, which
// takes over the ones before it), to wait for its close.
let server: Server;
let port: number;
let collections = 0;
const accepted: Socket[] = [];
const secured: Socket[] = [];
beforeAll(async () => {
  const material = await createSelfSignedCertificate('localhost');
  server = createServer(getHttpsOptions(material));
  applyPlainHttpRedirect(server, material.cert);
  server.on('connection', (socket: Socket) => accepted.push(socket));
  server.on('secureConnection', (socket: Socket) => secured.push(socket));
  collectAfterCloseBursts(
    server,
    new CloseBursts(
      () => (collections += 1),
      () => 0,
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => {
  vi.useRealTimers();
});

// Connects, does what `use` says, and resolves once the server saw the connection close.
async function connectAndClose(use: 'tls' | 'plain'): Promise<void> {
  const before = (use === 'tls' ? secured : accepted).length;
  await new Promise<void>((resolve, reject) => {
    // Ended, not destroyed: the client's last handshake bytes reach the server first.
    const done = (socket: { end(): void }) => {
      socket.end();
      resolve();
    };
    if (use === 'tls') {
      const secure = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => done(secure));
      secure.once('error', reject);
    } else {
      const plain = connect(port, '127.0.0.1', () => {
        plain.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        plain.once('data', () => done(plain));
      });
      plain.once('error', reject);
    }
  });
  // The server's side of it: the TLS socket, or the plain one.
  const sockets = use === 'tls' ? secured : accepted;
  while (sockets.length === before) await new Promise((resolve) => setTimeout(resolve, 2));
  const socket = sockets[before]!;
  if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
}

// A burst counter on vitest's fake clock, and the times it asked for a collection.
function createBursts() {
  vi.useFakeTimers({ now: 0 });
  const collections: number[] = [];
  const bursts = new CloseBursts(
    () => collections.push(Date.now()),
    () => Date.now(),
  );
  const burst = () => {
    for (let close = 0; close < closeBurst; close += 1) bursts.noteClose();
  };
  return { bursts, collections, burst };
}

describe('a burst of connections closed', () => {
  it('asks for one collection at the burst-th close within the window, none for fewer or slower', () => {
    const { bursts, collections } = createBursts();
    for (let close = 1; close < closeBurst; close += 1) bursts.noteClose();
    expect(collections).toEqual([]);
    vi.advanceTimersByTime(10);
    bursts.noteClose();
    expect(collections).toEqual([10]);
    // The next burst counts from zero.
    for (let close = 1; close < closeBurst; close += 1) bursts.noteClose();
    vi.advanceTimersByTime(closeWindowMs);
    // Closes spread over more than the window: a site's pages reloading, never a burst.
    for (let close = 0; close < closeBurst * 3; close += 1) {
      vi.advanceTimersByTime(closeWindowMs / (closeBurst - 2));
      bursts.noteClose();
    }
    expect(collections).toEqual([10]);
  });

  it('asks at every burst (collectAfterBurst spaces the collections), none once stopped', () => {
    const { bursts, collections, burst } = createBursts();
    burst();
    vi.advanceTimersByTime(100);
    burst();
    expect(collections).toEqual([0, 100]);
    bursts.stop();
    burst();
    expect(collections).toEqual([0, 100]);
  });

  it("counts a TLS server's connections that finished their handshake as they close, not plain ones", async () => {
    const before = collections;
    // Plain HTTP (the sniffer's redirect) costs its sender no handshake: never counted.
    for (let index = 0; index < closeBurst; index += 1) await connectAndClose('plain');
    expect(collections).toBe(before);
    for (let index = 0; index < closeBurst - 1; index += 1) await connectAndClose('tls');
    expect(collections).toBe(before);
    await connectAndClose('tls');
    expect(collections).toBe(before + 1);
  }, 60_000);
});
