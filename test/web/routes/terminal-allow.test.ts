import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, openApiSession, callApi, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';
import { TerminalClient } from '../../helpers/terminal-client.ts';
import { isProcessAlive } from '../../../server/core/terminal/session-processes.ts';

// terminal.allow = "all" and "none" (the default, "admins", is terminal.test.ts's).
describe('terminal.allow = "all"', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(['--terminal-allow', 'all', '--terminal-keep', '1']);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  it('kills a terminal whose page went away terminal.keep ago', async () => {
    const member = await openApiSession(t.app, 'blefevre', testPasswords.blefevre);
    const opened = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    const session = t.app.sessions.list().find((candidate) => member.cookie.includes(candidate.id))!;
    const { pid } = t.app.terminals.get(opened.json().id, session.publicId)!;
    const host = `127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const client = new TerminalClient(`wss://${host}/terminal/ws/${opened.json().id}`, {
      cookie: member.cookie,
      origin: `https://${host}`,
    });
    await client.opened();
    // Attached: kept however long (the 1 s of terminal.keep counts from the page leaving).
    client.type('echo attached-$((1+1))\r');
    await client.waitFor(() => client.output.includes('attached-2'), 'the echo');
    expect(await isProcessAlive(pid)).toBe(true);
    client.close();
    const deadline = Date.now() + 10_000;
    while ((await isProcessAlive(pid)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await isProcessAlive(pid)).toBe(false);
    const closed = (await t.app.core.audit.readRecent(10)).find((entry) => entry.action === 'terminal-closed');
    expect(closed?.detail).toContain('kept-too-long');
  });

  it('gives a plain member a terminal and the menu entry, not a nologin account', async () => {
    const member = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
    const page = await t.app.inject({ method: 'GET', url: '/terminal/', headers: { cookie: member.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/terminal/"');
    // The page's CSP lets xterm's <style> elements in by this answer's nonce only.
    const nonce = /<meta name="style-nonce" content="([^"]+)">/.exec(page.body)![1]!;
    expect(page.headers['content-security-policy']).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    const opened = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(opened.statusCode).toBe(201);
    await callApi(t.app, member, 'DELETE', `/api/v1/terminals/${opened.json().id}`);

    await t.app.core.accounts.modifyAccount('dnguyen', { shell: '/bin/false' });
    const refused = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ field: 'terminal', message: expect.stringContaining('/bin/false') });
    const menu = await t.app.inject({ method: 'GET', url: '/me/', headers: { cookie: member.cookie } });
    expect(menu.body).not.toContain('href="/terminal/"');
  });
});

describe('terminal.allow = "none"', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(['--terminal-allow', 'none']);
  });
  afterAll(() => t.close());

  it('refuses even an admin, and audits the refusal', async () => {
    const admin = await openApiSession(t.app, 'admin', testPasswords.admin);
    const page = await t.app.inject({ method: 'GET', url: '/terminal/', headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(403);
    const refused = await callApi(t.app, admin, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('terminal.allow = "none"');
    const recent = await t.app.core.audit.readRecent(5);
    expect(recent[0]).toMatchObject({ action: 'terminal-opened', outcome: 'refused', login: 'admin' });
    // Refusals are audited, so they are throttled like opens: a loop meets 429.
    const statuses = [];
    for (let attempt = 0; attempt < 60; attempt += 1) {
      statuses.push((await callApi(t.app, admin, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 })).statusCode);
    }
    expect(statuses).toContain(429);
    const audited = (await t.app.core.audit.readRecent(100)).filter((entry) => entry.action === 'terminal-opened');
    expect(audited.length).toBeLessThan(25);
  });
});

describe('terminal.max_total', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(['--terminal-allow', 'all', '--terminal-max-total', '2']);
  });
  afterAll(() => t.close());

  it('holds at most terminal.max_total terminals, all accounts together', async () => {
    const opened = [];
    for (const login of ['admin', 'blefevre'] as const) {
      const session = await openApiSession(t.app, login, testPasswords[login]);
      const answer = await callApi(t.app, session, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
      expect(answer.statusCode).toBe(201);
      opened.push({ session, id: answer.json().id as string });
    }
    const member = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
    const refused = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('terminal.max_total = 2');
    await callApi(t.app, opened[0]!.session, 'DELETE', `/api/v1/terminals/${opened[0]!.id}`);
    const again = await callApi(t.app, member, 'POST', '/api/v1/terminals', { cols: 80, rows: 24 });
    expect(again.statusCode).toBe(201);
  });
});
