import { Agent, get } from 'node:https';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { requestLocal } from '../../helpers/local-socket-client.ts';

let test: TestApp;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  test = await createTestApp();
  app = test.app;
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => test.close());

// Sends a GET over TLS (Connection: close) and returns the whole answer.
function fetchOverTls(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const secure = connectTls({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      secure.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    secure.on('data', (chunk) => chunks.push(chunk));
    secure.on('error', reject);
    secure.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

// A GET over TLS through a keep-alive agent (its connection stays open); the status.
function getKeptAlive(agent: Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, agent, servername: 'localhost', rejectUnauthorized: false };
    get(options, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

// Sends `text` in plain on a new connection and reads until the server closes it.
function sendPlain(text: string | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      if (text !== null) socket.write(text);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

describe('plain HTTP on the HTTPS port', () => {
  it('redirects a GET to https on the same host, port and path', async () => {
    const answer = await sendPlain(`GET /accounts/?q=al%C3%A9 HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 301 Moved Permanently\r\n/);
    expect(answer).toContain(`\r\nLocation: https://localhost:${port}/accounts/?q=al%C3%A9\r\n`);
  });

  it('keeps the method of a POST (308) and never waits for its body', async () => {
    const answer = await sendPlain(
      `POST /login/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100000\r\n\r\nab`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 308 Permanent Redirect\r\n/);
    expect(answer).toContain(`\r\nLocation: https://127.0.0.1:${port}/login/\r\n`);
  });

  it('never echoes a Host the certificate does not name: the address reached instead', async () => {
    for (const host of ['evil.example', 'evil.example\r\nSet-Cookie: a=b', 'localhost@evil.example', '']) {
      const answer = await sendPlain(`GET /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(answer).toContain(`\r\nLocation: https://127.0.0.1:${port}/x\r\n`);
      expect(answer).not.toContain('evil');
      expect(answer).not.toContain('Set-Cookie');
    }
    const twice = await sendPlain(`GET /x HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n`);
    expect(twice).toContain(`\r\nLocation: https://127.0.0.1:${port}/x\r\n`);
  });

  it('leads an absolute-form or odd target to "/", and refuses what is not HTTP', async () => {
    const absolute = await sendPlain(`GET http://evil.example/ HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(absolute).toContain(`\r\nLocation: https://localhost:${port}/\r\n`);
    expect(await sendPlain('hello\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await sendPlain(`GET /${'a'.repeat(9000)} HTTP/1.1\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('cuts a connection that sends nothing, or a head that never ends (slowloris)', async () => {
    const { plainHttpLimits } = await import('../../../server/web/tls/plain-http-redirect.ts');
    const saved = { ...plainHttpLimits };
    plainHttpLimits.firstByteTimeoutMs = 200;
    plainHttpLimits.sniffTimeoutMs = 200;
    try {
      expect(await sendPlain(null)).toBe('');
      expect(await sendPlain('GET / HTTP/1.1\r\nHost: localhost\r\n')).toBe('');
    } finally {
      Object.assign(plainHttpLimits, saved);
    }
  });

  it('holds at most maxUnsettled idle sockets, cutting the oldest, and still answers', async () => {
    const { plainHttpLimits } = await import('../../../server/web/tls/plain-http-redirect.ts');
    const saved = { ...plainHttpLimits };
    // A small cap keeps the test light; the deadlines are long so that only the cap cuts.
    Object.assign(plainHttpLimits, { maxUnsettled: 20, firstByteTimeoutMs: 60_000, sniffTimeoutMs: 60_000 });
    const idle = 60;
    const sockets: Socket[] = [];
    let closed = 0;
    try {
      for (let index = 0; index < idle; index += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => {
          closed += 1;
        });
        // Half send a plain head that never ends: they count as unsettled too.
        if (index % 2 === 1) socket.on('connect', () => socket.write('GET / HTTP/1.1\r\n'));
        sockets.push(socket);
      }
      // Every socket past the cap is cut by the server, without any deadline passing.
      await waitUntil(() => closed >= idle - 20, 'the sockets past the cap to be cut');
      expect(closed).toBe(idle - 20);
      // A real client still gets its answer, plain and TLS alike. The plain one comes in at the
      // cap and cuts one more idle socket; once answered it no longer counts, so TLS cuts none.
      const answer = await sendPlain('GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 301 /);
      expect(await fetchOverTls('/login/')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(closed).toBe(idle - 20 + 1);
      expect(sockets.filter((socket) => !socket.closed)).toHaveLength(19);
    } finally {
      Object.assign(plainHttpLimits, saved);
      for (const socket of sockets) socket.destroy();
    }
  });

  it('counts a socket in its TLS handshake until secure: stalled 0x16s past the cap cut, oldest first', async () => {
    const { plainHttpLimits } = await import('../../../server/web/tls/plain-http-redirect.ts');
    const saved = { ...plainHttpLimits };
    // Red team F6: each sends the first byte of a TLS record and stalls. They used to leave the
    // count once handed to TLS (held for Node's 120 s); now they count until secure.
    Object.assign(plainHttpLimits, { maxUnsettled: 20, firstByteTimeoutMs: 60_000 });
    const stalled = 60;
    const sockets: Socket[] = [];
    let closed = 0;
    const localPath = join(test.sandbox.dir, 'licornd.sock');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let index = 0; index < stalled; index += 1) {
        const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from([0x16])));
        socket.on('error', () => {});
        socket.on('close', () => {
          closed += 1;
        });
        sockets.push(socket);
      }
      await waitUntil(() => closed >= stalled - 20, 'the stalled sockets past the cap to be cut');
      expect(closed).toBe(stalled - 20);
      expect(sockets.slice(0, stalled - 20).every((socket) => socket.closed)).toBe(true);
      // A browser's keep-alive connection comes in at the cap (one more stalled socket cut), and
      // counts no more once secure: a second TLS client then cuts none.
      expect(await getKeptAlive(agent, '/login/')).toBe(200);
      expect(closed).toBe(stalled - 20 + 1);
      expect(await fetchOverTls('/login/')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(closed).toBe(stalled - 20 + 1);
      // The local socket (the CLI's) is another listener, never counted here.
      await test.app.localServer.listen(localPath);
      expect((await requestLocal(localPath, 'GET', '/api/v1/session')).status).toBe(200);
      expect(sockets.filter((socket) => !socket.closed)).toHaveLength(19);
    } finally {
      Object.assign(plainHttpLimits, saved);
      agent.destroy();
      for (const socket of sockets) socket.destroy();
    }
  });

  it('still serves TLS, also when the handshake arrives a byte at a time', async () => {
    const response = await app.inject({ method: 'GET', url: '/login/' });
    expect(response.statusCode).toBe(200);
    const text = await new Promise<string>((resolve, reject) => {
      const raw = connect(port, '127.0.0.1');
      // The client's first write (its ClientHello) goes out as one byte, then the rest apart:
      // the sniffer must hand both to TLS.
      let first = true;
      const split = new Duplex({
        read() {},
        write(chunk: Buffer, _encoding, callback) {
          if (!first) return raw.write(chunk, callback);
          first = false;
          raw.write(chunk.subarray(0, 1), () => setTimeout(() => raw.write(chunk.subarray(1), callback), 50));
        },
        final(callback) {
          raw.end(callback);
        },
      });
      raw.on('data', (chunk) => split.push(chunk));
      raw.on('end', () => split.push(null));
      raw.on('error', reject);
      const secure = connectTls({ socket: split, servername: 'localhost', rejectUnauthorized: false }, () => {
        secure.write('GET /login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      });
      const chunks: Buffer[] = [];
      secure.on('data', (chunk) => chunks.push(chunk));
      secure.on('error', reject);
      secure.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
