import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../../server/core/events/event-journal.ts';
import { maxStreamBufferBytes } from '../../../../server/web/events/event-streams.ts';
import { waitUntil } from '../../../helpers/wait-until.ts';
import { openApiSession, useApiTestApp, type ApiSession } from '../../../helpers/test-app.ts';

const run = promisify(execFile);

// A live stream opened through inject: the response's body as lines as they come.
async function openStream(api: ReturnType<typeof useApiTestApp>, who: ApiSession, query = '') {
  const response = await api.t.app.inject({
    method: 'GET',
    url: `/api/v1/events/stream${query}`,
    headers: { cookie: who.cookie },
    payloadAsStream: true,
  });
  const body = response.stream() as Readable;
  const lines: JournalEntry[] = [];
  let text = '';
  let ended = false;
  body.setEncoding('utf8');
  body.on('data', (chunk: string) => {
    text += chunk;
    const complete = text.split('\n');
    text = complete.pop()!;
    for (const line of complete) lines.push(JSON.parse(line) as JournalEntry);
  });
  body.on('end', () => {
    ended = true;
  });
  body.on('error', () => {
    ended = true;
  });
  return {
    response,
    lines,
    isEnded: () => ended,
    // The client goes away (its socket closed).
    close: () => (response.raw.res as unknown as { destroy(): void }).destroy(),
  };
}

describe('the events API', () => {
  const api = useApiTestApp();

  it('lists the journal oldest first, through a filter, paged with before and limit', async () => {
    for (const login of ['evone', 'evtwo', 'evthree']) {
      await api.t.app.core.accounts.createAccount({ login, fullName: login, password: null });
    }
    api.t.app.core.events.emit('status-sampling', 'status', { running: true });
    const all = await api.call(api.admin, 'GET', '/api/v1/events?limit=1000');
    expect(all.statusCode).toBe(200);
    const { events } = all.json() as { events: JournalEntry[]; earlier: boolean };
    const seqs = events.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ facility: 'status', name: 'status-sampling', data: { running: true } });
    expect(Date.parse(events.at(-1)!.time)).not.toBeNaN();

    const added = await api.call(api.admin, 'GET', '/api/v1/events?filter=users^status&limit=2');
    const page = added.json() as { events: JournalEntry[]; earlier: boolean };
    expect(page.events.map((entry) => [entry.name, (entry.data as { login?: string }).login])).toEqual([
      ['account-added', 'evtwo'],
      ['account-added', 'evthree'],
    ]);
    expect(page.earlier).toBe(true);
    const before = await api.call(
      api.admin,
      'GET',
      `/api/v1/events?filter=accounts&limit=1&before=${page.events[0]!.seq}`,
    );
    expect(before.json().events.map((entry: JournalEntry) => entry.data)).toEqual([{ login: 'evone' }]);
  });

  it("journals what the watchers see under watch (Licorn's inotifier): a useradd in a shell", async () => {
    await run('useradd', ['--prefix', api.t.sandbox.root, '-M', '-c', 'Ev Shell', 'evshell']);
    await waitUntil(() => !!api.t.app.core.accounts.getAccount('evshell'), 'the watcher to see the useradd');
    const answer = await api.call(api.admin, 'GET', '/api/v1/events?filter=inotifier&limit=1000');
    const seen = (answer.json() as { events: JournalEntry[] }).events;
    expect(seen.every((entry) => entry.facility === 'watch')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ name: 'watch-changed', data: { watcher: 'accounts' } });
    expect((seen.at(-1)!.data as { names: string[] }).names).toEqual(expect.arrayContaining(['passwd', 'shadow']));
  });

  it('refuses a bad filter, before or limit with 400 naming the field', async () => {
    const bad = await api.call(api.admin, 'GET', '/api/v1/events?filter=accounts|nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid-argument', field: 'filter' });
    expect(bad.json().message).toContain('"nope" is not a facility; valid names are accounts');
    const stream = await api.call(api.admin, 'GET', '/api/v1/events/stream?filter=%5Enope');
    expect(stream.statusCode).toBe(400);
    expect(stream.json()).toMatchObject({ field: 'filter' });
    for (const query of ['limit=0', 'limit=1001', 'before=0', 'before=x', 'other=1']) {
      const answer = await api.call(api.admin, 'GET', `/api/v1/events?${query}`);
      expect(answer.statusCode, query).toBe(400);
    }
  });

  it('answers 403 to a non-admin and 401 without a session, for the page and the stream', async () => {
    for (const url of ['/api/v1/events', '/api/v1/events/stream']) {
      expect((await api.call(api.member, 'GET', url)).statusCode).toBe(403);
      expect((await api.t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
  });

  it('streams a live add as a JSON line, and not a status event its filter removes', async () => {
    const stream = await openStream(api, api.admin, '?filter=accounts%5Estatus');
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    api.t.app.core.events.emit('status-sampling', 'status', { running: true });
    await api.t.app.core.accounts.createAccount({ login: 'evlive', fullName: 'Ev Live', password: null });
    await waitUntil(() => stream.lines.some((entry) => entry.name === 'account-added'), 'the add on the stream');
    expect(stream.lines.map((entry) => entry.facility)).not.toContain('status');
    expect(stream.lines.find((entry) => entry.name === 'account-added')).toMatchObject({
      facility: 'accounts',
      data: { login: 'evlive' },
      seq: expect.any(Number),
    });
    expect(api.t.app.eventStreams.size).toBe(1);
    stream.close();
    await waitUntil(() => api.t.app.eventStreams.size === 0, 'the stream to stop following');
  });

  it('ends the stream of an admin demoted while following it, before the next event', async () => {
    await api.t.app.core.accounts.createAccount({
      login: 'evstaff',
      fullName: 'Ev Staff',
      password: 'Evstaff-pass-1234',
      groups: ['licorn-wmi'],
    });
    const own = await openApiSession(api.t.app, 'evstaff', 'Evstaff-pass-1234');
    const stream = await openStream(api, own);
    const other = await openStream(api, api.admin);
    expect(stream.response.statusCode).toBe(200);
    await api.t.app.core.accounts.removeMember('licorn-wmi', 'evstaff');
    await waitUntil(stream.isEnded, 'the demoted stream to end');
    await api.t.app.core.accounts.createAccount({ login: 'evafter', fullName: 'Ev After', password: null });
    await waitUntil(() => other.lines.some((entry) => entry.name === 'account-added'), 'the add on the other stream');
    expect(stream.lines.map((entry) => entry.name)).not.toContain('account-added');
    other.close();
  });

  it('drops a client that never reads, past a bound, without growing the daemon', async () => {
    const { app } = api.t;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const dropped = app.eventStreams.dropped;
    await new Promise<void>((resolve, reject) => {
      const sent = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/events/stream?filter=volumes',
          rejectUnauthorized: false,
          headers: { cookie: api.admin.cookie },
        },
        (response) => {
          expect(response.statusCode).toBe(200);
          // Never read: the socket is paused, so the kernel's buffers then ours fill up.
          response.pause();
          response.socket.pause();
          resolve();
        },
      );
      sent.on('error', reject);
      sent.end();
    });
    await waitUntil(() => app.eventStreams.size === 1, 'the stream to open');
    // About 20 MiB of events: more than any socket buffers, far more than the bound.
    const name = 'v'.repeat(1000);
    for (let round = 0; round < 20_000 && app.eventStreams.dropped === dropped; round += 1) {
      app.core.events.emit('volume-usage', 'volumes', { name });
      if (round % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(app.eventStreams.dropped).toBe(dropped + 1);
    await waitUntil(() => app.eventStreams.size === 0, 'the stream to be closed');
    // The server let go of the connection too (the client, not reading, cannot tell yet).
    let connections = -1;
    await waitUntil(() => {
      app.server.getConnections((_error, count) => {
        connections = count;
      });
      return connections === 0;
    }, 'the connection to be closed');
    expect(maxStreamBufferBytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
