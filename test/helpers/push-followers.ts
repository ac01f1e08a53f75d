// Followers of the push hub without a browser: sockets that record what the hub sends them, a hub
// closed with its topics at the end of the test, and waits for frames (never a fixed sleep).
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { onTestFinished } from 'vitest';
import type { WebSocket } from 'ws';
import type { Locale } from '../../common/i18n/locales.ts';
import { PushHub } from '../../server/web/push/push-hub.ts';
import type { PushTopic, Viewer } from '../../server/web/push/stream-message.ts';

// A socket as the hub sees it: every frame sent is kept as given (`frames`: a buffer shared by
// a fan-out is the same object in each socket) and as text (`sent`).
export class RecordingSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: unknown[] = [];
  readonly sent: string[] = [];
  send(frame: string | Buffer): void {
    this.frames.push(frame);
    this.sent.push(String(frame));
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
}

// A logger that says nothing: the hub's warnings are not what these tests look at.
export const quietLog = { warn: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger;

// The admin every follower is logged in as.
export const followingAdmin: Viewer = { sessionId: 's-admin', publicId: 'p-admin', login: 'admin', isAdmin: true };

// A hub with the topics `createTopics` makes for it, closed with them when the test ends (each
// session and address may open `sockets`); `follow` opens a socket that subscribes to `names`.
export function openTestHub(createTopics: (hub: PushHub) => (PushTopic & { close(): void })[], sockets = 16) {
  const hub = new PushHub(quietLog, { maxSockets: { perSession: sockets, perAddress: sockets } });
  const topics = createTopics(hub);
  for (const topic of topics) hub.registerTopic(topic);
  onTestFinished(() => {
    hub.close();
    for (const topic of topics) topic.close();
  });
  const follow = (names: string[], locale: Locale = 'en'): RecordingSocket => {
    const socket = new RecordingSocket();
    hub.handleSocket(socket as unknown as WebSocket, {
      viewer: followingAdmin,
      address: '192.0.2.1',
      locale,
      getViewer: () => followingAdmin,
    });
    socket.emit('message', Buffer.from(JSON.stringify({ subscribe: names })), false);
    return socket;
  };
  return { hub, follow };
}

// Waits, with a deadline, until `socket` has received a frame containing `text` past its first
// `from` frames.
export async function waitForFrame(socket: RecordingSocket, text: string, from = 0): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!socket.sent.slice(from).some((frame) => frame.includes(text))) {
    if (Date.now() > deadline) throw new Error(`no frame with ${text}: ${socket.sent.join('\n')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// Waits, with a deadline, until every socket has received `count` frames.
export async function waitForFrames(sockets: RecordingSocket[], count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (sockets.some((socket) => socket.sent.length < count)) {
    if (Date.now() > deadline) throw new Error(`some socket has fewer than ${count} frames`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
