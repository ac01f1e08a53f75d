import { describe, expect, it } from 'vitest';
import { useSocketTestApp } from '../../helpers/ws-client.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const server = useSocketTestApp();
const get = (url: string, cookie = server.admin.cookie) =>
  server.t.app.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html' } });
const rowIds = (html: string) => [...html.matchAll(/<li id="(event-\d+)"/g)].map((match) => match[1]!);

describe('the Events page', () => {
  it('shows the newest events through the filter in the address, and follows its topic', async () => {
    await server.t.app.core.accounts.createAccount({ login: 'evpage', fullName: 'Ev Page', password: null });
    server.t.app.core.events.emit('status-sampling', 'status', { running: true });
    const page = await get('/events/?filter=users%5Estatus');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-topics="events/accounts"');
    expect(page.body).toContain('value="users^status"');
    expect(getTagsOnOneLine(page.body)).toMatch(
      /<li id="event-\d+" class="event-row"[^>]*data-facility="accounts">.*account-added.*evpage/,
    );
    expect(page.body).not.toContain('data-facility="status"');
    expect(page.body).toContain('href="/events/" aria-current="page"');
    const all = await get('/events/');
    expect(all.body).toContain('data-facility="status"');
  });

  it('says what is wrong with a bad filter beside the field (400), with no rows', async () => {
    const page = await get('/events/?filter=accounts%7Cnope');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('id="events-filter-error"');
    expect(page.body).toContain('&quot;nope&quot; is not a facility');
    expect(page.body).not.toContain('class="event-row"');
    expect(page.body).not.toContain('data-topics="events');
    // In the page's language: the core's message from its key, never its English.
    const headers = { cookie: server.admin.cookie, accept: 'text/html', 'accept-language': 'fr' };
    const french = await server.t.app.inject({ url: '/events/?filter=accounts%7Cnope', headers });
    expect(french.statusCode).toBe(400);
    expect(french.body).not.toContain('is not a facility');
    expect(french.body).toContain('«\u00a0nope\u00a0»');
  });

  it('is for admins only, and so is the topic', async () => {
    expect((await get('/events/', server.member.cookie)).statusCode).toBe(403);
    expect((await get('/events/earlier?before=10', server.member.cookie)).statusCode).toBe(403);
    const socket = server.connect(server.member.cookie);
    await socket.opened();
    socket.send({ subscribe: ['events/accounts'] });
    await socket.waitFor(() => socket.messages.find((m) => m.action === 'notify'), 'the refusal');
    expect(socket.messages.some((m) => m.target === 'events-rows')).toBe(false);
    socket.close();
  });

  it('loads earlier rows through the same partial, saying whether more remain', async () => {
    for (let index = 0; index < 120; index += 1) {
      server.t.app.core.events.emit('volume-usage', 'volumes', { name: `loop${index}` });
    }
    const page = await get('/events/?filter=volumes');
    const ids = rowIds(page.body);
    expect(ids).toHaveLength(100);
    expect(page.body).not.toMatch(/id="events-earlier"[^>]* hidden/);
    const first = Number(ids[0]!.slice('event-'.length));
    const earlier = await get(`/events/earlier?filter=volumes&before=${first}`);
    expect(earlier.statusCode).toBe(200);
    expect(earlier.headers['x-events-earlier']).toBe('false');
    const older = rowIds(earlier.body);
    // Our 20 and the volumes the daemon found at start.
    expect(older.length).toBeGreaterThanOrEqual(20);
    expect(older.length).toBeLessThan(100);
    expect(Number(older.at(-1)!.slice('event-'.length))).toBeLessThan(first);
    expect((await get('/events/earlier?filter=nope&before=5')).statusCode).toBe(400);
  });

  it('pushes each new event as the row the page renders, through the topic filter', async () => {
    const socket = server.connect(server.admin.cookie);
    await socket.opened();
    socket.send({ subscribe: ['events/accounts'] });
    await socket.waitFor(() => socket.messages.find((m) => m.target === 'events-rows'), 'the snapshot');
    const before = socket.messages.length;
    server.t.app.core.events.emit('status-sampling', 'status', { running: false });
    await server.t.app.core.accounts.createAccount({ login: 'evpushed', fullName: 'Ev Pushed', password: null });
    const pushed = await socket.waitFor(
      () => socket.messages.slice(before).find((m) => m.action === 'append' && m.html?.includes('evpushed')),
      'the row of the add',
    );
    expect(socket.messages.slice(before).some((m) => m.html?.includes('data-facility="status"'))).toBe(false);
    const id = rowIds(pushed.html!)[0]!;
    const page = await get('/events/?filter=accounts');
    const rendered = new RegExp(`<li id="${id}"[^]*?</li>`).exec(page.body)![0];
    expect(pushed.html).toContain(rendered);
    socket.close();
  });
});
