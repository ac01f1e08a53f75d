import { createServer, connect, type Server, type Socket } from 'node:net';

// A TCP relay in front of the daemon that the test can cut, as a network blip would.
export async function startRelay(
  target: URL,
): Promise<{ url: string; cut(): void; block(on: boolean): void; close(): void }> {
  const open = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    cut: () => open.forEach((socket) => socket.destroy()),
    block: (on) => {
      blocked = on;
    },
    close: () => {
      open.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}
