import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

// The sessions plugin's caller steps (plugins/sessions.ts): a step after a pending one runs
// from that promise's callback, where a throw would leave the request unanswered and reject a
// promise nobody waits on (Node 20 stops the daemon on it).
describe('caller steps', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.app.addCallerStep((request) => (request.url === '/login/?late' ? Promise.resolve() : null));
    t.app.addCallerStep((request) => {
      if (request.url.startsWith('/login/?')) throw new Error('a step that broke');
      return null;
    });
  });
  afterAll(async () => t.close());

  it('answer a step that throws with an error, at once or after a pending step', async () => {
    const answers = await Promise.all([
      t.app.inject({ method: 'GET', url: '/login/?early' }),
      t.app.inject({ method: 'GET', url: '/login/?late' }),
      t.app.inject({ method: 'GET', url: '/login/' }),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([500, 500, 200]);
  });
});
