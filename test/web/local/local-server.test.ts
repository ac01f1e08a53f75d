import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalServer, maxLocalConnectionsPerUid } from '../../../server/web/local/local-server.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { requestLocal } from '../../helpers/local-socket-client.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

// The local socket's bounds, on the app of a test (the daemon's own: local-socket.test.ts).
let t: TestApp;
let server: LocalServer;
let path = '';
beforeAll(async () => {
  t = await createTestApp();
  server = new LocalServer(t.app, { headersTimeoutMs: 1000 });
  path = join(t.sandbox.dir, 'local.sock');
  await server.listen(path);
});
afterAll(async () => {
  await server.close();
  await t.close();
});

// Opens a raw connection; its `answer` is everything it read until it closed.
function open(): { socket: Socket; answer: Promise<string> } {
  const socket = connect(path);
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
  return { socket, answer };
}

describe('the local server', () => {
  it('cuts a client that trickles its headers (408), freeing its slot', async () => {
    const slow = open();
    slow.socket.write('GET /api/v1/session HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 200);
    try {
      expect(await slow.answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(timer);
    }
  });

  it(`holds ${maxLocalConnectionsPerUid} connections of one uid; the next gets a JSON 503 and is closed`, async () => {
    const held = Array.from({ length: maxLocalConnectionsPerUid }, () => open());
    await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))));
    // Each one accepted and counted before the next connects.
    expect((await requestLocal(path, 'GET', '/api/v1/session')).status).toBe(503);
    const refused = await requestLocal(path, 'GET', '/api/v1/session');
    expect(refused.json()).toMatchObject({ code: 'busy', field: 'connection' });
    expect(refused.json().message).toContain(`at most ${maxLocalConnectionsPerUid} for uid 0`);
    held.forEach(({ socket }) => socket.destroy());
    await Promise.all(held.map(({ answer }) => answer));
    // The daemon counts them out as it sees them close.
    const deadline = Date.now() + 5000;
    let back = await requestLocal(path, 'GET', '/api/v1/session');
    while (back.status === 503 && Date.now() < deadline) back = await requestLocal(path, 'GET', '/api/v1/session');
    expect(back.json()).toMatchObject({ login: 'root', isAdmin: true });
  });

  it("ends a connection's session with it", async () => {
    const reasons: string[] = [];
    const stop = t.app.core.events.on('session-closed', ({ data }) => reasons.push(data.reason));
    try {
      const me = await requestLocal(path, 'GET', '/api/v1/session');
      expect(me.status).toBe(200);
      // requestLocal's connection closes after its answer (no keep-alive agent): its session ends.
      await waitUntil(() => reasons.includes('disconnected'), 'the session closed with its connection');
      expect(t.app.sessions.list().filter((session) => session.via === 'local')).toEqual([]);
    } finally {
      stop();
    }
  });

  it('survives callers that leave before their refusal is written, and logs the flood in one line', async () => {
    const warn = vi.spyOn(t.app.log, 'warn');
    const held = Array.from({ length: maxLocalConnectionsPerUid }, () => open());
    try {
      await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('connect', resolve))));
      // Red team's HIGH 1: each connects and closes at once; the daemon's 503 meets a closed
      // peer (EPIPE, ECONNRESET), which stopped the process when nothing listened for it.
      const gone = Array.from({ length: 200 }, () => {
        const socket = connect(path);
        socket.on('error', () => undefined);
        socket.once('connect', () => socket.destroy());
        return new Promise((resolve) => socket.once('close', resolve));
      });
      await Promise.all(gone);
      await waitUntil(() => server.refusals.total >= 200, 'the daemon saw every refused connection');
    } finally {
      held.forEach(({ socket }) => socket.destroy());
      await Promise.all(held.map(({ answer }) => answer));
    }
    const lines = warn.mock.calls.filter(([, message]) => String(message).includes('connections refused'));
    warn.mockRestore();
    expect(lines.length).toBeLessThanOrEqual(1);
    const deadline = Date.now() + 5000;
    let back = await requestLocal(path, 'GET', '/api/v1/session');
    while (back.status === 503 && Date.now() < deadline) back = await requestLocal(path, 'GET', '/api/v1/session');
    expect(back.json()).toMatchObject({ login: 'root', isAdmin: true });
  });
});
