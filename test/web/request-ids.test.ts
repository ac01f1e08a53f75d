import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestIds } from '../../server/web/request-ids.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('request ids', () => {
  it("are Fastify's own form, one more a request, and count the requests", () => {
    const ids = createRequestIds();
    expect(ids.count()).toBe(0);
    expect([ids.next(), ids.next(), ids.next()]).toEqual(['req-1', 'req-2', 'req-3']);
    expect(ids.count()).toBe(3);
  });

  describe('in the app', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => t.close());

    it('count every request, a page, a redirect to login and a refusal alike (the Status figure)', async () => {
      const before = t.app.countRequests();
      const answers = await Promise.all([
        t.app.inject({ method: 'GET', url: '/login/' }),
        t.app.inject({ method: 'GET', url: '/accounts/' }),
        t.app.inject({ method: 'POST', url: '/no-such-page/' }),
      ]);
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 302, 401]);
      expect(t.app.countRequests()).toBe(before + 3);
    });
  });
});
