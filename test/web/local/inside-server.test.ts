import { connect, type Socket } from 'node:net';
import { chmod, lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsideServer, maxInsideConnections } from '../../../server/web/local/inside-server.ts';
import { openHistoryFile } from '../../../server/web/local/inside-history.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { waitUntil } from '../../helpers/wait-until.ts';

// The get inside socket's bounds and history file, on a test app (the daemon's own: inside-socket.test.ts).
let t: TestApp;
let server: InsideServer;
let path = '';
beforeAll(async () => {
  t = await createTestApp();
  server = new InsideServer(t.app, join(t.sandbox.dir, 'inside', 'history'), { headerTimeoutMs: 500 });
  path = join(t.sandbox.dir, 'inside.sock');
  await server.listen(path);
});
afterAll(async () => {
  await server.close();
  await t.close();
});

// Opens a raw connection, sending `header` if given; `answer` is all it read until closed.
function open(header?: string): { socket: Socket; answer: Promise<string>; text: () => string } {
  const socket = connect(path);
  if (header !== undefined) socket.write(header);
  let text = '';
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
  return { socket, answer, text: () => text };
}

describe('the inside server', () => {
  it('cuts a client that never sends its header line, freeing its slot (LOW 10)', async () => {
    const silent = open();
    expect(await silent.answer).toBe('error: no header line within 0.5 s\n');
  });

  it('survives callers that leave before their refusal is written (HIGH 1)', async () => {
    const held = Array.from({ length: maxInsideConnections }, () => open('{"columns":80,"rows":24}\n'));
    try {
      await Promise.all(held.map(({ socket }) => new Promise((resolve) => socket.once('data', resolve))));
      const gone = Array.from({ length: 100 }, () => {
        const socket = connect(path);
        socket.on('error', () => undefined);
        socket.once('connect', () => socket.destroy());
        return new Promise((resolve) => socket.once('close', resolve));
      });
      await Promise.all(gone);
      await waitUntil(() => server.refusals.total >= 100, 'the daemon saw every refused connection');
    } finally {
      held.forEach(({ socket }) => socket.destroy());
      await Promise.all(held.map(({ answer }) => answer));
    }
    const again = open('{"columns":80,"rows":24}\n');
    await waitUntil(() => again.text().includes('licornd> '), 'a prompt once the slots are free');
    again.socket.write('.exit\r');
    expect(await again.answer).toMatch(/^ok\n/);
  });

  it('keeps its history in a 0600 file of a root-only directory (LOW 9)', async () => {
    const history = join(t.sandbox.dir, 'inside', 'history');
    expect(await openHistoryFile(history)).toBe(history);
    expect((await lstat(history)).mode & 0o7777).toBe(0o600);
    expect((await lstat(join(t.sandbox.dir, 'inside'))).mode & 0o7777).toBe(0o700);
  });

  it('never follows a symbolic link at the history path, nor keeps it in an open directory (LOW 9)', async () => {
    const victim = join(t.sandbox.dir, 'victim');
    await writeFile(victim, 'root:x:0:0::/root:/bin/sh\n', { mode: 0o644 });
    const directory = join(t.sandbox.dir, 'linked');
    await mkdir(directory, { mode: 0o700 });
    await symlink(victim, join(directory, 'history'));
    await expect(openHistoryFile(join(directory, 'history'))).rejects.toThrow('it is a symbolic link');
    expect((await lstat(victim)).mode & 0o7777).toBe(0o644);
    expect(await readFile(victim, 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    const open = join(t.sandbox.dir, 'open');
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    await expect(openHistoryFile(join(open, 'history'))).rejects.toThrow('0700 expected');
  });
});
