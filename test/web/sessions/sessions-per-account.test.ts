import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, logIn, type TestApp } from '../../helpers/test-app.ts';
import { testPasswords } from '../../helpers/sandbox.ts';

// Red team's LOW 11: one plain account opened 110 sessions in 10 s, every one listed and
// pushed on the admins' dashboard. Here with `--sessions-max-per-account 3`, through the form.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(['--sessions-max-per-account', '3', '--auth-fail-delay', '0']);
});
afterAll(async () => t.close());

const getSession = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });

describe('sessions.max_per_account', () => {
  it("is read from its flag, and a login past it ends the account's oldest session only", async () => {
    expect(t.app.config.sessions.maxPerAccount).toBe(3);
    const admin = await logIn(t.app, 'admin', testPasswords.admin);
    const cookies: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { cookie, response } = await logIn(t.app, 'dnguyen', testPasswords.dnguyen);
      expect(response.statusCode).toBe(303);
      cookies.push(cookie);
    }
    const answers = await Promise.all(cookies.map(async (cookie) => (await getSession(cookie)).statusCode));
    expect(answers).toEqual([401, 401, 200, 200, 200]);
    expect(t.app.sessions.list().filter((session) => session.login === 'dnguyen')).toHaveLength(3);
    // Another account's session is not one of them.
    expect((await getSession(admin.cookie)).statusCode).toBe(200);
  });
});
