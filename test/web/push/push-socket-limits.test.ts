import { describe, expect, it, vi } from 'vitest';
import { useSocketTestApp } from '../../helpers/ws-client.ts';
import { openApiSession } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { maxBufferedBytes, maxFrameBytes } from '../../../server/web/push/push-limits.ts';

const server = useSocketTestApp();

// The limits only a real socket shows: ws's frame size, the upgrade refused, what the
// kernel and the server buffer for a reader that never reads.
describe("the push channel's limits over real WSS", () => {
  it('closes a socket that sends a frame larger than maxFrameBytes with 1009, before parsing it', async () => {
    const socket = server.connect(server.member.cookie);
    await socket.opened();
    const before = server.t.app.hub.refusals.getTotals()['frame-too-large'];
    const names = Array.from({ length: Math.ceil(maxFrameBytes / 4) }, (_, i) => i.toString(36));
    socket.send({ subscribe: names });
    await socket.waitFor(() => socket.closeCode === 1009, 'close code 1009');
    expect(socket.messages).toEqual([]);
    expect(server.t.app.hub.refusals.getTotals()['frame-too-large']).toBe(before + 1);
  });

  it('closes at once one socket more than push.max_sockets_per_session, and serves other sessions', async () => {
    const maxSocketsPerSession = server.t.app.config.push.maxSocketsPerSession;
    const sockets = Array.from({ length: maxSocketsPerSession }, () => server.connect(server.member.cookie));
    await Promise.all(sockets.map((socket) => socket.opened()));
    const extra = server.connect(server.member.cookie);
    await extra.waitFor(() => extra.closeCode === 4429, 'close code 4429');
    expect(extra.closeReason).toBe(`too many push sockets for this session (at most ${maxSocketsPerSession})`);
    await server.connect(server.admin.cookie).opened();
    // One closed, one more fits.
    const open = server.t.app.hub.clientCount;
    sockets[0]!.close();
    await vi.waitFor(() => expect(server.t.app.hub.clientCount).toBe(open - 1));
    await server.connect(server.member.cookie).opened();
    sockets.slice(1).forEach((socket) => socket.close());
  });

  it('drops a socket that never reads once the server holds more than maxBufferedBytes for it', async () => {
    const stuck = server.connect(server.admin.cookie);
    const reader = server.connect(server.admin.cookie);
    await Promise.all([stuck.opened(), reader.opened()]);
    for (const socket of [stuck, reader]) socket.send({ subscribe: ['sessions'] });
    await stuck.waitFor(() => stuck.messages.find((m) => m.target === 'sessions'), 'the snapshot');
    await reader.waitFor(() => reader.messages.find((m) => m.target === 'sessions'), 'the snapshot');
    stuck.socket.pause();
    const before = server.t.app.hub.refusals.getTotals()['slow-reader'];
    const html = 'x'.repeat(1024 * 1024);
    // The kernel takes some megabytes on loopback before the server has to hold any.
    let published = 0;
    while (server.t.app.hub.refusals.getTotals()['slow-reader'] === before && published < 100) {
      server.t.app.hub.publish('sessions', [{ action: 'notify', target: 'notifications', html }]);
      published += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.t.app.hub.refusals.getTotals()['slow-reader']).toBe(before + 1);
    expect(published).toBeLessThan(100);
    // The reader that keeps up got every frame.
    const received = () => reader.messages.filter((m) => m.html === html).length;
    await reader.waitFor(() => received() === published, 'every frame', 10_000);
    expect(maxBufferedBytes).toBeLessThan(published * html.length);
  });

  it("refuses upgrades past the connection rate (429), said in the reader's language with its key", async () => {
    // A session of its own: its bucket is emptied here.
    const { cookie } = await openApiSession(server.t.app, 'dnguyen', testPasswords.dnguyen);
    const headers = { cookie, host: server.host, origin: `https://${server.host}`, 'accept-language': 'fr' };
    let refused = null;
    for (let tries = 0; tries < 4 * server.t.app.config.push.maxSocketsPerSession && !refused; tries++) {
      const answer = await server.t.app.inject({ method: 'GET', url: '/ws', headers });
      if (answer.statusCode === 429) refused = answer;
    }
    expect(refused?.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused?.headers.connection).toBe('close');
    expect(refused?.json()).toMatchObject({ code: 'busy', messageKey: 'web.webSockets.tooFastForSession' });
    expect(refused?.json().message).toMatch(/^Connexions WebSocket ouvertes trop vite pour cette session\s: /);
    expect(refused?.json().message).toContain(`${refused?.headers['retry-after']}\u00a0s`);
  });
});
