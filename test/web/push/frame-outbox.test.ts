import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FrameOutbox, fragmentBytes } from '../../../server/web/push/frame-outbox.ts';

// A socket that notes each send and holds its callback until the test says it was written.
class HeldSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: { data: Buffer; fin: boolean; done?: (error?: Error) => void }[] = [];
  send(data: Buffer, options: { fin?: boolean }, done?: (error?: Error) => void): void {
    this.sent.push({ data, fin: options.fin ?? true, done });
  }
  // Calls back the last send (it reached the connection).
  written(error?: Error): void {
    this.sent.at(-1)!.done!(error);
  }
}

const text = (length: number, fill = 'a') => Buffer.from(fill.repeat(length));

describe("a socket's outbox", () => {
  it('sends a large frame as fragments of one message, each once the one before is written', () => {
    const socket = new HeldSocket();
    const outbox = new FrameOutbox(socket as unknown as WebSocket);
    const frame = text(2 * fragmentBytes + 100);
    outbox.send(frame);
    expect(socket.sent).toHaveLength(1);
    expect(outbox.bufferedBytes).toBe(fragmentBytes + 100);
    socket.written();
    socket.written();
    socket.written();
    expect(socket.sent.map((sent) => [sent.data.length, sent.fin])).toEqual([
      [fragmentBytes, false],
      [fragmentBytes, false],
      [100, true],
    ]);
    // The fragments are views of the frame (shared by every socket), never copies.
    expect(socket.sent.every((sent) => sent.data.buffer === frame.buffer)).toBe(true);
    expect(Buffer.concat(socket.sent.map((sent) => sent.data)).equals(frame)).toBe(true);
    expect(outbox.bufferedBytes).toBe(0);
  });

  it('holds the frames sent meanwhile, in order, and counts them as buffered', () => {
    const socket = new HeldSocket();
    const outbox = new FrameOutbox(socket as unknown as WebSocket);
    outbox.send(text(fragmentBytes + 1));
    outbox.send(text(10, 'b'));
    outbox.send(text(fragmentBytes + 2, 'c'));
    expect(socket.sent).toHaveLength(1);
    expect(outbox.bufferedBytes).toBe(1 + 10 + fragmentBytes + 2);
    socket.written();
    socket.written();
    // The small frame went whole, the next large one started.
    expect(socket.sent.map((sent) => [sent.data.toString()[0], sent.data.length, sent.fin])).toEqual([
      ['a', fragmentBytes, false],
      ['a', 1, true],
      ['b', 10, true],
      ['c', fragmentBytes, false],
    ]);
    // A small frame alone is sent at once.
    socket.written();
    socket.written();
    outbox.send(text(5, 'd'));
    expect(socket.sent.at(-1)!.data.toString()).toBe('ddddd');
  });

  it('stops, holding nothing, once the socket fails or closes', () => {
    const socket = new HeldSocket();
    const outbox = new FrameOutbox(socket as unknown as WebSocket);
    outbox.send(text(3 * fragmentBytes));
    outbox.send(text(10));
    socket.written(new Error('closed'));
    expect(socket.sent).toHaveLength(1);
    expect(outbox.bufferedBytes).toBe(0);
  });

  it('reaches a real client as the one message it was', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const frame = Buffer.from(JSON.stringify({ history: 'x'.repeat(5 * fragmentBytes) }));
    server.on('connection', (socket) => {
      const outbox = new FrameOutbox(socket);
      outbox.send(frame);
      outbox.send(Buffer.from('"after"'));
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    const messages: string[] = [];
    await new Promise<void>((resolve) =>
      client.on('message', (data) => {
        messages.push(data.toString());
        if (messages.length === 2) resolve();
      }),
    );
    client.close();
    server.close();
    expect(messages).toEqual([frame.toString(), '"after"']);
  });
});
