import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  churnBurst,
  churnCollectEveryMs,
  churnWindowMs,
  ConnectionChurn,
  watchConnectionChurn,
} from '../../../server/web/tls/connection-churn.ts';

const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

// Opens a TCP connection to `port`, resolved once it is connected.
const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

describe('a burst of connections', () => {
  it('asks for one collection at the burst-th change within the window, none for fewer or slower', () => {
    let time = 0;
    const collections: number[] = [];
    const churn = new ConnectionChurn(
      () => collections.push(time),
      () => time,
    );
    for (let change = 1; change < churnBurst; change += 1) churn.note();
    expect(collections).toEqual([]);
    time = 10;
    churn.note();
    expect(collections).toEqual([10]);
    // The next burst counts from zero.
    for (let change = 1; change < churnBurst; change += 1) churn.note();
    expect(collections).toEqual([10]);
    // Changes spread over more than the window: a site's pages reloading, never a burst.
    time += churnWindowMs;
    for (let change = 0; change < churnBurst * 3; change += 1) {
      time += churnWindowMs / (churnBurst - 2);
      churn.note();
    }
    expect(collections).toEqual([10]);
  });

  it('asks for at most one collection every churnCollectEveryMs, the bursts between it at its end', () => {
    vi.useFakeTimers({ now: 0 });
    const collections: number[] = [];
    const churn = new ConnectionChurn(
      () => collections.push(Date.now()),
      () => Date.now(),
    );
    // A client churning bare connections: a burst every 100 ms, for 10 times the least gap.
    const until = churnCollectEveryMs * 10;
    while (Date.now() < until) {
      for (let change = 0; change < churnBurst; change += 1) churn.note();
      vi.advanceTimersByTime(100);
    }
    // One at once, then one at the end of each gap for the bursts within it (the last gap's
    // bursts at `until`), and no more once they stop.
    const every = Array.from({ length: 11 }, (_, index) => index * churnCollectEveryMs);
    expect(collections).toEqual(every);
    vi.advanceTimersByTime(churnCollectEveryMs * 3);
    expect(collections).toEqual(every);
  });

  it("counts a server's connections as they open and as they close", async () => {
    let collections = 0;
    const server = createServer();
    servers.push(server);
    const accepted: Socket[] = [];
    server.on('connection', (socket) => accepted.push(socket));
    watchConnectionChurn(server, new ConnectionChurn(() => (collections += 1)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const half = churnBurst / 2;
    const clients = await Promise.all(Array.from({ length: half }, () => open(port)));
    while (accepted.length < half) await new Promise((resolve) => setTimeout(resolve, 5));
    const closeOne = async (index: number) => {
      const closed = new Promise((resolve) => accepted[index]!.once('close', resolve));
      clients[index]!.destroy();
      await closed;
    };
    for (let index = 0; index < half - 1; index += 1) await closeOne(index);
    expect(collections).toBe(0);
    await closeOne(half - 1);
    expect(collections).toBe(1);
  });
});
