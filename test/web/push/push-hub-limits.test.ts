import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PushHub } from '../../../server/web/push/push-hub.ts';
import type { PushTopic, Viewer } from '../../../server/web/push/stream-message.ts';
import {
  maxBufferedBytes,
  maxNamesPerFrame,
  maxRefusedNamesPerSocket,
  maxTopicsPerSocket,
  noticeBurst,
  subscribeBurst,
  subscribePerSecond,
} from '../../../server/web/push/push-limits.ts';

// A socket as the hub sees it: frames go in raw through 'message', what the hub sends and
// how it closes are recorded. `bufferedAmount` is what a reader that never reads leaves.
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | null = null;
  paused = false;
  terminated = false;
  // The hub sends text frames as buffers (one shared by every socket of a fan-out).
  send(frame: string | Buffer): void {
    this.sent.push(String(frame));
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = 2;
  }
  pause(): void {
    this.paused = true;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {}
  // Sends one raw text frame to the hub.
  receive(text: string): void {
    this.emit('message', Buffer.from(text), false);
  }
  get notices(): string[] {
    return this.sent.filter((frame) => frame.includes('"notify"'));
  }
}

const logLines: string[] = [];
const log = {
  warn: (_data: object, message: string) => logLines.push(message),
  error: () => {},
  debug: () => {},
} as unknown as FastifyBaseLogger;
let time = 0;
const hubs: PushHub[] = [];
afterEach(() => {
  hubs.forEach((hub) => hub.close());
  hubs.length = 0;
  logLines.length = 0;
  vi.useRealTimers();
});

const admin: Viewer = { sessionId: 's-admin', publicId: 'p-admin', login: 'admin', isAdmin: true };
const member: Viewer = { sessionId: 's-member', publicId: 'p-member', login: 'dnguyen', isAdmin: false };

// A hub with an admin-only `thing/` family of topics that counts its snapshots and followers.
function createHub() {
  const followers = new Map<string, number>();
  const snapshots: string[] = [];
  const topic: PushTopic = {
    name: 'thing/',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async (_viewer, name) => {
      snapshots.push(name);
      return [{ action: 'update', target: name, html: 'x' }];
    },
    acquire: (name) => followers.set(name, (followers.get(name) ?? 0) + 1),
    release: (name) => followers.set(name, (followers.get(name) ?? 0) - 1),
  };
  const maxSockets = { perSession: maxSocketsPerSession, perAddress: maxSocketsPerAddress };
  const hub = new PushHub(log, { maxSockets, now: () => time });
  hub.registerTopic(topic);
  hubs.push(hub);
  const connect = (viewer: Viewer, options: { address?: string; getViewer?: () => Viewer | null } = {}) => {
    const socket = new FakeSocket();
    const address = options.address ?? '192.0.2.1';
    const getViewer = options.getViewer ?? (() => viewer);
    hub.handleSocket(socket as unknown as WebSocket, { viewer, address, locale: 'en', getViewer });
    return socket;
  };
  return { hub, connect, followers, snapshots };
}

// The config's defaults are larger; the rule is the same.
const maxSocketsPerSession = 16;
const maxSocketsPerAddress = 64;

const subscribe = (names: string[]) => JSON.stringify({ subscribe: names });
const names = (count: number, prefix = 'thing/') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the push hub's limits, on raw frames", () => {
  it('answers a frame of unknown names with one notice, and closes a socket that keeps sending them', () => {
    const { hub, connect } = createHub();
    const socket = connect(member);
    socket.receive(subscribe(names(maxNamesPerFrame, 'nosuch')));
    expect(socket.notices).toHaveLength(1);
    const more = maxNamesPerFrame - 3;
    expect(socket.notices[0]).toContain(
      `Cannot follow “nosuch0”, “nosuch1”, “nosuch2” and ${more} more: no such topic for you.`,
    );
    expect(socket.closed).toBeNull();
    socket.receive(subscribe(['nosuch-again']));
    expect(socket.closed).toEqual({ code: 1008, reason: `more than ${maxRefusedNamesPerSocket} topic names refused` });
    expect(socket.notices).toHaveLength(1);
    // Frames still in flight cost nothing more.
    socket.receive(subscribe(['nosuch-later']));
    expect(socket.sent).toHaveLength(1);
    expect(hub.refusals.getTotals()).toMatchObject({ 'unknown-topic': maxNamesPerFrame + 1, 'too-many-refused': 1 });
  });

  it('closes a socket on a frame of more than maxNamesPerFrame names, without a notice', () => {
    const { hub, connect } = createHub();
    const socket = connect(admin);
    socket.receive(JSON.stringify({ subscribe: names(maxNamesPerFrame), unsubscribe: ['thing/x'] }));
    const reason = `${maxNamesPerFrame + 1} topic names in one frame; at most ${maxNamesPerFrame}`;
    expect(socket.closed).toEqual({ code: 1008, reason });
    expect(socket.sent).toEqual([]);
    expect(hub.refusals.getTotals()['too-many-names']).toBe(1);
  });

  it('closes a socket that sends a frame that is not a JSON object', () => {
    const { hub, connect } = createHub();
    const socket = connect(admin);
    socket.receive('[1,2]');
    expect(socket.closed?.code).toBe(1007);
    expect(hub.refusals.getTotals()['bad-frame']).toBe(1);
  });

  it('sends at most noticeBurst notices, then one per noticeEveryMs', () => {
    const { hub, connect } = createHub();
    const socket = connect(member);
    for (let i = 0; i < noticeBurst + 3; i += 1) socket.receive(subscribe([`nosuch${i}`]));
    expect(socket.notices).toHaveLength(noticeBurst);
    time += 5000;
    socket.receive(subscribe(['nosuch-later']));
    expect(socket.notices).toHaveLength(noticeBurst + 1);
    expect(hub.refusals.getTotals()['unknown-topic']).toBe(noticeBurst + 4);
  });

  it('refuses an admin-only topic to a member, never sending its snapshot', async () => {
    const { hub, connect, snapshots } = createHub();
    const socket = connect(member);
    socket.receive(subscribe(['thing/1']));
    await settle();
    expect(snapshots).toEqual([]);
    expect(socket.notices).toHaveLength(1);
    expect(hub.refusals.getTotals()['forbidden-topic']).toBe(1);
  });

  it('closes a socket that subscribes faster than the token bucket allows', async () => {
    const { hub, connect } = createHub();
    const socket = connect(admin);
    socket.receive(subscribe(names(maxNamesPerFrame)));
    socket.receive(subscribe(names(maxNamesPerFrame)));
    expect(socket.closed).toBeNull(); // the burst: subscribeBurst names at once
    socket.receive(subscribe(['thing/0']));
    expect(socket.closed).toEqual({
      code: 4429,
      reason: `subscribing faster than ${subscribePerSecond} topics a second`,
    });
    expect(hub.refusals.getTotals()['subscribe-rate']).toBe(1);

    // Names are refilled at subscribePerSecond.
    const patient = connect(admin);
    for (let i = 0; i < subscribeBurst / maxNamesPerFrame; i += 1) patient.receive(subscribe(names(maxNamesPerFrame)));
    time += 1000;
    patient.receive(subscribe(names(subscribePerSecond)));
    expect(patient.closed).toBeNull();
    patient.receive(subscribe(['thing/0']));
    expect(patient.closed?.code).toBe(4429);
  });

  it('follows at most maxTopicsPerSocket topics, and renders their snapshots one at a time', async () => {
    const { hub, connect, snapshots, followers } = createHub();
    const socket = connect(admin);
    const all = names(maxTopicsPerSocket + 1);
    socket.receive(subscribe(all.slice(0, maxNamesPerFrame)));
    socket.receive(subscribe(all.slice(maxNamesPerFrame, maxTopicsPerSocket)));
    // The first snapshot is under way; the rest wait their turn.
    expect(snapshots).toEqual(['thing/0']);
    time += 1000;
    socket.receive(subscribe(all.slice(maxTopicsPerSocket)));
    expect(socket.notices).toHaveLength(1);
    expect(hub.refusals.getTotals()['too-many-topics']).toBe(1);
    await vi.waitFor(() => expect(snapshots).toHaveLength(maxTopicsPerSocket));
    expect(new Set(snapshots)).toEqual(new Set(all.slice(0, maxTopicsPerSocket)));
    // Leaving releases; a topic left before its snapshot was sent gets none.
    socket.receive(JSON.stringify({ unsubscribe: ['thing/0'] }));
    expect(followers.get('thing/0')).toBe(0);
    socket.terminate();
    expect([...followers.values()].every((count) => count === 0)).toBe(true);
  });

  it('drops a socket whose unread bytes pass maxBufferedBytes, at the next send (fan-out included)', () => {
    const { hub, connect } = createHub();
    const reader = connect(admin);
    const stuck = connect(admin);
    for (const socket of [reader, stuck]) socket.receive(subscribe(['thing/1']));
    hub.publish('thing/1', [{ action: 'update', target: 'a', html: 'first' }]);
    stuck.bufferedAmount = maxBufferedBytes + 1;
    hub.publish('thing/1', [{ action: 'update', target: 'a', html: 'second' }]);
    expect(stuck.terminated).toBe(true);
    expect(stuck.sent.some((frame) => frame.includes('second'))).toBe(false);
    expect(reader.sent.some((frame) => frame.includes('second'))).toBe(true);
    expect(hub.clientCount).toBe(1);
    expect(hub.refusals.getTotals()['slow-reader']).toBe(1);
  });

  it('closes at once a socket past maxSocketsPerSession or maxSocketsPerAddress', () => {
    const { hub, connect } = createHub();
    const sockets = Array.from({ length: maxSocketsPerSession }, () => connect(admin));
    expect(sockets.every((socket) => socket.closed === null)).toBe(true);
    const extra = connect(admin);
    expect(extra.closed).toEqual({
      code: 4429,
      reason: `too many push sockets for this session (at most ${maxSocketsPerSession})`,
    });
    expect(hub.getSocketRefusal(admin.sessionId, '192.0.2.1')?.reason).toBe('sockets-per-session');
    expect(hub.getSocketRefusal('another-session', '192.0.2.1')).toBeNull();
    sockets[0]!.terminate();
    expect(connect(admin).closed).toBeNull();

    const connectFromNat = (i: number) => connect({ ...member, sessionId: `s-${i}` }, { address: '192.0.2.9' });
    const fromOneAddress = Array.from({ length: maxSocketsPerAddress }, (_, i) => connectFromNat(i));
    expect(fromOneAddress.every((socket) => socket.closed === null)).toBe(true);
    expect(connect({ ...member, sessionId: 's-new' }, { address: '192.0.2.9' }).closed?.code).toBe(4429);
    expect(hub.refusals.getTotals()).toMatchObject({ 'sockets-per-session': 1, 'sockets-per-address': 1 });
  });

  it('reads the viewer on every frame: a session that ended closes the socket with 4401', async () => {
    const { hub, connect, snapshots } = createHub();
    let current: Viewer | null = admin;
    const socket = connect(admin, { getViewer: () => current });
    current = null;
    socket.receive(subscribe(['thing/1']));
    await settle();
    expect(socket.closed).toEqual({ code: 4401, reason: 'session ended' });
    expect(snapshots).toEqual([]);
    expect(hub.refusals.getTotals()['session-ended']).toBe(1);
  });

  it('drops the topics an admin may no longer follow, and closes with 4401 so the page reloads', async () => {
    const { hub, connect, followers } = createHub();
    let current: Viewer = admin;
    const socket = connect(admin, { getViewer: () => current });
    socket.receive(subscribe(['thing/1']));
    await settle();
    expect(followers.get('thing/1')).toBe(1);
    current = { ...admin, isAdmin: false };
    socket.receive(subscribe(['thing/2']));
    expect(followers.get('thing/1')).toBe(0);
    expect(followers.has('thing/2')).toBe(false);
    expect(socket.closed).toEqual({ code: 4401, reason: 'rights changed; reload the page' });
    // Nothing more reaches it, even before its close completes.
    const sent = socket.sent.length;
    hub.publish('thing/1', [{ action: 'update', target: 'a', html: 'secret' }]);
    expect(socket.sent).toHaveLength(sent);
  });

  it('reads the viewer again before each queued snapshot', async () => {
    const { connect, snapshots } = createHub();
    let current: Viewer = admin;
    const socket = connect(admin, { getViewer: () => current });
    socket.receive(subscribe(['thing/1', 'thing/2', 'thing/3']));
    expect(snapshots).toEqual(['thing/1']);
    current = { ...admin, isAdmin: false };
    await settle();
    expect(snapshots).toEqual(['thing/1']);
    expect(socket.sent).toEqual([]);
    expect(socket.closed?.code).toBe(4401);
  });

  it('writes refusals to the log at most once per refusalLogEveryMs, in one line', () => {
    vi.useFakeTimers();
    const { connect } = createHub();
    for (let i = 0; i < 50; i += 1) {
      const socket = connect({ ...member, sessionId: `s-${i}` }, { address: `192.0.2.${i}` });
      socket.receive(subscribe(names(maxNamesPerFrame, 'nosuch')));
    }
    expect(logLines).toEqual([`push channel refusals: unknown-topic ${maxNamesPerFrame}`]);
    vi.advanceTimersByTime(9_000);
    expect(logLines).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(logLines).toEqual([
      `push channel refusals: unknown-topic ${maxNamesPerFrame}`,
      `push channel refusals: unknown-topic ${49 * maxNamesPerFrame}`,
    ]);
    vi.advanceTimersByTime(60_000);
    expect(logLines).toHaveLength(2);
  });
});
